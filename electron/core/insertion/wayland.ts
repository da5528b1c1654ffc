// Wayland: no global input injection for ordinary clients. wtype uses the virtual-keyboard
// protocol (wlroots compositors: Sway, Hyprland, river; not GNOME or KDE); ydotool writes to
// /dev/uinput through its daemon (works everywhere, but needs ydotoold running and access to
// uinput, and sends raw keycodes, so its typing assumes a US layout).

import { runChecked, type CommandRunner } from './command-runner';
import type { FocusedAppKind, KeyInjector } from './types';

export class WtypeKeys implements KeyInjector {
  readonly name = 'wtype';
  constructor(private readonly runner: CommandRunner) {}
  // Wayland does not tell other clients which window has focus.
  async focusedAppKind(): Promise<FocusedAppKind> { return 'app'; }
  async sendPaste(kind: FocusedAppKind): Promise<void> {
    // wtype ships its own keymap, so the keysym "v" is layout-safe.
    const args = kind === 'terminal'
      ? ['-M', 'ctrl', '-M', 'shift', '-k', 'v', '-m', 'shift', '-m', 'ctrl']
      : ['-M', 'ctrl', '-k', 'v', '-m', 'ctrl'];
    await runChecked(this.runner, 'wtype', args);
  }
  async typeText(text: string): Promise<void> {
    await runChecked(this.runner, 'wtype', ['--', text], { timeoutMs: 5000 + text.length * 50 });
  }
  async backspace(count: number): Promise<void> {
    if (count <= 0) return;
    await runChecked(this.runner, 'wtype', Array.from({ length: count }, () => ['-k', 'BackSpace']).flat());
  }
}

/** Linux input-event codes: physical positions, read through the user's layout by the compositor. */
const KEY = { LEFTSHIFT: 42, INSERT: 110, BACKSPACE: 14 } as const;

export class YdotoolKeys implements KeyInjector {
  readonly name = 'ydotool';
  constructor(private readonly runner: CommandRunner) {}
  async focusedAppKind(): Promise<FocusedAppKind> { return 'app'; }
  /**
   * Shift+Insert, not Ctrl+V: ydotool sends positions, and the V position is another letter on
   * Dvorak or AZERTY (Ctrl+K, …), while Insert is Insert on every layout. GTK, Qt, Chromium,
   * Firefox and most terminals paste on Shift+Insert.
   */
  async sendPaste(): Promise<void> {
    const down = [KEY.LEFTSHIFT, KEY.INSERT];
    const events = [...down.map((k) => `${k}:1`), ...[...down].reverse().map((k) => `${k}:0`)];
    await runChecked(this.runner, 'ydotool', ['key', ...events]);
  }
  async typeText(text: string): Promise<void> {
    await runChecked(this.runner, 'ydotool', ['type', '--file', '-'], { input: text, timeoutMs: 5000 + text.length * 50 });
  }
  async backspace(count: number): Promise<void> {
    if (count <= 0) return;
    const events = Array.from({ length: count }, () => [`${KEY.BACKSPACE}:1`, `${KEY.BACKSPACE}:0`]).flat();
    await runChecked(this.runner, 'ydotool', ['key', ...events]);
  }
}

/** Why insertion cannot work on this Wayland desktop, in words a user can act on; null if it can. */
export function waylandMissing(has: (tool: string) => boolean, desktop: string): string | null {
  const wlroots = !/gnome|kde|plasma/i.test(desktop);
  if (wlroots && has('wtype')) return null;
  if (has('ydotool')) return null;
  const hint = wlroots
    ? 'install wtype (e.g. `sudo apt install wtype`), or ydotool with its ydotoold service running'
    : `${desktop || 'this desktop'} does not support wtype's virtual-keyboard protocol: install ydotool and run ydotoold with access to /dev/uinput, or start the app under XWayland (--ozone-platform=x11)`;
  return `Typing into other apps on Wayland needs a helper: ${hint}.`;
}
