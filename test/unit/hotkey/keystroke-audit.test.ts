import { describe, expect, it } from 'vitest';
import { KeystrokeAuditor } from '../../../electron/core/hotkey/keystroke-audit';
import type { HotkeyBinding, Modifier } from '../../../electron/core/hotkey/accelerator';
import { HotkeyMatcher, type RawKeyEvent } from '../../../electron/core/hotkey/matcher';

type Mod = Modifier;
const binding = (key: string, ...mods: Mod[]) => ({ key, modifiers: new Set<Mod>(mods) });
const release = (key: string): RawKeyEvent => ({ type: 'up', key, modifiers: new Set(), modifierKey: null });
const press = (key: string | null, ...mods: Mod[]): RawKeyEvent => ({ type: 'down', key, modifiers: new Set(mods), modifierKey: null });
const modifier = (name: string): RawKeyEvent => ({ type: 'down', key: null, modifiers: new Set(['ctrl']), modifierKey: name });

/** The auditor wired as HotkeyService wires it: the matcher's state, and the modifiers the user holds. */
function wired() {
  let matcher: HotkeyMatcher | null = null;
  const held = new Set<string>();
  const audit = new KeystrokeAuditor(() => true, () => matcher?.isHeld ?? false, () => held.size > 0,
    () => [...held].some((key) => !key.startsWith('Shift')));
  return {
    audit,
    held,
    bind(b: HotkeyBinding, grabbed = false) {
      matcher = new HotkeyMatcher(b, () => undefined, () => undefined);
      audit.setHotkey(b, grabbed);
    },
    feed(event: RawKeyEvent) {
      audit.handle(event);
      matcher?.handle(event);
    },
  };
}

