// Terminals read the clipboard on Ctrl+Shift+V (Ctrl+V is a control character there), except the
// old X terminals (xterm, rxvt), which paste only the PRIMARY selection, on Shift+Insert.
// Matched against the focused window's WM_CLASS (X11) or app id (Wayland), case-insensitively.

import type { FocusedAppKind } from './types';

const TERMINAL_CLASSES = [
  'xterm', 'uxterm', 'urxvt', 'rxvt', 'gnome-terminal', 'gnome-terminal-server', 'konsole', 'yakuake',
  'xfce4-terminal', 'mate-terminal', 'lxterminal', 'qterminal', 'terminator', 'tilix', 'guake', 'tilda',
  'alacritty', 'kitty', 'wezterm', 'org.wezfurlong.wezterm', 'foot', 'footclient', 'st', 'st-256color',
  'sakura', 'terminology', 'cool-retro-term', 'ptyxis', 'org.gnome.ptyxis', 'org.gnome.console', 'kgx',
  'com.mitchellh.ghostty', 'ghostty', 'hyper', 'tabby', 'warp', 'blackbox', 'com.raggesilver.blackbox',
  'deepin-terminal', 'io.elementary.terminal', 'contour', 'rio', 'extraterm', 'zutty', 'eterm', 'aterm',
];

const TERMINALS = new Set(TERMINAL_CLASSES);
/** No CLIPBOARD paste key by default; Shift+Insert pastes PRIMARY. */
const PRIMARY_TERMINALS = new Set(['xterm', 'uxterm', 'rxvt', 'urxvt', 'aterm', 'eterm']);

/** `classes` are the WM_CLASS strings (instance and class) or an app id. */
export function isTerminal(classes: readonly string[]): boolean {
  return classes.some((c) => TERMINALS.has(c.trim().toLowerCase()));
}

export function appKindOf(classes: readonly string[]): FocusedAppKind {
  if (classes.some((c) => PRIMARY_TERMINALS.has(c.trim().toLowerCase()))) return 'primary-terminal';
  return isTerminal(classes) ? 'terminal' : 'app';
}

/** Parses `xprop WM_CLASS` output: WM_CLASS(STRING) = "gnome-terminal-server", "Gnome-terminal". */
export function parseWmClass(xpropOutput: string): string[] {
  const line = xpropOutput.split('\n').find((l) => l.startsWith('WM_CLASS'));
  if (!line) return [];
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
}
