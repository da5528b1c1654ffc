import { describe, expect, it } from 'vitest';
import { KeystrokeAuditor } from '../../../electron/core/hotkey/keystroke-audit';
import type { Modifier } from '../../../electron/core/hotkey/accelerator';
import type { RawKeyEvent } from '../../../electron/core/hotkey/matcher';

type Mod = Modifier;
const binding = (key: string, ...mods: Mod[]) => ({ key, modifiers: new Set<Mod>(mods) });
const release = (key: string): RawKeyEvent => ({ type: 'up', key, modifiers: new Set(), modifierKey: null });
const press = (key: string | null, ...mods: Mod[]): RawKeyEvent => ({ type: 'down', key, modifiers: new Set(mods), modifierKey: null });
const modifier = (name: string): RawKeyEvent => ({ type: 'down', key: null, modifiers: new Set(['ctrl']), modifierKey: name });

describe('KeystrokeAuditor', () => {
  it('reports, per press, whether it arrived under Ctrl or Super; Shift and Alt type text', async () => {
    const audit = new KeystrokeAuditor(() => true);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    const recording = audit.begin();
    for (const event of [press('H', 'shift'), release('H'), modifier('Ctrl'), press('F9', 'ctrl'), press('I', 'ctrl'),
      press('Space', 'meta'), press('Q', 'alt'), press(null)]) audit.handle(event);
    expect(await recording.end(5)).toEqual([false, true, true, false, false]);
  });

  it('leaves out the hotkey\'s own key: always for a key we never type, only under its chord for one we do', async () => {
    const audit = new KeystrokeAuditor(() => true);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    let recording = audit.begin();
    // Held push-to-talk F9 repeats with its modifiers lifted by the typer: still the user's.
    for (const event of [press('F9'), press('A'), press('F9', 'ctrl'), press('B')]) audit.handle(event);
    expect(await recording.end(2)).toEqual([false, false]);
    // The default Ctrl+Shift+Space: our spaces are ours, the user's chord is not.
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    recording = audit.begin();
    for (const event of [press('Space'), press('Space', 'ctrl', 'shift'), press('X', 'ctrl', 'shift'), press('Space', 'shift')]) audit.handle(event);
    expect(await recording.end(3)).toEqual([false, true, false]);
  });

  it('a cancelled recording stops counting', async () => {
    const audit = new KeystrokeAuditor(() => true);
    const recording = audit.begin();
    audit.handle(press('A'));
    expect(audit.openRecordings).toBe(1);
    recording.cancel();
    expect(audit.openRecordings).toBe(0);
  });

  it('records only while a recording is open', async () => {
    const audit = new KeystrokeAuditor(() => true);
    audit.handle(press('A', 'ctrl'));
    const recording = audit.begin();
    audit.handle(press('B'));
    expect(await recording.end(1)).toEqual([false]);
    audit.handle(press('C'));
    expect(await audit.begin().end(0)).toEqual([]);
  });

  it('waits for presses the hook reports late', async () => {
    const audit = new KeystrokeAuditor(() => true);
    const recording = audit.begin();
    audit.handle(press('A'));
    setTimeout(() => audit.handle(press('B', 'ctrl')), 20);
    expect(await recording.end(2)).toEqual([false, true]);
  });

  it('cannot tell when the count differs (the user typed too)', async () => {
    const audit = new KeystrokeAuditor(() => true);
    const recording = audit.begin();
    audit.handle(press('A'));
    audit.handle(press('B'));
    audit.handle(press('C'));
    expect(await recording.end(2)).toBeNull();
  });

  it('stops asking a hook that never reports synthesized keys, and asks nothing without a hook', async () => {
    const audit = new KeystrokeAuditor(() => true);
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    // Only the user's chord seen (our one space caught under it): the hook works, this one cannot tell.
    const caught = audit.begin();
    audit.handle(press('Space', 'ctrl', 'shift'));
    expect(await caught.end(1)).toBeNull();
    // Nothing seen at all: blind.
    expect(await audit.begin().end(3)).toBeNull();
    const later = audit.begin();
    audit.handle(press('A'));
    const started = Date.now();
    expect(await later.end(1)).toBeNull();
    expect(Date.now() - started).toBeLessThan(100);
    const hookless = new KeystrokeAuditor(() => false);
    const recording = hookless.begin();
    hookless.handle(press('A'));
    expect(await recording.end(1)).toBeNull();
  });
});
