// The global hotkey: hold-to-talk needs key-up, which only the native hook gives. Where the hook
// cannot run (no display, Wayland, a failed probe), degrade to Electron's globalShortcut, which
// only toggles, and say so. Never starts the hook where it could abort the process.

import {
  describeBinding, hotkeyConflicts, parseAccelerator, toElectronAccelerator, type HotkeyBinding,
} from './accelerator';
import type { ProbeResult } from './hook-probe';
import { KeystrokeAuditor } from './keystroke-audit';
import { createMatcher, type HotkeyMatcher, type ModifierAloneMatcher, type RawKeyEvent } from './matcher';
import { ModifierTracker } from './modifier-tracker';
import { InputActivityTracker } from './input-activity';
import type { PortalBindResult, PortalShortcutsLike } from './portal-shortcuts';
import type { KeyHook } from './uiohook-source';

/** Electron's globalShortcut, passed in by main. */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface HotkeyHandlers {
  down(): void;
  up(): void;
  /** The globalShortcut fallback has only presses. */
  toggle(): void;
  /** Escape while a dictation runs (see setCancelArmed). */
  cancel(): void;
}

/** The key that cancels a running dictation, as Handy and Whispering have one. */
export const CANCEL_KEY = 'Escape';

export interface HotkeyStatus {
  /** 'portal': the desktop portal's global shortcuts (Wayland), which report releases too. */
  backend: 'hook' | 'portal' | 'shortcut' | 'none';
  /** Whether hold-to-talk (key-up) works; false means presses act as toggles. */
  holdToTalk: boolean;
  accelerator: string;
  /** What degraded and why, for the settings page and tray. */
  message: string | null;
  /** Known clashes, and "taken by another app" when registration failed. */
  conflicts: string[];
  /** Set when the accelerator itself is invalid; nothing is bound then. */
  error: string | null;
}

/**
 * While a grabbed chord's key is down X gives every key to the grab's owner, so a paste sent then
 * never reaches the app: paste-last waits for its key to go up, as the hook sees it (this long at
 * most); the hook's event may come after globalShortcut's, hence a first short look. Without a
 * hook, a typical press's length.
 */
const PASTE_LAST_HOOK_LAG_MS = 30;
const PASTE_LAST_RELEASE_WAIT_MS = 2000;
const PASTE_LAST_BLIND_WAIT_MS = 250;
/** apply() waits this long for the portal (a first binding may wait on the user's dialog). */
const PORTAL_ANSWER_WAIT_MS = 3000;

/** The paste-last-transcript hotkey: a press only, so globalShortcut alone serves it. */
export interface PasteLastStatus {
  accelerator: string;
  /** Pressing it pastes (the shortcut is registered). */
  works: boolean;
  /** Why not, or a known clash, in plain words; null when it simply works. */
  message: string | null;
}

export interface HotkeyServiceOptions {
  handlers: HotkeyHandlers;
  globalShortcut?: GlobalShortcutLike;
  probe: () => Promise<ProbeResult>;
  loadHook: () => Promise<KeyHook>;
  /**
   * Where no hook can run (Wayland), the desktop portal's global shortcuts: connected on the first
   * bind that needs it, kept for later ones. Absent: straight to globalShortcut.
   */
  portal?: () => Promise<PortalShortcutsLike>;
  /** How long apply() waits for the portal's answer before reporting that it waits (default 3 s). */
  portalAnswerWaitMs?: number;
  /** The portal answered after apply() returned: the binding's status now. */
  onLateStatus?: (status: HotkeyStatus) => void;
  platform?: NodeJS.Platform;
}

