// Dictating into any app, assembled: the global hotkey feeds the coordinator, the coordinator
// drives the dictation service and the inserter. Main creates one of these with the Electron
// pieces passed in (globalShortcut, clipboard, accessibility check) and shows its state in the
// tray and overlay; everything here is plain Node so tests drive it directly.

import { canonicalAppName } from '../../common/app-insertion-rules';
import type { AppInsertionRule, DesktopStatus, HotkeyMode, InsertionMode } from '../../common/ipc-contract';
import type { DictationService } from '../app/services';
import {
  HotkeyService, loadUiohook, probeHook, type GlobalShortcutLike, type HotkeyStatus, type KeyHook, type PasteLastStatus, type PortalShortcutsLike,
  type ProbeResult,
} from '../hotkey';
import {
  ClipboardLender, detectPlatformInsertion, DictationSpacing, RETURN_AFTER_MS, Inserter, NodeCommandRunner, type CommandRunner, type ElectronClipboardApi, type PlatformInsertion,
} from '../insertion';
import { DictationCoordinator } from './coordinator';
import type { DictationPort, PartialUpdate } from './types';

/** The dictation controller as the coordinator needs it. */
export function dictationPortFrom(
  service: Pick<DictationService, 'start' | 'stop' | 'cancel' | 'onEvent'> & Partial<Pick<DictationService, 'status'>>,
): DictationPort {
  return {
    // Asked only while the coordinator is idle, so a live mic dictation is one the window started.
    runningElsewhere: () => {
      const status = service.status?.();
      return status !== undefined && status.source === 'mic' && ['loading', 'listening', 'finishing'].includes(status.state);
    },
    start: async () => { await service.start(); },
    stop: async () => ({ text: (await service.stop())?.text ?? '' }),
    cancel: async () => { await service.cancel(); },
    onPartial: (listener: (update: PartialUpdate) => void) => service.onEvent((event) => {
      if (event.name === 'partial') listener({ text: event.payload.text, appended: event.payload.appended });
    }),
  };
}

/**
 * Hands-free through the coordinator, so a hotkey-style dictation's text is inserted: VAD silence
 * ends a dictation the coordinator runs (else the service stops it itself), and start-on-speech
 * starts a latched one from idle (else, e.g. while a previous text is being inserted, the service
 * re-arms). Returns the disconnect.
 */
export function routeVoiceActivity(
  service: Pick<DictationService, 'setVoiceStopHandler' | 'setVoiceStartHandler'> & Partial<Pick<DictationService, 'onEvent'>>,
  coordinator: DictationCoordinator,
): () => void {
  // A dictation it runs may end elsewhere (the window's Stop or Cancel, a lost microphone, an
  // error): the coordinator must hear of it, or it stays 'recording' and declines every onset.
  const offState = service.onEvent?.((event) => {
    if (event.name !== 'state' || (event.payload.state !== 'idle' && event.payload.state !== 'error')) return;
    coordinator.endedElsewhere(event.payload.state === 'error' ? (event.payload.error?.message ?? 'The dictation failed') : null);
  });
  service.setVoiceStopHandler?.(() => {
    const { state } = coordinator.snapshot();
    if (state !== 'recording' && state !== 'arming') return false;
    coordinator.silenceStop();
    return true;
  });
  service.setVoiceStartHandler?.(() => {
    if (coordinator.snapshot().state !== 'idle') return false;
    coordinator.speechStart();
    return true;
  });
  return () => {
    offState?.();
    service.setVoiceStopHandler?.(null);
    service.setVoiceStartHandler?.(null);
  };
}

export interface DictateAnywhereSettings {
  /** pasteLast: the paste-last-transcript hotkey ('' or absent = none). */
  hotkey: { accelerator: string; mode: HotkeyMode; pasteLast?: string };
  insertion: { mode: InsertionMode; spaceBetween?: boolean; perApp?: AppInsertionRule[] };
}

