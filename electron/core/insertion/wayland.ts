// Wayland: no global input injection for ordinary clients. wtype uses the virtual-keyboard
// protocol (wlroots compositors: Sway, Hyprland, river; not GNOME or KDE); ydotool writes to
// /dev/uinput through its daemon (works everywhere, but needs ydotoold running and access to
// uinput, and sends raw keycodes, so its typing assumes a US layout).

import { runChecked, type CommandRunner } from './command-runner';
import { appKindOf } from './terminals';
import type { FocusedApp, FocusedAppKind, KeyInjector } from './types';
import type { WaylandFocusLookup } from './wayland-focus';

/**
 * Wayland tells no client which window has focus; where the compositor answers (sway, Hyprland:
 * wayland-focus.ts) terminals get their paste chord and per-app modes work. Elsewhere every app is
 * an 'app', and focusedApp stays absent (Settings then says per-app modes cannot tell apps apart).
 */
abstract class WaylandKeys {
  readonly focusedApp?: () => Promise<FocusedApp | null>;
  constructor(protected readonly runner: CommandRunner, focus: WaylandFocusLookup | null) {
    if (focus) this.focusedApp = focus;
  }
  async focusedAppKind(): Promise<FocusedAppKind> {
    const app = this.focusedApp ? await this.focusedApp().catch(() => null) : null;
    return app ? appKindOf(app.names) : 'app';
  }
}

export class WtypeKeys extends WaylandKeys implements KeyInjector {
  readonly name = 'wtype';
  constructor(runner: CommandRunner, focus: WaylandFocusLookup | null = null) { super(runner, focus); }
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
const KEY = { LEFTCTRL: 29, LEFTSHIFT: 42, V: 47, INSERT: 110, BACKSPACE: 14 } as const;

export class YdotoolKeys extends WaylandKeys implements KeyInjector {
  readonly name = 'ydotool';
  constructor(runner: CommandRunner, focus: WaylandFocusLookup | null = null) { super(runner, focus); }
  /**
   * Shift+Insert, not Ctrl+V: ydotool sends positions, and the V position is another letter on
   * Dvorak (Ctrl+K), while Insert is Insert on every layout; GTK, Qt, Chromium and Firefox paste
   * the clipboard on it. Terminals (known only where the compositor says which app has focus)
   * paste PRIMARY on Shift+Insert (foot, Alacritty, kitty, Konsole), so they get Ctrl+Shift+V at
   * V's QWERTY position, which QWERTZ, AZERTY and Colemak share.
   */
  async sendPaste(kind: FocusedAppKind = 'app'): Promise<void> {
    const down = kind === 'terminal' ? [KEY.LEFTCTRL, KEY.LEFTSHIFT, KEY.V] : [KEY.LEFTSHIFT, KEY.INSERT];
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
