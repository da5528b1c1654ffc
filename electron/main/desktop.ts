// Dictation outside the window: the global hotkey, insertion into the focused app, the tray and
// the overlay, all following the core. The pieces live in electron/core/coordinator (plain Node)
// and electron/main/{tray,overlay}.ts; this file only connects them to AppCore and Electron.

import { clipboard, ClipboardItem, globalShortcut, screen, shell, systemPreferences } from 'electron';
import type { DesktopStatus, ViewName } from '../common/ipc-contract';
import type { AppCore } from '../core/app/app-core';
import { DictateAnywhere, dictationPortFrom, routeVoiceActivity, type CoordinatorSnapshot } from '../core/coordinator';
import { hotkeyLabels, PortalShortcuts, type HotkeyStatus, type PasteLastStatus } from '../core/hotkey';
import { findBundledFile } from '../core/app/bundled-file';
import { linuxSession, WAYLAND_OFFER_HELPER, X11_OFFER_HELPER, type ElectronClipboardApi } from '../core/insertion';
import { Overlay } from './overlay';
import { AppTray, trayStateOf, type TrayState } from './tray';

export interface DesktopOptions {
  core: AppCore;
  preloadPath: string;
  showWindow(view: ViewName): void;
  quit(): void;
  log?: (message: string, err?: unknown) => void;
}


export class Desktop {
  private constructor(
    readonly tray: AppTray | null,
    private readonly overlay: Overlay,
    readonly dictateAnywhere: DictateAnywhere | null,
    private readonly disposers: (() => void)[],
  ) {}

  /** Starts what works here; anything that does not (no tray, no hotkey) is reported, not fatal. */
  static async start(options: DesktopOptions): Promise<Desktop> {
    const { core } = options;
    const log = options.log ?? ((message, err) => console.error(`[desktop] ${message}`, err ?? ''));
    const disposers: (() => void)[] = [];

    let dictateAnywhere: DictateAnywhere | null = null;
    let started: Desktop | null = null; // set below; a late hotkey status comes seconds after
    try {
      dictateAnywhere = await DictateAnywhere.start({
        port: dictationPortFrom(core.dictation),
        settings: () => core.settings.get(),
        globalShortcut,
        electronClipboard: electronClipboard(),
        x11OfferHelper: process.platform === 'linux' ? findBundledFile(X11_OFFER_HELPER) : null,
        waylandOfferHelper: process.platform === 'linux' ? findBundledFile(WAYLAND_OFFER_HELPER) : null,
        accessibilityTrusted: process.platform === 'darwin' ? () => systemPreferences.isTrustedAccessibilityClient(false) : undefined,
        // Wayland: hold-to-talk through the desktop portal (globalShortcut there hands on presses only).
        portal: process.platform === 'linux' && linuxSession(process.env) === 'wayland' ? () => PortalShortcuts.connect() : undefined,
        onHotkeyStatus: () => {
          if (!dictateAnywhere) return;
          started?.reportHotkey(dictateAnywhere, core);
          publishDesktopStatus(core, dictateAnywhere);
        },
        // History off: null, and the coordinator pastes the last text it delivered itself.
        lastTranscript: () => (core.settings.get().history.enabled ? core.history.latestText('mic') : null),
        // Settings offers the apps dictated into for per-app modes.
        onRecentApps: () => { if (dictateAnywhere) publishDesktopStatus(core, dictateAnywhere); },
      });
    } catch (err) {
      log('the global hotkey could not start', err);
      core.notify({ kind: 'info', message: `The global hotkey is unavailable: ${(err as Error)?.message ?? err}` });
    }

    const tray = createTray(options, dictateAnywhere, log);
    const overlay = new Overlay(options.preloadPath, () => screen.getPrimaryDisplay().workArea);
    const desktop = new Desktop(tray, overlay, dictateAnywhere, disposers);
    started = desktop;

    // The tray shows the hotkey dictation while one runs, otherwise the core's state (a dictation
    // started in the window), so a live microphone always shows. The overlay is for dictating into
    // other apps: it follows the coordinator, and shows while start-on-speech is armed (the
    // microphone is live then too).
    let snapshot: CoordinatorSnapshot | null = null;
    const followOverlay = () => {
      const enabled = core.settings.get().showOverlay;
      const armed = core.dictation.status().handsFree?.armed === true && (snapshot?.state ?? 'idle') === 'idle';
      if (armed && enabled) overlay.show();
      else if (snapshot) overlay.follow(snapshot, enabled);
      else overlay.hide();
    };
    const updateTray = () => {
      const coordinatorBusy = snapshot !== null && (snapshot.state !== 'idle' || snapshot.error !== null);
      tray?.update({
        state: coordinatorBusy ? trayStateOf(snapshot!) : (core.dictation.status().state as TrayState),
        canCopyLast: dictateAnywhere ? dictateAnywhere.coordinator.latestText() !== null : undefined,
      });
    };
    updateTray();

    if (dictateAnywhere) {
      const desk = dictateAnywhere;
      desktop.reportHotkey(desk, core);
      const insertion = desk.insertionStatus();
      if (!insertion.available) core.notify({ kind: 'info', message: `Text cannot be put into other apps yet: ${insertion.detail}` });
      publishDesktopStatus(core, desk);
      // Hands-free silence ends a hotkey dictation, and speech while armed starts one, through the
      // coordinator, so the text is inserted into the focused app.
      disposers.push(routeVoiceActivity(core.dictation, desk.coordinator));
      let lastError: string | null = null;
      disposers.push(desk.coordinator.onChange((next) => {
        snapshot = next;
        updateTray();
        followOverlay();
        // A hotkey dictation's failure has no window to show it in; say it once as a notice.
        if (next.error && next.error !== lastError) core.notify({ kind: 'info', message: next.error });
        lastError = next.error;
      }));
    }

    const bindings = (hotkey: { accelerator: string; pasteLast: string }) => `${hotkey.accelerator}\n${hotkey.pasteLast}`;
    let lastBindings = bindings(core.settings.get().hotkey);
    disposers.push(
      core.settings.onChange((settings) => {
        tray?.update({ startAtLogin: settings.startAtLogin });
        if (!settings.showOverlay) overlay.hide();
        if (dictateAnywhere && bindings(settings.hotkey) !== lastBindings) {
          lastBindings = bindings(settings.hotkey);
          const desk = dictateAnywhere;
          void desk.applySettings().then(() => {
            desktop.reportHotkey(desk, core);
            publishDesktopStatus(core, desk);
          }, (err) => log('hotkey re-bind failed', err));
        }
      }),
      core.onEvent((event) => {
        if (event.name === 'update') tray?.update({ update: event.payload.latest }); // kept through a re-check or a failed one
        if (event.name === 'history') updateTray(); // "Copy last dictation" follows History
        if (event.name !== 'state') return;
        updateTray();
        followOverlay();
      }),
    );
    return desktop;
  }

