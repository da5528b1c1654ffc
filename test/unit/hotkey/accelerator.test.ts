import { describe, expect, it } from 'vitest';
import { describeBinding, hotkeyConflicts, hotkeyLabels, parseAccelerator, toElectronAccelerator, type HotkeyBinding } from '../../../electron/core/hotkey/accelerator';

function parse(accel: string, platform: NodeJS.Platform = 'linux'): HotkeyBinding {
  const r = parseAccelerator(accel, platform);
  if (!r.ok) throw new Error(r.error);
  return r.binding;
}

describe('a right-hand modifier alone', () => {
  it('reads RightCtrl, RightAlt, RightShift and RightSuper (any case, their aliases) as a modifier-only hotkey', () => {
    expect(parse('RightCtrl')).toEqual({ modifiers: new Set(), key: 'CtrlRight', modifierOnly: true });
    expect(parse('rightcontrol').key).toBe('CtrlRight');
    expect(parse('RightOption').key).toBe('AltRight');
    expect(parse('RightShift').key).toBe('ShiftRight');
    expect(parse('RightCmd', 'darwin').key).toBe('MetaRight');
    expect(describeBinding(parse('RightCtrl'))).toBe('Right Ctrl');
    expect(parseAccelerator('Ctrl+RightAlt', 'linux')).toEqual({ ok: false, error: 'Right Alt works as a hotkey only on its own ("Ctrl+RightAlt").' });
  });

  it('warns that Right Alt is AltGr on many layouts; Right Ctrl has no known clash', () => {
    expect(hotkeyConflicts(parse('RightAlt'), 'linux')).toEqual(['Right Alt is AltGr on many keyboard layouts (for €, @, accents): choose Right Ctrl there.']);
    expect(hotkeyConflicts(parse('RightAlt'), 'darwin')).toEqual([]);
    expect(hotkeyConflicts(parse('RightCtrl'), 'linux')).toEqual([]);
  });
});

describe('parseAccelerator', () => {
  it('reads Electron accelerators, CommandOrControl per platform', () => {
    expect(parse('CommandOrControl+Shift+Space')).toEqual({ modifiers: new Set(['ctrl', 'shift']), key: 'Space' });
    expect(parse('CommandOrControl+Shift+Space', 'darwin')).toEqual({ modifiers: new Set(['meta', 'shift']), key: 'Space' });
    expect(parse('super+f9')).toEqual({ modifiers: new Set(['meta']), key: 'F9' });
    expect(parse('Alt+;').key).toBe('Semicolon');
    expect(parse('ctrl+alt+d').key).toBe('D');
  });

  it('rejects what cannot be a hotkey, with a reason', () => {
    expect(parseAccelerator('')).toMatchObject({ ok: false });
    expect(parseAccelerator('Ctrl+Shift')).toMatchObject({ ok: false, error: expect.stringMatching(/only modifiers/) });
    expect(parseAccelerator('Ctrl+A+B')).toMatchObject({ ok: false, error: expect.stringMatching(/two keys/) });
    expect(parseAccelerator('Ctrl+Hyper')).toMatchObject({ ok: false, error: expect.stringMatching(/not a key/) });
    expect(parseAccelerator('Ctrl++')).toMatchObject({ ok: false, error: expect.stringMatching(/empty part/) });
    expect(parseAccelerator('x'.repeat(500))).toMatchObject({ ok: false });
  });

  it('writes back what globalShortcut understands', () => {
    expect(toElectronAccelerator(parse('shift+ctrl+up'))).toBe('Control+Shift+Up');
    expect(toElectronAccelerator(parse('Super+Alt+Enter'))).toBe('Alt+Super+Return');
  });
});

describe('hotkeyConflicts', () => {
  it('reports the classic clashes', () => {
    expect(hotkeyConflicts(parse('Ctrl+Space'))[0]).toMatch(/input method/);
    expect(hotkeyConflicts(parse('Alt+Space'))[0]).toMatch(/window menu/);
    expect(hotkeyConflicts(parse('Ctrl+V'))[0]).toMatch(/editing shortcut/);
    expect(hotkeyConflicts(parse('Cmd+V', 'darwin'), 'darwin')[0]).toMatch(/editing shortcut/);
    expect(hotkeyConflicts(parse('A'))[0]).toMatch(/typing key/);
    expect(hotkeyConflicts(parse('Shift+Space'))[0]).toMatch(/typing key/);
    expect(hotkeyConflicts(parse('Ctrl+Alt+F3'), 'linux')[0]).toMatch(/text console/);
  });

  it('finds nothing wrong with a sensible hotkey', () => {
    expect(hotkeyConflicts(parse('Ctrl+Alt+Space'))).toEqual([]);
    expect(hotkeyConflicts(parse('F9'))).toEqual([]);
  });
});

describe('describeBinding', () => {
  it('names the modifiers as each platform writes them on its keys', () => {
    const accel = 'CommandOrControl+Alt+Shift+Space';
    expect(describeBinding(parse(accel, 'linux'), 'linux')).toBe('Ctrl+Alt+Shift+Space');
    expect(describeBinding(parse(accel, 'darwin'), 'darwin')).toBe('Option+Shift+Cmd+Space');
    expect(describeBinding(parse('Super+D', 'linux'), 'linux')).toBe('Super+D');
    expect(describeBinding(parse('Super+D', 'win32'), 'win32')).toBe('Win+D');
    expect(describeBinding(parse('RightSuper', 'darwin'), 'darwin')).toBe('Right Cmd');
    expect(describeBinding(parse('RightAlt', 'darwin'), 'darwin')).toBe('Right Option');
    expect(describeBinding(parse('RightSuper', 'win32'), 'win32')).toBe('Right Win');
    expect(parseAccelerator('Shift+RightOption', 'darwin')).toEqual({ ok: false, error: 'Right Option works as a hotkey only on its own ("Shift+RightOption").' });
    expect(hotkeyConflicts(parse('Shift+A', 'darwin'), 'darwin')).toEqual(['Shift+A is a typing key: it would start dictation while you type. Add Ctrl, Option or Cmd.']);
  });

  it('hotkeyLabels: a setting as the platform reads it and as a menu accelerator; an invalid one as written', () => {
    expect(hotkeyLabels('CommandOrControl+Shift+Space', 'darwin')).toEqual({ label: 'Shift+Cmd+Space', menuAccelerator: 'Shift+Super+Space' });
    expect(hotkeyLabels('CommandOrControl+Shift+Space', 'linux')).toEqual({ label: 'Ctrl+Shift+Space', menuAccelerator: 'Control+Shift+Space' });
    expect(hotkeyLabels('RightCtrl', 'linux')).toEqual({ label: 'Right Ctrl', menuAccelerator: null });
    expect(hotkeyLabels('Ctrl+Shift', 'linux')).toEqual({ label: 'Ctrl+Shift', menuAccelerator: null });
  });
});
