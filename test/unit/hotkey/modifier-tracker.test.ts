import { describe, expect, it } from 'vitest';
import { ModifierTracker } from '../../../electron/core/hotkey/modifier-tracker';
import type { RawKeyEvent } from '../../../electron/core/hotkey/matcher';

const mod = (type: 'down' | 'up', modifierKey: string): RawKeyEvent => ({ type, key: null, modifiers: new Set(), modifierKey });
const key = (type: 'down' | 'up', name: string, ...mods: ('ctrl' | 'shift')[]): RawKeyEvent => ({ type, key: name, modifiers: new Set(mods), modifierKey: null });

describe('ModifierTracker', () => {
  it('follows modifier keys going down and up, left and right apart', () => {
    const t = new ModifierTracker();
    t.handle(mod('down', 'Ctrl'));
    t.handle(mod('down', 'ShiftRight'));
    expect(t.anyHeld).toBe(true);
    t.handle(mod('up', 'Ctrl'));
    expect(t.anyHeld).toBe(true);
    t.handle(mod('up', 'ShiftRight'));
    expect(t.anyHeld).toBe(false);
  });

  it('an ordinary key without modifier flags clears a release it missed', () => {
    const t = new ModifierTracker();
    t.handle(mod('down', 'Alt'));
    t.handle(key('down', 'F9', 'ctrl'));
    expect(t.anyHeld).toBe(true);
    t.handle(key('down', 'A'));
    expect(t.anyHeld).toBe(false);
  });
});
