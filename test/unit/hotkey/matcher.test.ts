import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAccelerator } from '../../../electron/core/hotkey/accelerator';
import { createMatcher, HotkeyMatcher, MODIFIER_ALONE_MS, type RawKeyEvent } from '../../../electron/core/hotkey/matcher';
import { keyNamesByCode, modifiersOf } from '../../../electron/core/hotkey/uiohook-source';

function matcher(accel: string): { m: HotkeyMatcher; log: string[] } {
  const parsed = parseAccelerator(accel, 'linux');
  if (!parsed.ok) throw new Error(parsed.error);
  const log: string[] = [];
  return { m: new HotkeyMatcher(parsed.binding, () => log.push('press'), () => log.push('release')), log };
}
const ev = (type: 'down' | 'up', key: string | null, ...mods: ('ctrl' | 'alt' | 'shift' | 'meta')[]): RawKeyEvent => ({ type, key, modifiers: new Set(mods) });

describe('HotkeyMatcher', () => {
  it('presses on the key with exactly its modifiers, releases on the key going up', () => {
    const { m, log } = matcher('Ctrl+Alt+Space');
    m.handle(ev('down', 'Space', 'ctrl'));
    m.handle(ev('down', 'Space', 'ctrl', 'alt', 'shift'));
    expect(log).toEqual([]);
    m.handle(ev('down', 'Space', 'ctrl', 'alt'));
    m.handle(ev('down', 'Space', 'ctrl', 'alt'));
    expect(log).toEqual(['press']);
    m.handle(ev('up', 'Space'));
    expect(log).toEqual(['press', 'release']);
  });

  it('keeps holding while modifiers are lifted and restored (xdotool --clearmodifiers)', () => {
    const { m, log } = matcher('Ctrl+Alt+Space');
    m.handle(ev('down', 'Space', 'ctrl', 'alt'));
    m.handle(ev('up', null));
    m.handle(ev('down', 'H'));
    m.handle(ev('up', 'H'));
    m.handle(ev('down', null, 'ctrl'));
    expect(log).toEqual(['press']);
    expect(m.isHeld).toBe(true);
  });

  it('reset releases a held key', () => {
    const { m, log } = matcher('F9');
    m.handle(ev('down', 'F9'));
    m.reset();
    m.reset();
    expect(log).toEqual(['press', 'release']);
  });
});

describe('a right-hand modifier alone', () => {
  afterEach(() => { vi.useRealTimers(); });
  function alone() {
    const parsed = parseAccelerator('RightCtrl', 'linux');
    if (!parsed.ok) throw new Error(parsed.error);
    const log: string[] = [];
    return { m: createMatcher(parsed.binding, () => log.push('press'), () => log.push('release')), log };
  }
  const mod = (type: 'down' | 'up', modifierKey: string): RawKeyEvent => ({ type, key: null, modifiers: new Set(type === 'down' ? ['ctrl'] : []), modifierKey });

  it('held alone: a press once it has been down by itself for a moment, the release when it goes up', () => {
    vi.useFakeTimers();
    const { m, log } = alone();
    m.handle(mod('down', 'CtrlRight'));
    vi.advanceTimersByTime(MODIFIER_ALONE_MS - 1);
    expect(log).toEqual([]);
    m.handle(mod('down', 'CtrlRight')); // auto-repeat
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['press']);
    expect(m.isHeld).toBe(true);
    m.handle(mod('up', 'CtrlRight'));
    expect(log).toEqual(['press', 'release']);
  });

  it('tapped alone: press and release together when it goes up', () => {
    vi.useFakeTimers();
    const { m, log } = alone();
    m.handle(mod('down', 'CtrlRight'));
    vi.advanceTimersByTime(80);
    m.handle(mod('up', 'CtrlRight'));
    expect(log).toEqual(['press', 'release']);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['press', 'release']);
  });

  it('in a chord (Right Ctrl+C, or with another modifier) it is the user’s shortcut: nothing at all', () => {
    vi.useFakeTimers();
    const { m, log } = alone();
    m.handle(mod('down', 'CtrlRight'));
    m.handle(ev('down', 'C', 'ctrl'));
    m.handle(ev('up', 'C', 'ctrl'));
    vi.advanceTimersByTime(1000);
    m.handle(mod('up', 'CtrlRight'));
    m.handle(mod('down', 'CtrlRight'));
    m.handle(mod('down', 'ShiftRight'));
    vi.advanceTimersByTime(1000);
    m.handle(mod('up', 'CtrlRight'));
    expect(log).toEqual([]);
    m.handle(mod('down', 'CtrlLeft')); // the left one alone is not the hotkey
    vi.advanceTimersByTime(1000);
    m.handle(mod('up', 'CtrlLeft'));
    expect(log).toEqual([]);
  });

  it('reset releases a press in progress', () => {
    vi.useFakeTimers();
    const { m, log } = alone();
    m.handle(mod('down', 'CtrlRight'));
    vi.advanceTimersByTime(MODIFIER_ALONE_MS);
    m.reset();
    expect(log).toEqual(['press', 'release']);
  });
});

describe('uiohook translation', () => {
  it('names keycodes and leaves modifiers unnamed', () => {
    const names = keyNamesByCode({ Space: 57, A: 30, Ctrl: 29, Numpad1: 79, F9: 67 });
    expect(names.get(57)).toBe('Space');
    expect(names.get(30)).toBe('A');
    expect(names.has(29)).toBe(false);
    expect(names.has(79)).toBe(false);
    expect(modifiersOf({ keycode: 57, ctrlKey: true, altKey: false, shiftKey: true, metaKey: false })).toEqual(new Set(['ctrl', 'shift']));
  });
});
