import { describe, expect, it } from 'vitest';
import { parseAccelerator } from '../../../electron/core/hotkey/accelerator';
import { HotkeyMatcher, type RawKeyEvent } from '../../../electron/core/hotkey/matcher';
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
