// The dictation overlay: a small always-on-top pill that shows listening state, level and live
// text, and never takes focus (the text must land in the app the user is typing in, so the
// overlay can neither be focused nor clicked: mouse events pass through it).

import { BrowserWindow, type BrowserWindowConstructorOptions, type Rectangle } from 'electron';
import type { CoordinatorSnapshot } from '../core/coordinator';
import { APP_ORIGIN } from './app-origin';
import { mainWindowOptions } from './windows';

export const OVERLAY_URL = `${APP_ORIGIN}/overlay/index.html`;
export const OVERLAY_SIZE = { width: 440, height: 88 } as const;
/** Gap between the overlay and the bottom of the work area (above docks and taskbars). */
const BOTTOM_MARGIN = 48;

/** Bottom centre of the display's work area. */
export function overlayBounds(workArea: Rectangle): Rectangle {
  const width = Math.min(OVERLAY_SIZE.width, workArea.width);
  const height = Math.min(OVERLAY_SIZE.height, workArea.height);
  return {
    x: Math.round(workArea.x + (workArea.width - width) / 2),
    y: Math.round(workArea.y + workArea.height - height - Math.min(BOTTOM_MARGIN, workArea.height - height)),
    width,
    height,
  };
}

export function overlayWindowOptions(preloadPath: string, workArea: Rectangle, platform: NodeJS.Platform = process.platform): BrowserWindowConstructorOptions {
  return {
    ...overlayBounds(workArea),
    show: false,
    frame: false,
    transparent: true,
    backgroundColor: '#00000000',
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    closable: false,
    focusable: false, // never steals focus from the target app
    skipTaskbar: true,
    alwaysOnTop: true,
    hasShadow: false,
    // A non-activating panel on macOS; a toolbar (no taskbar entry, no focus) on Linux.
    ...(platform === 'darwin' ? { type: 'panel' } : platform === 'linux' ? { type: 'toolbar' } : {}),
    title: 'Voxtral Dictate overlay',
    webPreferences: {
      // The same security switches as every other window (windows.ts), plus: keep animating the
      // level while the app is in the background.
      ...mainWindowOptions(preloadPath).webPreferences,
      backgroundThrottling: false,
    },
  };
}

/** Shown from the first press until the text is in; never while idle. */
export function overlayWanted(snapshot: CoordinatorSnapshot, enabled: boolean): boolean {
  return enabled && snapshot.state !== 'idle';
}

export class Overlay {
  private window: BrowserWindow | null = null;

  constructor(private readonly preloadPath: string, private readonly workArea: () => Rectangle) {}

  /** Shows without activating; creates the window on first use. */
  show(): void {
    const window = this.ensure();
    window.setBounds(overlayBounds(this.workArea()));
    window.showInactive();
  }

  /** Follows the coordinator (main: `coordinator.onChange((s) => overlay.follow(s, settings.showOverlay))`). */
  follow(snapshot: CoordinatorSnapshot, enabled: boolean): void {
    if (overlayWanted(snapshot, enabled)) this.show();
    else this.hide();
  }

  hide(): void {
    if (this.window && !this.window.isDestroyed()) this.window.hide();
  }

  destroy(): void {
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = null;
  }

  private ensure(): BrowserWindow {
    if (this.window && !this.window.isDestroyed()) return this.window;
    const window = new BrowserWindow(overlayWindowOptions(this.preloadPath, this.workArea()));
    // Above full-screen apps too, on every workspace, and transparent to the mouse.
    window.setAlwaysOnTop(true, 'screen-saver');
    window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    window.setIgnoreMouseEvents(true);
    void window.loadURL(OVERLAY_URL);
    this.window = window;
    return window;
  }
}
