// Key presses → the Keys field's accelerator (Electron syntax, as electron/core/hotkey/accelerator.ts
// reads it), for recording a shortcut by pressing it. By KeyboardEvent.code, so the key's place
// decides, as it does for the global hook.

/** What the recorder needs of a KeyboardEvent. */
export interface KeyPress {
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

const NAMED: Record<string, string> = {
  Space: 'Space', Enter: 'Enter', Tab: 'Tab', Backspace: 'Backspace', Insert: 'Insert', Delete: 'Delete',
  Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown',
  ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right',
  Semicolon: ';', Equal: '=', Comma: ',', Minus: '-', Period: '.', Slash: '/', Backquote: '`',
  BracketLeft: '[', Backslash: '\\', BracketRight: ']', Quote: "'",
};

/** Right-hand modifiers that can be the hotkey alone, by code. */
export const ALONE_MODIFIERS: Record<string, string> = {
  ControlRight: 'RightCtrl', AltRight: 'RightAlt', ShiftRight: 'RightShift', MetaRight: 'RightSuper',
};

/** The key's name in an accelerator, or null for a modifier or a key the hotkey cannot use. */
export function keyName(code: string): string | null {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return letter[1];
  const digit = /^Digit([0-9])$/.exec(code);
  if (digit) return digit[1];
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(code)) return code;
  return NAMED[code] ?? null;
}

/** The accelerator of a press of a key with its modifiers held, e.g. "Ctrl+Shift+Space"; null for a modifier alone. */
export function acceleratorOf(press: KeyPress): string | null {
  const key = keyName(press.code);
  if (!key) return null;
  const mods = [press.ctrlKey && 'Ctrl', press.altKey && 'Alt', press.shiftKey && 'Shift', press.metaKey && 'Super'].filter(Boolean);
  return [...mods, key].join('+');
}

/** How many modifiers a press holds (a modifier's own press counts itself). */
export function modifierCount(press: KeyPress): number {
  return [press.ctrlKey, press.altKey, press.shiftKey, press.metaKey].filter(Boolean).length;
}