export class HotkeyService {
  private hook: KeyHook | null = null;
  private hookFailure: string | null = null;
  private portal: PortalShortcutsLike | null = null;
  /** A portal binding was asked for (answered or not) since the last unbind. */
  private portalAsked = false;
  /** Counts unbinds, so a portal answer for a binding since replaced is dropped. */
  private generation = 0;
  private matcher: HotkeyMatcher | ModifierAloneMatcher | null = null;
  private registered: string | null = null;
  private binding: HotkeyBinding | null = null;
  private pasteLastBinding: HotkeyBinding | null = null;
  private pasteLastRegistered: string | null = null;
  /** The hook saw the paste-last chord's key go down and not up yet. */
  private pasteLastDown = false;
  private cancelArmed = false;
  private cancelGrabbed = false;
  private readonly modifiers = new ModifierTracker();
  /** The hook's view of the keys live typing sends (see KeystrokeAudit). */
  readonly keystrokes = new KeystrokeAuditor(() => this.hook !== null, () => this.hotkeyHeld(), () => this.modifiersHeld(),
    () => this.hook !== null && this.modifiers.shortcutHeld);
  /** The user's key and mouse presses since, for spacing consecutive dictations (input-activity.ts). */
  readonly inputActivity = new InputActivityTracker(() => this.hook !== null, () => this.ignoredKeys());
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: HotkeyServiceOptions) {
    this.platform = options.platform ?? process.platform;
  }

  /** Binds (or re-binds) the hotkey; safe to call on every settings change. */
  async apply(accelerator: string): Promise<HotkeyStatus> {
    // A re-bind during a dictation: the cancel grab must not hold a key the new hotkey takes.
    const cancelArmed = this.cancelArmed;
    this.setCancelArmed(false);
    try {
      return await this.bind(accelerator);
    } finally {
      this.setCancelArmed(cancelArmed);
    }
  }

  private async bind(accelerator: string): Promise<HotkeyStatus> {
    this.unbind();
    const parsed = parseAccelerator(accelerator, this.platform);
    if (!parsed.ok) {
      return { backend: 'none', holdToTalk: false, accelerator, message: null, conflicts: [], error: parsed.error };
    }
    const binding = parsed.binding;
    this.binding = binding;
    const conflicts = hotkeyConflicts(binding, this.platform);
    const hook = await this.ensureHook();
    if (hook && binding.modifierOnly) {
      // A modifier alone cannot be grabbed (globalShortcut needs a key); it reaches the focused
      // app too, which does nothing with a lone modifier.
      this.matcher = createMatcher(binding, () => this.options.handlers.down(), () => this.options.handlers.up());
      this.keystrokes.setHotkey(binding, false);
      return { backend: 'hook', holdToTalk: true, accelerator, message: null, conflicts, error: null };
    }
    if (hook) {
      this.matcher = createMatcher(binding, () => this.options.handlers.down(), () => this.options.handlers.up());
      // Also grab it through globalShortcut when we can, so the key does not reach the focused app,
      // and so a clash with another app's shortcut is detected.
      const reserved = this.reserve(binding, () => undefined);
      if (reserved === 'taken') conflicts.push(`${this.describe(binding)} is already taken by another application.`);
      // Either way an X11 key grab holds the chord now (ours or the other app's).
      this.keystrokes.setHotkey(binding, this.platform === 'linux' && reserved !== 'unsupported');
      return { backend: 'hook', holdToTalk: true, accelerator, message: null, conflicts, error: null };
    }
    const reason = this.hookFailure ?? 'the global key hook is unavailable';
    const viaPortal = this.bindPortal(binding);
    if (!viaPortal) return this.withoutHook(binding, accelerator, conflicts, reason);
    // The desktop may first ask the user to confirm the binding in a dialog: the app must not wait
    // on that (main binds before it shows the tray), so past a moment the answer comes later.
    const generation = this.generation;
    const answered = (result: PortalBindResult): HotkeyStatus => {
      if (!result.ok) return this.withoutHook(binding, accelerator, conflicts, `${reason}, and ${result.reason}`);
      const asked = this.describe(binding);
      const message = result.trigger && result.trigger.replace(/\s+/g, '').toLowerCase() !== asked.toLowerCase()
        ? `The desktop bound dictation to ${result.trigger}.` : null;
      return { backend: 'portal', holdToTalk: true, accelerator, message, conflicts, error: null };
    };
    const first = await Promise.race([viaPortal, new Promise<null>((r) => setTimeout(() => r(null), this.options.portalAnswerWaitMs ?? PORTAL_ANSWER_WAIT_MS))]);
    if (first) return answered(first);
    void viaPortal.then((result) => {
      if (generation === this.generation) this.options.onLateStatus?.(answered(result));
    });
    return {
      backend: 'none', holdToTalk: false, accelerator, conflicts, error: null,
      message: 'Confirm the shortcut in the desktop’s dialog: until then it does nothing.',
    };
  }

  /** Without a hook or the portal: globalShortcut's presses toggle dictation. */
  private withoutHook(binding: HotkeyBinding, accelerator: string, conflicts: string[], reason: string): HotkeyStatus {
    if (binding.modifierOnly) {
      return {
        backend: 'none', holdToTalk: false, accelerator, conflicts, error: null,
        message: `${this.describe(binding)} alone works only with the key hook (${reason}); choose a key with modifiers, e.g. Ctrl+Shift+Space.`,
      };
    }
    const fallback = this.reserve(binding, () => this.options.handlers.toggle());
    if (fallback === 'ok') {
      return {
        backend: 'shortcut', holdToTalk: false, accelerator, conflicts, error: null,
        message: `Hold-to-talk is unavailable (${reason}); the hotkey toggles dictation instead.`,
      };
    }
    if (fallback === 'taken') conflicts.push(`${this.describe(binding)} is already taken by another application.`);
    return {
      backend: 'none', holdToTalk: false, accelerator, conflicts, error: null,
      message: `No global hotkey: ${reason}${fallback === 'taken' ? ', and the shortcut is taken' : ''}. Use the tray menu or the window to dictate.`,
    };
  }

  /** The binding through the desktop portal, where one is offered; null when none is. */
  private bindPortal(binding: HotkeyBinding): Promise<PortalBindResult> | null {
    const connect = this.options.portal;
    if (!connect || binding.modifierOnly) return null;
    const { handlers } = this.options;
    this.portalAsked = true;
    const generation = this.generation;
    return (async (): Promise<PortalBindResult> => {
      try {
        if (this.portal?.isClosed()) this.portal = null; // the bus went away: connect again
        this.portal ??= await connect();
      } catch (err) {
        return { ok: false, reason: `the desktop portal's global shortcuts are unavailable (${err instanceof Error ? err.message : String(err)})` };
      }
      // Replaced while connecting: nothing to bind.
      if (generation !== this.generation) return { ok: false, reason: 'another binding replaced it' };
      return this.portal.bind(binding, { down: () => handlers.down(), up: () => handlers.up() });
    })();
  }

  /**
   * Binds the paste-last hotkey ('' = none) to `onPress`, through globalShortcut: its grab keeps
   * the chord from the focused app, which is where the text goes. Bind the dictation hotkey first:
   * the same chord for both is refused here.
   */
  applyPasteLast(accelerator: string, onPress: () => void): PasteLastStatus | null {
    this.unbindPasteLast();
    if (accelerator.trim() === '') return null;
    const failed = (message: string): PasteLastStatus => ({ accelerator, works: false, message });
    const parsed = parseAccelerator(accelerator, this.platform);
    if (!parsed.ok) return failed(parsed.error);
    const binding = parsed.binding;
    const name = this.describe(binding);
    if (binding.modifierOnly) return failed(`${name} alone cannot paste: choose a key with modifiers, e.g. Ctrl+Alt+V.`);
    if (this.binding && this.describe(this.binding) === name) return failed(`${name} is the dictation hotkey; choose another key for pasting.`);
    const shortcut = this.options.globalShortcut;
    if (!shortcut) return failed('Global shortcuts are unavailable here.');
    const electronName = toElectronAccelerator(binding);
    let registered = false;
    try {
      registered = shortcut.register(electronName, () => this.afterPasteLastRelease(onPress));
    } catch {
      registered = false;
    }
    if (!registered) return failed(`${name} is already taken by another application.`);
    this.pasteLastRegistered = electronName;
    this.pasteLastBinding = binding;
    const conflicts = hotkeyConflicts(binding, this.platform);
    return { accelerator, works: true, message: conflicts.length > 0 ? conflicts.join(' ') : null };
  }

  private afterPasteLastRelease(run: () => void): void {
    if (!this.hook) {
      setTimeout(run, PASTE_LAST_BLIND_WAIT_MS);
      return;
    }
    const deadline = Date.now() + PASTE_LAST_RELEASE_WAIT_MS;
    const check = () => {
      if (this.pasteLastDown && Date.now() < deadline) setTimeout(check, 10);
      else run();
    };
    setTimeout(check, PASTE_LAST_HOOK_LAG_MS);
  }

  /**
   * While armed (a dictation runs), Escape without modifiers cancels it. The key is grabbed for
   * that time where globalShortcut can, so the focused app does not also take it (a dialog closed
   * by the Escape meant for the dictation); the rest of the time Escape is the app's. Not armed
   * when Escape itself is the hotkey.
   */
  setCancelArmed(armed: boolean): void {
    const on = armed && !this.cancelIsHotkey();
    if (on === this.cancelArmed) return;
    this.cancelArmed = on;
    const shortcut = this.options.globalShortcut;
    if (on && shortcut) {
      try {
        // With the hook, the hook's event cancels (one path for both); the grab only holds the key.
        this.cancelGrabbed = shortcut.register(CANCEL_KEY, () => { if (!this.hook) this.options.handlers.cancel(); });
      } catch {
        this.cancelGrabbed = false;
      }
    } else if (!on && this.cancelGrabbed) {
      this.cancelGrabbed = false;
      try {
        shortcut?.unregister(CANCEL_KEY);
      } catch {
        // already gone
      }
    }
  }

  /** Whether Escape cancels a dictation here now (armed, and something will hear the key). */
  get cancelWorks(): boolean {
    return this.cancelArmed && (this.hook !== null || this.cancelGrabbed);
  }

  /** Whether the user holds a modifier key now (false when there is no hook to tell). */
  modifiersHeld(): boolean {
    return this.hook !== null && this.modifiers.anyHeld;
  }

  /**
   * Whether the user holds the hotkey's key now. On X11 its key grab (globalShortcut's, or another
   * app's) then takes every key, typed ones too, until that key goes up.
   */
  hotkeyHeld(): boolean {
    return this.matcher?.isHeld ?? false;
  }

  stop(): void {
    this.setCancelArmed(false);
    this.unbind();
    this.unbindPasteLast();
    this.portal?.close();
    this.portal = null;
    this.modifiers.reset();
    if (this.hook) {
      try {
        this.hook.stop();
      } catch {
        // stopping a hook that already died is fine
      }
      this.hook = null;
    }
  }

  /** Probed again on every apply() while it fails, so a permission granted meanwhile is picked up. */
  private async ensureHook(): Promise<KeyHook | null> {
    if (this.hook) return this.hook;
    this.hookFailure = null;
    const probe = await this.options.probe();
    if (!probe.ok) {
      this.hookFailure = probe.reason ?? 'the global key hook is unavailable';
      return null;
    }
    try {
      const hook = await this.options.loadHook();
      hook.start((event: RawKeyEvent) => {
        this.modifiers.handle(event);
        this.keystrokes.handle(event);
        this.inputActivity.key(event);
        if (this.pasteLastBinding && event.key === this.pasteLastBinding.key) this.pasteLastDown = event.type === 'down';
        this.matcher?.handle(event);
        if (this.cancelArmed && event.type === 'down' && event.key === CANCEL_KEY && event.modifiers.size === 0) this.options.handlers.cancel();
      }, () => this.inputActivity.pointer());
      this.hook = hook;
      return hook;
    } catch (err) {
      this.hookFailure = `the global key hook failed to start (${err instanceof Error ? err.message : String(err)})`;
      return null;
    }
  }

  /** A binding as this platform labels its keys (messages, and the paste-last chord's comparison). */
  private describe(binding: HotkeyBinding): string {
    return describeBinding(binding, this.platform);
  }

  private reserve(binding: HotkeyBinding, callback: () => void): 'ok' | 'taken' | 'unsupported' {
    const shortcut = this.options.globalShortcut;
    if (!shortcut) return 'unsupported';
    const accelerator = toElectronAccelerator(binding);
    try {
      if (!shortcut.register(accelerator, callback)) return 'taken';
    } catch {
      return 'taken';
    }
    this.registered = accelerator;
    return 'ok';
  }

  /**
   * Keys whose presses are ours to act on, not the user's typing: the hotkeys' keys and, while
   * armed, Escape. (Pasting the last transcript goes on after what was there, like a dictation.)
   */
  private ignoredKeys(): ReadonlySet<string> {
    const keys = new Set<string>();
    if (this.binding?.key) keys.add(this.binding.key);
    if (this.pasteLastBinding?.key) keys.add(this.pasteLastBinding.key);
    if (this.cancelArmed) keys.add(CANCEL_KEY);
    return keys;
  }

  private cancelIsHotkey(): boolean {
    return this.binding?.key === CANCEL_KEY && this.binding.modifiers.size === 0;
  }

  private unbindPasteLast(): void {
    if (this.pasteLastRegistered && this.options.globalShortcut) {
      try {
        this.options.globalShortcut.unregister(this.pasteLastRegistered);
      } catch {
        // already gone
      }
    }
    this.pasteLastRegistered = null;
    this.pasteLastBinding = null;
    this.pasteLastDown = false;
  }

  private unbind(): void {
    this.generation += 1;
    // Also one still waiting on the user's dialog: its session goes, so a late yes binds nothing.
    if (this.portalAsked) this.portal?.unbind();
    this.portalAsked = false;
    this.matcher?.reset();
    this.matcher = null;
    this.binding = null;
    this.keystrokes.setHotkey(null);
    if (this.registered && this.options.globalShortcut) {
      try {
        this.options.globalShortcut.unregister(this.registered);
      } catch {
        // already gone
      }
    }
    this.registered = null;
  }
}