describe('KeystrokeAuditor', () => {
  it('reports, per press, whether it arrived under Ctrl or Super; Shift and Alt type text', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    const recording = audit.begin('Hi q£');
    for (const event of [press('H', 'shift'), release('H'), modifier('Ctrl'), press('F9', 'ctrl'), press('I', 'ctrl'),
      press('Space', 'meta'), press('Q', 'alt'), press(null)]) audit.handle(event);
    expect(await recording.end()).toEqual([false, true, true, false, false]);
  });

  it('leaves out the hotkey\'s own key: always for a key we never type, only under its chord for one we do', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    audit.setHotkey(binding('F9', 'ctrl', 'shift'));
    let recording = audit.begin('ab');
    // Held push-to-talk F9 repeats with its modifiers lifted by the typer: still the user's.
    for (const event of [press('F9'), press('A'), press('F9', 'ctrl'), press('B')]) audit.handle(event);
    expect(await recording.end()).toEqual([false, false]);
    // The default Ctrl+Shift+Space: our spaces are ours, the user's chord is not.
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    recording = audit.begin(' x ');
    for (const event of [press('Space'), press('Space', 'ctrl', 'shift'), press('X', 'ctrl', 'shift'), press('Space', 'shift')]) audit.handle(event);
    expect(await recording.end()).toEqual([false, true, false]);
  });

  it('typing may press the hotkey\'s key only while the user holds neither it nor a modifier', () => {
    const { audit, held, bind, feed } = wired();
    bind(binding('Space', 'ctrl', 'shift'));
    expect(audit.mayPressHotkeyKey()).toBe(true);
    held.add('Ctrl');
    expect(audit.mayPressHotkeyKey()).toBe(false);
    feed(press('Space', 'ctrl', 'shift'));
    held.clear(); // the chord's modifiers up, its key still down
    expect(audit.mayPressHotkeyKey()).toBe(false);
    feed(release('Space'));
    expect(audit.mayPressHotkeyKey()).toBe(true);
  });

  it('while the user holds a grabbed hotkey\'s key, our keys went to the grab, modifiers or not', async () => {
    for (const grabbed of [true, false]) {
      const { audit, bind, feed } = wired();
      bind(binding('F9', 'ctrl', 'shift'), grabbed);
      const recording = audit.begin('abc');
      feed(press('A'));
      expect(audit.mayPressHotkeyKey()).toBe(true);
      feed(press('F9', 'ctrl', 'shift'));
      expect(audit.mayPressHotkeyKey()).toBe(false);
      feed(press('B')); // the typer lifted the chord's modifiers
      feed(release('F9'));
      expect(audit.mayPressHotkeyKey()).toBe(true);
      feed(press('C'));
      expect(await recording.end()).toEqual([false, grabbed, false]);
    }
    // F9 pressed without the chord: no grab, no hotkey.
    const { audit, bind, feed } = wired();
    bind(binding('F9', 'ctrl', 'shift'), true);
    const recording = audit.begin('b');
    feed(press('F9'));
    expect(audit.mayPressHotkeyKey()).toBe(true);
    feed(press('B'));
    expect(await recording.end()).toEqual([false]);
    expect(audit.typesHotkeyKey(' ')).toBe(false);
    bind(binding('Space', 'ctrl', 'shift'));
    expect(audit.typesHotkeyKey(' ')).toBe(true);
    expect(audit.typesHotkeyKey('a')).toBe(false);
  });

  it('typing stops for Ctrl, Alt or Super, and for a grabbed hotkey\'s key; not for Shift', () => {
    for (const grabbed of [true, false]) {
      const { audit, held, bind, feed } = wired();
      bind(binding('F9', 'ctrl', 'shift'), grabbed);
      held.add('Shift');
      expect(audit.userHoldsShortcutKeys()).toBe(false);
      held.add('CtrlRight');
      expect(audit.userHoldsShortcutKeys()).toBe(true);
      feed(press('F9', 'ctrl', 'shift'));
      held.clear();
      expect(audit.userHoldsShortcutKeys()).toBe(grabbed);
      feed(release('F9'));
      expect(audit.userHoldsShortcutKeys()).toBe(false);
    }
  });

  it('paces typing: waits for the presses sent so far, and ends expecting only those when typing stopped early', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    expect(audit.watchesTyping()).toBe(true);
    const recording = audit.begin('abc');
    setTimeout(() => audit.handle(press('A')), 10);
    expect(await recording.waitForPresses(1, 1000)).toBe(true);
    expect(await recording.waitForPresses(2, 20)).toBe(false);
    audit.handle(press('B', 'ctrl'));
    recording.stoppedAfter(2);
    expect(await recording.end()).toEqual([false, true]);
  });

  it('a thread busy past the deadline does not make a press already reported count as missing', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    const recording = audit.begin('a');
    // From the loop's check phase, so the next iteration runs the due timer before the report
    // queued here (as the hook's reports, I/O, wait behind timers).
    const waiting = await new Promise<Promise<boolean>>((started) => setImmediate(() => {
      const answer = recording.waitForPresses(1, 5);
      const busyUntil = Date.now() + 20;
      while (Date.now() < busyUntil) { /* the main thread busy: the deadline passes */ }
      setImmediate(() => audit.handle(press('A')));
      started(answer);
    }));
    expect(await waiting).toBe(true);
    // That late answer must not unhook the next wait, which began as soon as the first was answered.
    const next = recording.waitForPresses(2, 1000);
    const started = Date.now();
    setTimeout(() => audit.handle(press('B')), 10);
    expect(await next).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a cancelled recording stops counting', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    const recording = audit.begin('a');
    audit.handle(press('A'));
    expect(audit.openRecordings).toBe(1);
    recording.cancel();
    expect(audit.openRecordings).toBe(0);
  });

  it('records only while a recording is open', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    audit.handle(press('A', 'ctrl'));
    const recording = audit.begin('b');
    audit.handle(press('B'));
    expect(await recording.end()).toEqual([false]);
    audit.handle(press('C'));
    expect(await audit.begin('').end()).toEqual([]);
  });

  it('waits for presses the hook reports late', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    const recording = audit.begin('ab');
    audit.handle(press('A'));
    setTimeout(() => audit.handle(press('B', 'ctrl')), 20);
    expect(await recording.end()).toEqual([false, true]);
  });

  it('cannot tell when the count differs (the user typed too)', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    const recording = audit.begin('ab');
    audit.handle(press('A'));
    audit.handle(press('B'));
    audit.handle(press('C'));
    expect(await recording.end()).toBeNull();
  });

  it('stops asking a hook that never reports synthesized keys, and asks nothing without a hook', async () => {
    const audit = new KeystrokeAuditor(() => true, () => false, () => false, () => false);
    audit.setHotkey(binding('Space', 'ctrl', 'shift'));
    // Only the user's chord seen while we typed a letter: the hook works, this one cannot tell.
    const caught = audit.begin('a');
    audit.handle(press('Space', 'ctrl', 'shift'));
    expect(await caught.end()).toBeNull();
    // Nothing seen at all: blind.
    expect(await audit.begin('abc').end()).toBeNull();
    expect(audit.watchesTyping()).toBe(false);
    const later = audit.begin('a');
    audit.handle(press('A'));
    const started = Date.now();
    expect(await later.end()).toBeNull();
    expect(Date.now() - started).toBeLessThan(100);
    const hookless = new KeystrokeAuditor(() => false, () => false, () => false, () => false);
    expect(hookless.watchesTyping()).toBe(false);
    const recording = hookless.begin('a');
    hookless.handle(press('A'));
    expect(await recording.end()).toBeNull();
  });
});
