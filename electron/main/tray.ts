// The tray icon: dictation state at a glance and the app's menu (start/stop/cancel, settings, history,
// start at login, quit). Icons are drawn here as bitmaps, so no image asset can go missing.
// "Start at login" only flips the setting; electron/main/login-item.ts applies it.

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { CoordinatorSnapshot } from '../core/coordinator';

export type TrayState = 'idle' | 'loading' | 'listening' | 'finishing' | 'error';

export interface TrayActions {
  toggleDictation(): void;
  /** Drops the running dictation: nothing is inserted. */
  cancelDictation(): void;
  openSettings(): void;
  openHistory(): void;
  /** Opens a newer release's page in the browser. */
  openUpdate(url: string): void;
  /** Puts the newest dictation on the clipboard. */
  copyLast(): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

export interface TrayView {
  state: TrayState;
  /** The hotkey as the user sees it, e.g. "Ctrl+Shift+Space"; null when none works. */
  hotkey: string | null;
  /** The same in Electron's accelerator syntax, shown natively by the menu; null where a menu cannot show it (Right Ctrl alone). */
  hotkeyAccelerator?: string | null;
  startAtLogin: boolean;
  /** A degraded hotkey or insertion path, said once in the tooltip. */
  warning: string | null;
  /** A newer release, offered in the menu (the window may never be opened). */
  update?: { version: string; url: string } | null;
  /** "Copy last dictation": undefined where it is not offered, false while there is none. */
  canCopyLast?: boolean;
}

const STATE_LABEL: Record<TrayState, string> = {
  idle: 'Ready',
  loading: 'Loading the model…',
  listening: 'Listening',
  finishing: 'Finishing…',
  error: 'Error',
};

/** RGBA per state: grey when idle, red while listening (a microphone is live), amber when busy. */
const STATE_COLOR: Record<TrayState, [number, number, number]> = {
  idle: [120, 124, 132],
  loading: [217, 160, 30],
  listening: [220, 48, 48],
  finishing: [217, 160, 30],
  error: [170, 40, 160],
};

/** The tray's view of the coordinator: an error shows until the next dictation starts. */
export function trayStateOf(snapshot: CoordinatorSnapshot): TrayState {
  switch (snapshot.state) {
    case 'arming': return 'loading';
    case 'recording': return 'listening';
    case 'finishing':
    case 'inserting': return 'finishing';
    case 'idle': return snapshot.error ? 'error' : 'idle';
  }
}

export function trayMenuTemplate(view: TrayView, actions: TrayActions): MenuItemConstructorOptions[] {
  const busy = view.state === 'loading' || view.state === 'listening' || view.state === 'finishing';
  return [
    { label: `Voxtral Dictate — ${STATE_LABEL[view.state]}`, enabled: false },
    {
      // A hotkey the menu cannot show as an accelerator goes into the label.
      label: (busy ? 'Stop dictation' : 'Start dictation') + (view.hotkey && !view.hotkeyAccelerator ? ` (${view.hotkey})` : ''),
      accelerator: view.hotkeyAccelerator ?? undefined,
      registerAccelerator: false, // the global hotkey is owned by the hotkey service
      click: () => actions.toggleDictation(),
    },
    // Escape does the same while a hotkey dictation runs (shown, not registered: the hotkey service owns it).
    ...(busy ? [{ label: 'Cancel dictation', accelerator: 'Escape', registerAccelerator: false, click: () => actions.cancelDictation() }] : []),
    ...(view.canCopyLast !== undefined ? [{ label: 'Copy last dictation', enabled: view.canCopyLast, click: () => actions.copyLast() }] : []),
    { type: 'separator' },
    ...(view.update ? [{ label: `Version ${view.update.version} is out…`, click: () => actions.openUpdate(view.update!.url) }] : []),
    { label: 'Settings…', click: () => actions.openSettings() },
    { label: 'History…', click: () => actions.openHistory() },
    { label: 'Start at login', type: 'checkbox', checked: view.startAtLogin, click: (item) => actions.setStartAtLogin(item.checked) },
    { type: 'separator' },
    // No role: the app's own quit flushes history and releases the engine first.
    { label: 'Quit Voxtral Dictate', click: () => actions.quit() },
  ];
}

export function trayTooltip(view: TrayView): string {
  const lines = [`Voxtral Dictate — ${STATE_LABEL[view.state]}`];
  if (view.hotkey) lines.push(`Hotkey: ${view.hotkey}`);
  if (view.warning) lines.push(view.warning);
  return lines.join('\n');
}

/** A filled disc (ring when idle) in the state's colour, as BGRA pixels for nativeImage.createFromBitmap. */
export function trayIconBitmap(state: TrayState, size: number): Buffer {
  const [r, g, b] = STATE_COLOR[state];
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  const outer = size / 2 - 1;
  const inner = state === 'idle' ? outer - Math.max(2, size / 8) : -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - centre, y - centre);
      // One pixel of anti-aliasing at each edge.
      const alpha = Math.max(0, Math.min(1, outer + 0.5 - d)) * (inner < 0 ? 1 : Math.max(0, Math.min(1, d - inner + 0.5)));
      const at = (y * size + x) * 4;
      pixels[at] = b;
      pixels[at + 1] = g;
      pixels[at + 2] = r;
      pixels[at + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

function trayIcon(state: TrayState): NativeImage {
  const image = nativeImage.createFromBitmap(trayIconBitmap(state, 16), { width: 16, height: 16, scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, width: 32, height: 32, buffer: trayIconBitmap(state, 32) });
  return image;
}

export class AppTray {
  private readonly tray: Tray;
  private view: TrayView;

  constructor(private readonly actions: TrayActions, initial: TrayView) {
    this.view = initial;
    this.tray = new Tray(trayIcon(initial.state));
    // Left click toggles dictation where the platform reports it (Windows, macOS, some Linux trays).
    this.tray.on('click', () => actions.toggleDictation());
    this.render();
  }

  update(change: Partial<TrayView>): void {
    const next = { ...this.view, ...change };
    // History changes come every half second while one dictates: rebuild the menu (re-exported
    // over D-Bus on Linux) only when something in it changed.
    if (JSON.stringify(next) === JSON.stringify(this.view)) return;
    const iconChanged = next.state !== this.view.state;
    this.view = next;
    if (iconChanged) this.tray.setImage(trayIcon(next.state));
    this.render();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    this.tray.setToolTip(trayTooltip(this.view));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.view, this.actions)));
  }
}
