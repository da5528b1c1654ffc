// Hotkeys as the user writes them (Electron accelerator syntax, e.g. "CommandOrControl+Shift+Space")
// parsed into one key plus modifiers, checked for conflicts, and written back for globalShortcut.

export type Modifier = 'ctrl' | 'alt' | 'shift' | 'meta';

export interface HotkeyBinding {
  modifiers: ReadonlySet<Modifier>;
  /** Canonical key name, e.g. 'Space', 'F9', 'D', 'Semicolon'; for a modifier alone, the hook's name ('CtrlRight'). */
  key: string;
  /** A right-hand modifier alone (RightCtrl, …): only the key hook can see it, and a chord with it is not a press. */
  modifierOnly?: boolean;
}

/**
 * Right-hand modifiers that work as a hotkey alone (hold to talk, tap to toggle): users ask for
 * them, and they are rarely part of shortcuts. The value is the key hook's name for the key.
 */
const MODIFIER_ONLY_KEYS: Record<string, string> = {
  rightctrl: 'CtrlRight', rightcontrol: 'CtrlRight', rightalt: 'AltRight', rightoption: 'AltRight',
  rightshift: 'ShiftRight', rightsuper: 'MetaRight', rightmeta: 'MetaRight', rightcmd: 'MetaRight', rightcommand: 'MetaRight',
};
/** How each platform names the modifiers on its keys (and in its menus). */
const MODIFIER_NAMES: Record<'darwin' | 'win32' | 'other', Record<Modifier, string>> = {
  darwin: { ctrl: 'Ctrl', alt: 'Option', shift: 'Shift', meta: 'Cmd' },
  win32: { ctrl: 'Ctrl', alt: 'Alt', shift: 'Shift', meta: 'Win' },
  other: { ctrl: 'Ctrl', alt: 'Alt', shift: 'Shift', meta: 'Super' },
};
const MODIFIER_OF_RIGHT_KEY: Record<string, Modifier> = { CtrlRight: 'ctrl', AltRight: 'alt', ShiftRight: 'shift', MetaRight: 'meta' };

function modifierNames(platform: NodeJS.Platform): Record<Modifier, string> {
  return MODIFIER_NAMES[platform === 'darwin' || platform === 'win32' ? platform : 'other'];
}

export type ParseResult = { ok: true; binding: HotkeyBinding } | { ok: false; error: string };

const MODIFIER_ALIASES: Record<string, Modifier | 'cmdOrCtrl'> = {
  ctrl: 'ctrl', control: 'ctrl', alt: 'alt', option: 'alt', altgr: 'alt', shift: 'shift',
  meta: 'meta', super: 'meta', cmd: 'meta', command: 'meta', win: 'meta',
  commandorcontrol: 'cmdOrCtrl', cmdorctrl: 'cmdOrCtrl',
};

const NAMED_KEYS: Record<string, string> = {
  space: 'Space', tab: 'Tab', enter: 'Enter', return: 'Enter', escape: 'Escape', esc: 'Escape',
  backspace: 'Backspace', insert: 'Insert', delete: 'Delete', del: 'Delete', home: 'Home', end: 'End',
  pageup: 'PageUp', pagedown: 'PageDown', up: 'ArrowUp', down: 'ArrowDown', left: 'ArrowLeft', right: 'ArrowRight',
  capslock: 'CapsLock', printscreen: 'PrintScreen', scrolllock: 'ScrollLock', numlock: 'NumLock',
  ';': 'Semicolon', '=': 'Equal', ',': 'Comma', '-': 'Minus', '.': 'Period', '/': 'Slash', '`': 'Backquote',
  '[': 'BracketLeft', '\\': 'Backslash', ']': 'BracketRight', "'": 'Quote', plus: 'Equal',
};