  dispose(): void {
    for (const dispose of this.disposers) dispose();
    this.dictateAnywhere?.dispose();
    this.overlay.destroy();
    this.tray?.destroy();
  }

  /** The hotkeys' state in the tray, and any problem as a notice (the window may be closed). */
  private reportHotkey(desk: DictateAnywhere, core: AppCore): void {
    const status = desk.hotkeyStatus;
    const pasteLast = desk.pasteLastStatus;
    if (!status) return;
    const works = status.backend !== 'none' && !status.error;
    const { label, menuAccelerator } = hotkeyLabels(status.accelerator);
    this.tray?.update({ hotkey: works ? label : null, hotkeyAccelerator: works ? menuAccelerator : null, warning: status.error ?? status.message });
    const problem = status.error ?? status.message;
    if (problem) core.notify({ kind: 'info', message: `Hotkey ${label}: ${problem}` });
    if (pasteLast && !pasteLast.works) core.notify({ kind: 'info', message: `Paste-last hotkey ${hotkeyLabels(pasteLast.accelerator).label}: ${pasteLast.message}` });
  }
}

/** What works outside the window, for Settings (the hotkeys, insertion, the apps dictated into). */
function publishDesktopStatus(core: AppCore, desk: DictateAnywhere): void {
  core.setDesktopStatus({ hotkey: hotkeyState(desk.hotkeyStatus, desk.pasteLastStatus), insertion: desk.insertionStatus() });
}

function hotkeyState(status: HotkeyStatus | null, pasteLast: PasteLastStatus | null): DesktopStatus['hotkey'] {
  if (!status) return null;
  return {
    accelerator: status.accelerator,
    label: hotkeyLabels(status.accelerator).label,
    works: status.backend !== 'none' && !status.error,
    holdToTalk: status.holdToTalk,
    message: status.error ?? status.message,
    conflicts: status.conflicts,
    pasteLast: pasteLast ? { ...pasteLast, label: hotkeyLabels(pasteLast.accelerator).label } : null,
  };
}

/**
 * Electron's clipboard (the W3C-shaped one of Electron 44+) and its item class, for the inserter;
 * checked at run time, so an Electron without them leaves insertion saying what is missing.
 */
function electronClipboard(): ElectronClipboardApi | undefined {
  if (typeof clipboard?.read !== 'function' || typeof ClipboardItem !== 'function') return undefined;
  return { clipboard, makeItem: (payloads) => new ClipboardItem(payloads) };
}

function createTray(options: DesktopOptions, desk: DictateAnywhere | null, log: (message: string, err?: unknown) => void): AppTray | null {
  const { core } = options;
  try {
    return new AppTray({
      toggleDictation: () => {
        if (desk) desk.coordinator.toggle();
        else options.showWindow('dictate');
      },
      // The coordinator's dictation if it runs one, else the one the window started.
      cancelDictation: () => {
        if (desk && desk.coordinator.snapshot().state !== 'idle') desk.coordinator.cancel();
        else void core.dictation.cancel().catch((err) => log('cancel from the tray', err));
      },
      openSettings: () => options.showWindow('settings'),
      openHistory: () => options.showWindow('history'),
      copyLast: () => void desk?.copyLast().catch((err) => log('copy the last dictation', err)),
      // The contract lets only https pages through (UpdateStatus.latest.url).
      openUpdate: (url) => void shell.openExternal(url).catch((err) => log('open the release page', err)),
      setStartAtLogin: (enabled) => void core.settings.update({ startAtLogin: enabled }).catch((err) => log('start at login', err)),
      quit: options.quit,
    }, { state: core.dictation.status().state as TrayState, hotkey: null, startAtLogin: core.settings.get().startAtLogin, warning: null });
  } catch (err) {
    log('no system tray here', err); // some Linux desktops have none; the window still works
    return null;
  }
}
