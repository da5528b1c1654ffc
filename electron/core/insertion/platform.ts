// Picks how to reach the focused app on this machine, or says exactly what is missing.

import { ClipboardLender } from './clipboard-loan';
import type { CommandRunner } from './command-runner';
import { combineClipboards, ElectronClipboardStore, type ElectronClipboardApi } from './electron-clipboard';
import { AppleScriptKeys, MACOS_ACCESSIBILITY_MESSAGE } from './macos';
import { pasteText } from './paste';
import { InsertionError, type ClipboardStore, type KeystrokeAudit, type PlatformInsertion } from './types';
import { WtypeKeys, YdotoolKeys, waylandMissing } from './wayland';
import { waylandFocusLookup } from './wayland-focus';
import { WlClipboardStore } from './wl-clipboard';
import { SendKeysInjector } from './windows';
import { RELEASE_GRACE_MS } from './offer-server';
import { XclipClipboardStore } from './xclip-clipboard';
import { XdotoolKeys } from './xdotool-keys';

export interface PlatformOptions {
  runner: CommandRunner;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Electron's clipboard and its item class, when running inside the app. */
  electronClipboard?: ElectronClipboardApi;
  /** X11: the path of the offer helper (vxd-x11-offer), when the app has one; else xclip offers. */
  x11OfferHelper?: string | null;
  /** Wayland: the path of vxd-wl-offer, when the app has one; else wl-copy offers. */
  waylandOfferHelper?: string | null;
  /** macOS: systemPreferences.isTrustedAccessibilityClient(false). */
  accessibilityTrusted?: () => boolean;
  /** The global key hook's view of typed keys (X11), so keys that became shortcuts are retyped. */
  keystrokeAudit?: KeystrokeAudit;
  /**
   * Holds pastes' clipboard loans across dictations (the stores are made afresh per call, a loan
   * may outlive one). Without it, a lender for this call alone.
   */
  clipboardLender?: ClipboardLender;
}

export type LinuxSession = 'x11' | 'wayland' | 'none';

export const WL_CLIPBOARD_MISSING = 'Pasting into other apps on Wayland needs wl-clipboard (e.g. `sudo apt install wl-clipboard`): '
  + 'an app in the background cannot set the clipboard itself there.';

export function linuxSession(env: NodeJS.ProcessEnv): LinuxSession {
  if (env.WAYLAND_DISPLAY || env.XDG_SESSION_TYPE === 'wayland') return 'wayland';
  if (env.DISPLAY) return 'x11';
  return 'none';
}

export function detectPlatformInsertion(options: PlatformOptions): PlatformInsertion {
  const { runner } = options;
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const lender = options.clipboardLender ?? new ClipboardLender();
  const electronStore = options.electronClipboard ? new ElectronClipboardStore(options.electronClipboard, platform) : null;
  const electron = electronStore ? lender.lent('clipboard', electronStore) : null;

  if (platform === 'darwin') {
    if (!electron) return { available: false, reason: 'On macOS the clipboard is reached through the app (Electron).', clipboard: null };
    const trusted = options.accessibilityTrusted ?? (() => false);
    if (!trusted()) return { available: false, reason: MACOS_ACCESSIBILITY_MESSAGE, clipboard: electron };
    return { available: true, keys: new AppleScriptKeys(runner, trusted), clipboard: electron, description: 'macOS (System Events)' };
  }
  if (platform === 'win32') {
    if (!electron) return { available: false, reason: 'On Windows the clipboard is reached through the app (Electron).', clipboard: null };
    return { available: true, keys: new SendKeysInjector(runner), clipboard: electron, description: 'Windows (SendKeys)' };
  }
  if (platform !== 'linux') {
    return { available: false, reason: `Inserting text is not supported on ${platform}.`, clipboard: electron };
  }

  const session = linuxSession(env);
  if (session === 'none') {
    return { available: false, reason: 'No graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set), so there is no app to type into.', clipboard: null };
  }
  if (session === 'wayland') {
    const desktop = env.XDG_CURRENT_DESKTOP ?? '';
    // The app is in the background while the user dictates: only wl-clipboard reaches the
    // clipboard then (wl-clipboard.ts), not Electron's.
    const wl = runner.has('wl-copy') && runner.has('wl-paste') ? lender.lent('clipboard', new WlClipboardStore(runner, RELEASE_GRACE_MS, options.waylandOfferHelper ?? null)) : null;
    const missing = waylandMissing((tool) => runner.has(tool), desktop);
    // Without wl-clipboard nothing reaches the clipboard from the background: say so, not "it is on the clipboard".
    if (!wl) return { available: false, reason: [WL_CLIPBOARD_MISSING, missing].filter(Boolean).join(' '), clipboard: null };
    if (missing) return { available: false, reason: `${missing} Until then the text is left on the clipboard.`, clipboard: wl };
    const wlroots = !/gnome|kde|plasma/i.test(desktop);
    const focus = waylandFocusLookup(runner, env);
    const keys = wlroots && runner.has('wtype') ? new WtypeKeys(runner, focus) : new YdotoolKeys(runner, focus);
    return { available: true, keys, clipboard: wl, description: `Wayland (${keys.name}, wl-clipboard${focus ? ', the focused app from the compositor' : ''})` };
  }

  const missingTools = ['xdotool', 'xclip'].filter((tool) => !runner.has(tool));
  const helper = options.x11OfferHelper ?? null;
  const xclip: ClipboardStore | null = runner.has('xclip') ? new XclipClipboardStore(runner, 'clipboard', RELEASE_GRACE_MS, helper) : null;
  if (missingTools.length > 0) {
    return {
      available: false,
      reason: `Typing into other apps on X11 needs ${missingTools.join(' and ')} (e.g. \`sudo apt install ${missingTools.join(' ')}\`). Until then the text is left on the clipboard.`,
      clipboard: electron ?? (xclip && lender.lent('clipboard', xclip)),
    };
  }
  const clipboard = lender.lent('clipboard', electronStore && xclip ? combineClipboards(electronStore, xclip) : (xclip as ClipboardStore));
  // xterm and rxvt paste PRIMARY only; it is borrowed and given back the same way.
  const primary = lender.lent('primary', new XclipClipboardStore(runner, 'primary', RELEASE_GRACE_MS, helper));
  const keys: XdotoolKeys = new XdotoolKeys(runner, async (text) => {
    const report = await pasteText(text, keys, { clipboard, primary });
    // Not read means not inserted: fail, so live typing falls back instead of losing the piece.
    if (report.receipt === 'timeout') throw new InsertionError(`the app did not take the pasted characters "${text}"`);
  }, options.keystrokeAudit ?? null);
  return { available: true, keys, clipboard, primary, description: helper ? 'X11 (xdotool, xclip, vxd-x11-offer)' : 'X11 (xdotool, xclip)' };
}
