import { describe, expect, it } from 'vitest';
import { KeystrokeAuditor } from '../../../electron/core/hotkey/keystroke-audit';
import type { RawKeyEvent } from '../../../electron/core/hotkey/matcher';

type Mod = 'ctrl' | 'shift' | 'alt' | 'meta';
const press = (key: string | null, ...mods: Mod[]): RawKeyEvent => ({ type: 'down', key, modifiers: new Set(mods), modifierKey: null });
const release = (key: string): RawKeyEvent => ({ type: 'up', key, modifiers: new Set(), modifierKey: null });
const modifier = (name: string): RawKeyEvent => ({ type: 'down', key: null, modifiers: new Set(['ctrl']), modifierKey: name });

describe('KeystrokeAuditor', () => {
  it('reports, per press, whether it arrived under Ctrl or Super; Shift and Alt type text', async () => {
    const audit = new KeystrokeAuditor(() => true);
    audit.ignoreKey('F9');
    const recording = audit.begin();
    for (const event of [press('H', 'shift'), release('H'), modifier('Ctrl'), press('F9', 'ctrl'), press('I', 'ctrl'),
      press('Space', 'meta'), press('Q', 'alt'), press(null)]) audit.handle(event);
    expect(await recording.end(5)).toEqual([false, true, true, false, false]);
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