export interface DictateAnywhereOptions {
  port: DictationPort;
  settings: () => DictateAnywhereSettings;
  globalShortcut?: GlobalShortcutLike;
  electronClipboard?: ElectronClipboardApi;
  /** The offer helpers the app ships (PlatformOptions.x11OfferHelper, waylandOfferHelper). */
  x11OfferHelper?: string | null;
  waylandOfferHelper?: string | null;
  accessibilityTrusted?: () => boolean;
  runner?: CommandRunner;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  probe?: () => Promise<ProbeResult>;
  loadHook?: () => Promise<KeyHook>;
  /** Wayland: the desktop portal's global shortcuts, for hold-to-talk (see HotkeyServiceOptions.portal). */
  portal?: () => Promise<PortalShortcutsLike>;
  /** The hotkey's status changed after applySettings() returned (the desktop's dialog was answered). */
  onHotkeyStatus?: (status: HotkeyStatus) => void;
  /** See HotkeyServiceOptions.portalAnswerWaitMs. */
  portalAnswerWaitMs?: number;
  /** What paste-last inserts (main: the newest dictation in History); default: the last one delivered here. */
  lastTranscript?: () => string | null;
  /** The apps dictated into changed (most recent first), for per-app rules in Settings. */
  onRecentApps?: (apps: string[]) => void;
}

/** How many apps dictated into Settings offers for a rule. */
const RECENT_APPS = 8;

export class DictateAnywhere {
  readonly coordinator: DictationCoordinator;
  private readonly hotkeys: HotkeyService;
  private readonly detect: () => PlatformInsertion;
  /** Pastes' clipboard loans, which may outlive the dictation (and the stores) that opened them. */
  private readonly clipboardLender = new ClipboardLender(RETURN_AFTER_MS,
    (err) => console.warn('Voxtral Dictate: could not give the clipboard back after a paste:', err));
  private accelerator: string | null = null;
  private pasteLastAccelerator: string | null = null;
  private status: HotkeyStatus | null = null;
  private pasteLast: PasteLastStatus | null = null;
  private recent: string[] = [];
  private readonly offCancel: () => void;

  private constructor(private readonly options: DictateAnywhereOptions) {
    const platform = options.platform ?? process.platform;
    const env = options.env ?? process.env;
    const runner = options.runner ?? new NodeCommandRunner(env);
    this.detect = () => detectPlatformInsertion({
      runner, platform, env, electronClipboard: options.electronClipboard,
      x11OfferHelper: options.x11OfferHelper, waylandOfferHelper: options.waylandOfferHelper,
      accessibilityTrusted: options.accessibilityTrusted,
      keystrokeAudit: this.hotkeys.keystrokes, clipboardLender: this.clipboardLender,
    });
    // Live typing waits while the user holds modifiers (a chord's letters would be shortcuts), and
    // while the hotkey's key is down: its grab takes every key then (push-to-talk types on release).
    const inserter = new Inserter({
      platform: this.detect,
      mode: () => options.settings().insertion.mode,
      mayTypeNow: () => !this.hotkeys.modifiersHeld(),
      keysTaken: () => this.hotkeys.hotkeyHeld(),
      // The hook (created below; read per dictation) tells whether the user moved the caret since.
      spacing: new DictationSpacing({ serial: () => this.hotkeys.inputActivity.serial(), holdOwnInput: () => this.hotkeys.inputActivity.holdOwnInput() }),
      spaceBetween: () => options.settings().insertion.spaceBetween ?? true,
      appRules: () => options.settings().insertion.perApp ?? [],
      onFocusedApp: (app) => {
        const next = [app.name, ...this.recent.filter((name) => canonicalAppName(name) !== canonicalAppName(app.name))].slice(0, RECENT_APPS);
        if (next.join('\n') === this.recent.join('\n')) return;
        this.recent = next;
        options.onRecentApps?.([...next]);
      },
    });
    this.coordinator = new DictationCoordinator({
      port: options.port, insertion: inserter, hotkeyMode: () => options.settings().hotkey.mode, lastTranscript: options.lastTranscript,
    });
    const coordinator = this.coordinator;
    this.hotkeys = new HotkeyService({
      handlers: {
        down: () => coordinator.hotkeyDown(), up: () => coordinator.hotkeyUp(), toggle: () => coordinator.toggle(), cancel: () => coordinator.cancel(),
      },
      globalShortcut: options.globalShortcut,
      probe: options.probe ?? (async () => (platform === 'darwin' && options.accessibilityTrusted && !options.accessibilityTrusted()
        ? { ok: false, reason: 'macOS has not given Voxtral Dictate the Accessibility permission (System Settings → Privacy & Security → Accessibility)' }
        : probeHook({ platform, env }))),
      loadHook: options.loadHook ?? loadUiohook,
      portal: options.portal,
      portalAnswerWaitMs: options.portalAnswerWaitMs,
      onLateStatus: (status) => {
        this.status = status;
        options.onHotkeyStatus?.(status);
      },
      platform,
    });
    // Escape cancels only while a dictation runs; the rest of the time the key is the apps'.
    this.offCancel = coordinator.onChange((snapshot) => this.hotkeys.setCancelArmed(snapshot.state !== 'idle'));
  }