/** Electron's spelling of each canonical key, for globalShortcut. */
const ELECTRON_NAMES: Record<string, string> = {
  ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right', Enter: 'Return',
  Semicolon: ';', Equal: '=', Comma: ',', Minus: '-', Period: '.', Slash: '/', Backquote: '`',
  BracketLeft: '[', Backslash: '\\', BracketRight: ']', Quote: "'",
};

export function parseAccelerator(accelerator: string, platform: NodeJS.Platform = process.platform): ParseResult {
  if (typeof accelerator !== 'string' || accelerator.trim() === '' || accelerator.length > 100) {
    return { ok: false, error: 'The hotkey is empty.' };
  }
  // "+" alone as the key is written "Plus"; split keeps empty parts we can report.
  const parts = accelerator.split('+').map((p) => p.trim());
  const alone = parts.map((p) => MODIFIER_ONLY_KEYS[p.toLowerCase()]).find(Boolean);
  if (alone) {
    if (parts.length > 1) return { ok: false, error: `Right ${modifierNames(platform)[MODIFIER_OF_RIGHT_KEY[alone]]} works as a hotkey only on its own ("${accelerator}").` };
    return { ok: true, binding: { modifiers: new Set(), key: alone, modifierOnly: true } };
  }
  const modifiers = new Set<Modifier>();
  let key: string | null = null;
  for (const part of parts) {
    if (part === '') return { ok: false, error: `"${accelerator}" has an empty part (write "Plus" for the + key).` };
    const lower = part.toLowerCase();
    const modifier = MODIFIER_ALIASES[lower];
    if (modifier) {
      modifiers.add(modifier === 'cmdOrCtrl' ? (platform === 'darwin' ? 'meta' : 'ctrl') : modifier);
      continue;
    }
    const canonical = canonicalKey(part);
    if (!canonical) return { ok: false, error: `"${part}" is not a key this app knows.` };
    if (key) return { ok: false, error: `"${accelerator}" has two keys (${key} and ${canonical}); use one key plus modifiers.` };
    key = canonical;
  }
  if (!key) return { ok: false, error: `"${accelerator}" has only modifiers; add a key (e.g. Space or F9).` };
  return { ok: true, binding: { modifiers, key } };
}

function canonicalKey(part: string): string | null {
  const lower = part.toLowerCase();
  if (NAMED_KEYS[lower]) return NAMED_KEYS[lower];
  if (/^[a-z]$/i.test(part)) return part.toUpperCase();
  if (/^[0-9]$/.test(part)) return part;
  const f = /^f([1-9]|1[0-9]|2[0-4])$/i.exec(part);
  if (f) return `F${f[1]}`;
  return null;
}

export function toElectronAccelerator(binding: HotkeyBinding): string {
  const order: [Modifier, string][] = [['ctrl', 'Control'], ['alt', 'Alt'], ['shift', 'Shift'], ['meta', 'Super']];
  const mods = order.filter(([m]) => binding.modifiers.has(m)).map(([, name]) => name);
  return [...mods, ELECTRON_NAMES[binding.key] ?? binding.key].join('+');
}

/** The binding as people read it on this platform: "Ctrl+Shift+Space", "Cmd+Shift+Space", "Right Ctrl". */
export function describeBinding(binding: HotkeyBinding, platform: NodeJS.Platform = process.platform): string {
  const names = modifierNames(platform);
  if (binding.modifierOnly) {
    const modifier = MODIFIER_OF_RIGHT_KEY[binding.key];
    return modifier ? `Right ${names[modifier]}` : binding.key;
  }
  const order: Modifier[] = ['ctrl', 'alt', 'shift', 'meta'];
  return [...order.filter((m) => binding.modifiers.has(m)).map((m) => names[m]), binding.key].join('+');
}

/**
 * A hotkey setting as this platform's people read it, and the accelerator a menu can show for it
 * (null for a lone right-hand modifier, which menus cannot show); an invalid one reads as written.
 */
