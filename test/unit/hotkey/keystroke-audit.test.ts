import { describe, expect, it } from 'vitest';
import { KeystrokeAuditor } from '../../../electron/core/hotkey/keystroke-audit';
import type { HotkeyBinding, Modifier } from '../../../electron/core/hotkey/accelerator';
import { HotkeyMatcher, type RawKeyEvent } from '../../../electron/core/hotkey/matcher';

type Mod = Modifier;
const binding = (key: string, ...mods: Mod[]) => ({ key, modifiers: new Set<Mod>(mods) });
const release = (key: string): RawKeyEvent => ({ type: 'up', key, modifiers: new Set(), modifierKey: null });
const press = (key: string | null, ...mods: Mod[]): RawKeyEvent => ({ type: 'down', key, modifiers: new Set(mods), modifierKey: null });
const modifier = (name: string): RawKeyEvent => ({ type: 'down', key: null, modifiers: new Set(['ctrl']), modifierKey: name });

/** The auditor wired as HotkeyService wires it: the matcher gets the events the auditor does not claim. */
function wired() {
  let matcher: HotkeyMatcher | null = null;
  const audit = new KeystrokeAuditor(() => true, () => matcher?.isHeld ?? false);
  return {
    audit,
    bind(b: HotkeyBinding, grabbed = false) {
      matcher = new HotkeyMatcher(b, () => undefined, () => undefined);
      audit.setHotkey(b, grabbed);
    },
    feed(event: RawKeyEvent) {
      if (!audit.handle(event)) matcher?.handle(event);
    },
  };
}

describe('KeystrokeAuditor', () => {
  it('reports, per press, whether it arrived under Ctrl or Super; Shift and Alt type text', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    const recording = audit.begin('Hi q£');
    for (const event of [press('H', 'shift'), release('H'), modifier('Ctrl'), press('F9', 'ctrl'), press('I', 'ctrl'),
      press('Space', 'meta'), press('Q', 'alt'), press(null)]) audit.handle(event);
    expect(await recording.end()).toEqual([false, true, true, false, false]);
  });

  it('leaves out the hotkey\'s own key: always for a key we never type, only under its chord for one we do', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    let recording = audit.begin('ab');
    // Held push-to-talk F9 repeats with its modifiers lifted by the typer: still the user's.
    for (const event of [press('F9'), press('A'), press('F9', 'ctrl'), press('B')]) expect(audit.handle(event)).toBe(false);
    expect(await recording.end()).toEqual([false, false]);
    // The default Ctrl+Shift+Space: our spaces are ours, the user's chord is not.
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    recording = audit.begin(' x ');
    for (const event of [press('Space'), press('Space', 'ctrl', 'shift'), press('X', 'ctrl', 'shift'), press('Space', 'shift')]) audit.handle(event);
    expect(await recording.end()).toEqual([false, true, false]);
  });

  it('with a typing-key hotkey, a press under its chord is ours when our next character is that key; ours never reach the matcher', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    const recording = audit.begin('1 23');
    const seen = [press('1'), release('1'), press('Space', 'ctrl', 'shift'), release('Space'), // the user's chord came down: our space is caught
      press('2', 'ctrl', 'shift'), release('2'),
      press('Space', 'ctrl', 'shift'), // the user's own Space, while our next key is "3"
      press('3', 'ctrl', 'shift'), release('Space'), release('3')].map((event) => audit.handle(event));
    // Our space and its release are hidden from the matcher; the user's press and release are not.
    expect(seen).toEqual([false, false, true, true, false, false, false, false, false, false]);
    expect(await recording.end()).toEqual([false, true, true, true]);
    // Without a recording a press is the user's; a release of ours still pending is still ours.
    const next = audit.begin(' ');
    expect(audit.handle(press('Space', 'ctrl', 'shift'))).toBe(true);
    expect(await next.end()).toEqual([true]);
    expect(audit.handle(release('Space'))).toBe(true);
    expect(audit.handle(press('Space', 'ctrl', 'shift'))).toBe(false);
    expect(audit.handle(release('Space'))).toBe(false);
  });

  it('while the user holds a grabbed hotkey\'s key, our keys went to the grab, modifiers or not', async () => {
    for (const grabbed of [true, false]) {
      const { audit, bind, feed } = wired();
      bind(binding('F9', 'ctrl', 'shift'), grabbed);
      const recording = audit.begin('abc');
      feed(press('A'));
      expect(audit.hotkeyHeld()).toBe(false);
      feed(press('F9', 'ctrl', 'shift'));
      expect(audit.hotkeyHeld()).toBe(true);
      feed(press('B')); // the typer lifted the chord's modifiers
      feed(release('F9'));
      expect(audit.hotkeyHeld()).toBe(false);
      feed(press('C'));
      expect(await recording.end()).toEqual([false, grabbed, false]);
    }
    // F9 pressed without the chord: no grab, no hotkey.
    const { audit, bind, feed } = wired();
    bind(binding('F9', 'ctrl', 'shift'), true);
    const recording = audit.begin('b');
    feed(press('F9'));
    expect(audit.hotkeyHeld()).toBe(false);
    feed(press('B'));
    expect(await recording.end()).toEqual([false]);
    expect(audit.typesHotkeyKey(' ')).toBe(false);
    bind(binding('Space', 'ctrl', 'shift'));
    expect(audit.typesHotkeyKey(' ')).toBe(true);
    expect(audit.typesHotkeyKey('a')).toBe(false);
  });

  it('a cancelled recording stops counting', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    const recording = audit.begin('a');
    audit.handle(press('A'));
    expect(audit.openRecordings).toBe(1);
    recording.cancel();
    expect(audit.openRecordings).toBe(0);
  });

  it('records only while a recording is open', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    audit.handle(press('A', 'ctrl'));
    const recording = audit.begin('b');
    audit.handle(press('B'));
    expect(await recording.end()).toEqual([false]);
    audit.handle(press('C'));
    expect(await audit.begin('').end()).toEqual([]);
  });

  it('waits for presses the hook reports late', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    const recording = audit.begin('ab');
    audit.handle(press('A'));
    setTimeout(() => audit.handle(press('B', 'ctrl')), 20);
    expect(await recording.end()).toEqual([false, true]);
  });

  it('cannot tell when the count differs (the user typed too)', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    const recording = audit.begin('ab');
    audit.handle(press('A'));
    audit.handle(press('B'));
    audit.handle(press('C'));
    expect(await recording.end()).toBeNull();
  });

  it('stops asking a hook that never reports synthesized keys, and asks nothing without a hook', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false);
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    // Only the user's chord seen while we typed a letter: the hook works, this one cannot tell.
    const caught = audit.begin('a');
    expect(audit.handle(press('Space', 'ctrl', 'shift'))).toBe(false);
    expect(await caught.end()).toBeNull();
    // Nothing seen at all: blind.
    expect(await audit.begin('abc').end()).toBeNull();
    const later = audit.begin('a');
    audit.handle(press('A'));
    const started = Date.now();
    expect(await later.end()).toBeNull();
    expect(Date.now() - started).toBeLessThan(100);
    const hookless = new KeystrokeAuditor(() => false, () => false);
    const recording = hookless.begin('a');
    hookless.handle(press('A'));
    expect(await recording.end()).toBeNull();
  });
});