  static async start(options: DictateAnywhereOptions): Promise<DictateAnywhere> {
    const desk = new DictateAnywhere(options);
    await desk.applySettings();
    return desk;
  }

  /**
   * Re-binds the hotkeys when an accelerator changed (or when forced, e.g. after the user granted
   * a permission the hook needed); mode and insertion are read per press. The paste-last hotkey is
   * bound after the dictation hotkey, which it must not repeat.
   */
  async applySettings(force = false): Promise<HotkeyStatus> {
    const { accelerator, pasteLast = '' } = this.options.settings().hotkey;
    const rebind = force || !this.status || accelerator !== this.accelerator;
    if (rebind) {
      this.accelerator = accelerator;
      this.status = await this.hotkeys.apply(accelerator);
    }
    if (rebind || pasteLast !== this.pasteLastAccelerator) {
      this.pasteLastAccelerator = pasteLast;
      this.pasteLast = this.hotkeys.applyPasteLast(pasteLast, () => this.coordinator.pasteLast());
    }
    return this.status!;
  }

  get hotkeyStatus(): HotkeyStatus | null { return this.status; }
  /** null when no paste-last hotkey is set. */
  get pasteLastStatus(): PasteLastStatus | null { return this.pasteLast; }

  /**
   * Puts the newest dictation (paste-last's) on the clipboard for good: the tray's "Copy last
   * dictation". Through the lent clipboard, so a paste's give-back never lands over it. False when
   * there is nothing to copy or no clipboard here.
   */
  async copyLast(): Promise<boolean> {
    const text = this.coordinator.latestText();
    const clipboard = this.detect().clipboard;
    if (text === null || !clipboard) return false;
    await clipboard.writeText(text);
    return true;
  }

  /**
   * Whether text can reach other apps here, and if not, exactly what is missing; whether per-app
   * rules can tell the focused app (X11), and the apps dictated into lately.
   */
  insertionStatus(): NonNullable<DesktopStatus['insertion']> {
    const platform = this.detect();
    const apps = { knowsApps: platform.available && typeof platform.keys.focusedApp === 'function', recentApps: [...this.recent] };
    return platform.available ? { available: true, detail: platform.description, ...apps } : { available: false, detail: platform.reason, ...apps };
  }

  /** Whether Escape would cancel the running dictation here now (armed, and a hook or grab hears it). */
  get cancelKeyWorks(): boolean { return this.hotkeys.cancelWorks; }

  dispose(): void {
    // A paste's clipboard still lent goes back before the app does.
    void this.clipboardLender.returnAll();
    this.offCancel();
    this.hotkeys.stop();
    this.coordinator.dispose();
  }
}