export function hotkeyLabels(accelerator: string, platform: NodeJS.Platform = process.platform): { label: string; menuAccelerator: string | null } {
  const parsed = parseAccelerator(accelerator, platform);
  if (!parsed.ok) return { label: accelerator, menuAccelerator: null };
  const { binding } = parsed;
  return { label: describeBinding(binding, platform), menuAccelerator: binding.modifierOnly ? null : toElectronAccelerator(binding) };
}

const TYPING_KEYS = /^([A-Z0-9]|Space|Tab|Enter|Backspace|Semicolon|Equal|Comma|Minus|Period|Slash|Backquote|BracketLeft|Backslash|BracketRight|Quote)$/;

/** Keys that type text (or edit it): live typing presses them too. */
export function isTypingKey(key: string): boolean {
  return TYPING_KEYS.test(key);
}

const KEY_OF_CHAR: Record<string, string> = {
  ' ': 'Space', '\t': 'Tab', '\n': 'Enter', ';': 'Semicolon', ':': 'Semicolon', '=': 'Equal', '+': 'Equal', ',': 'Comma', '<': 'Comma',
  '-': 'Minus', _: 'Minus', '.': 'Period', '>': 'Period', '/': 'Slash', '?': 'Slash', '`': 'Backquote', '~': 'Backquote',
  '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
  '[': 'BracketLeft', '{': 'BracketLeft', '\\': 'Backslash', '|': 'Backslash', ']': 'BracketRight', '}': 'BracketRight', "'": 'Quote', '"': 'Quote',
};

/** The key that types `char` on a US layout (canonical name), or null. Other layouts may differ. */
export function keyOfChar(char: string): string | null {
  if (/^[a-z]$/i.test(char)) return char.toUpperCase();
  if (/^[0-9]$/.test(char)) return char;
  return KEY_OF_CHAR[char] ?? null;
}

/** Known clashes with the system, input methods and everyday shortcuts; [] when none are known. */
export function hotkeyConflicts(binding: HotkeyBinding, platform: NodeJS.Platform = process.platform): string[] {
  const m = binding.modifiers;
  const only = (...mods: Modifier[]): boolean => m.size === mods.length && mods.every((x) => m.has(x));
  const conflicts: string[] = [];
  const name = describeBinding(binding, platform);
  const names = modifierNames(platform);
  if (binding.modifierOnly) {
    if (binding.key === 'AltRight' && platform !== 'darwin') conflicts.push('Right Alt is AltGr on many keyboard layouts (for €, @, accents): choose Right Ctrl there.');
    return conflicts;
  }
  if ((m.size === 0 || only('shift')) && isTypingKey(binding.key)) {
    conflicts.push(`${name} is a typing key: it would start dictation while you type. Add ${names.ctrl}, ${names.alt} or ${names.meta}.`);
  }
  if (only('ctrl') && binding.key === 'Space') conflicts.push('Ctrl+Space switches the input method (IBus, Fcitx, Windows IME).');
  if (only('meta') && binding.key === 'Space') conflicts.push(platform === 'darwin' ? 'Cmd+Space opens Spotlight.' : 'Super+Space switches the keyboard layout on GNOME and Windows.');
  if (only('alt') && binding.key === 'Space') conflicts.push('Alt+Space opens the window menu.');
  if (only('alt') && binding.key === 'Tab') conflicts.push('Alt+Tab switches windows.');
  if (only('alt') && binding.key === 'F4') conflicts.push('Alt+F4 closes the window.');
  if (only('ctrl', 'alt') && binding.key === 'Delete') conflicts.push('Ctrl+Alt+Delete is reserved by the system.');
  if (platform === 'linux' && only('ctrl', 'alt') && /^F([1-9]|1[0-2])$/.test(binding.key)) {
    conflicts.push(`${name} switches to a text console on Linux.`);
  }
  const editing = platform === 'darwin' ? only('meta') : only('ctrl');
  if (editing && /^[ACSVXYZ]$/.test(binding.key)) conflicts.push(`${name} is an editing shortcut every app uses (copy, paste, undo, …).`);
  return conflicts;
}
