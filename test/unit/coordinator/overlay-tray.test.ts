// The overlay window and the tray, with the electron module replaced by a recording fake.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const recorded = vi.hoisted(() => ({
  windows: [] as { options: Record<string, unknown>; calls: [string, ...unknown[]][] }[],
  trays: [] as { calls: [string, ...unknown[]][]; handlers: Record<string, () => void> }[],
  menus: [] as unknown[][],
  bitmaps: [] as { size: number; options: unknown }[],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    private record: { options: Record<string, unknown>; calls: [string, ...unknown[]][] };
    private destroyed = false;
    constructor(options: Record<string, unknown>) {
      this.record = { options, calls: [] };
      recorded.windows.push(this.record);
    }
    loadURL(url: string) { this.record.calls.push(['loadURL', url]); return Promise.resolve(); }
    showInactive() { this.record.calls.push(['showInactive']); }
    show() { this.record.calls.push(['show']); }
    focus() { this.record.calls.push(['focus']); }
    hide() { this.record.calls.push(['hide']); }
    setBounds(b: unknown) { this.record.calls.push(['setBounds', b]); }
    setAlwaysOnTop(...a: unknown[]) { this.record.calls.push(['setAlwaysOnTop', ...a]); }
    setVisibleOnAllWorkspaces(...a: unknown[]) { this.record.calls.push(['setVisibleOnAllWorkspaces', ...a]); }
    setIgnoreMouseEvents(...a: unknown[]) { this.record.calls.push(['setIgnoreMouseEvents', ...a]); }
    isDestroyed() { return this.destroyed; }
    destroy() { this.destroyed = true; this.record.calls.push(['destroy']); }
  }
  class Tray {
    private record = { calls: [] as [string, ...unknown[]][], handlers: {} as Record<string, () => void> };
    constructor(image: unknown) { recorded.trays.push(this.record); this.record.calls.push(['new', image]); }
    on(event: string, handler: () => void) { this.record.handlers[event] = handler; }
    setImage(image: unknown) { this.record.calls.push(['setImage', image]); }
    setToolTip(text: string) { this.record.calls.push(['setToolTip', text]); }
    setContextMenu(menu: unknown) { this.record.calls.push(['setContextMenu', menu]); }
    destroy() { this.record.calls.push(['destroy']); }
  }
  const Menu = { buildFromTemplate: (template: unknown[]) => { recorded.menus.push(template); return { template }; } };
  const nativeImage = {
    createFromBitmap: (buffer: Buffer, options: { width: number }) => {
      recorded.bitmaps.push({ size: options.width, options });
      return { buffer, addRepresentation: () => undefined };
    },
  };
  return { BrowserWindow, Tray, Menu, nativeImage };
});

import type { CoordinatorSnapshot } from '../../../electron/core/coordinator';
import { hotkeyLabels } from '../../../electron/core/hotkey';
import { Overlay, OVERLAY_URL, overlayBounds, overlayWindowOptions } from '../../../electron/main/overlay';
import {
  AppTray, trayIconBitmap, trayMenuTemplate, trayStateOf, trayTooltip, type TrayActions, type TrayView,
} from '../../../electron/main/tray';

const snap = (state: CoordinatorSnapshot['state'], error: string | null = null): CoordinatorSnapshot =>
  ({ state, text: '', error, notice: null, latched: false });

const workArea = { x: 0, y: 24, width: 1920, height: 1056 };

beforeEach(() => {
  recorded.windows.length = 0;
  recorded.trays.length = 0;
  recorded.menus.length = 0;
});

describe('overlay window', () => {
  it('never takes focus, stays on top, has no frame or taskbar entry, and is sandboxed', () => {
    const o = overlayWindowOptions('/app/preload.cjs', workArea, 'linux');
    expect(o).toMatchObject({
      focusable: false, alwaysOnTop: true, frame: false, transparent: true, skipTaskbar: true, show: false, resizable: false,
      type: 'toolbar',
    });
    expect(o.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/preload.cjs', webSecurity: true });
    expect(overlayWindowOptions('/p', workArea, 'darwin').type).toBe('panel');
  });

  it('sits at the bottom centre of the work area and fits small screens', () => {
    expect(overlayBounds(workArea)).toEqual({ x: 740, y: 24 + 1056 - 88 - 48, width: 440, height: 88 });
    const tiny = overlayBounds({ x: 0, y: 0, width: 300, height: 90 });
    expect(tiny.width).toBe(300);
    expect(tiny.y + tiny.height).toBeLessThanOrEqual(90);
  });

  it('is shown inactive (never focused), click-through, above full-screen apps', () => {
    const overlay = new Overlay('/app/preload.cjs', () => workArea);
    overlay.show();
    overlay.hide();
    overlay.show();
    expect(recorded.windows).toHaveLength(1);
    const calls = recorded.windows[0].calls.map((c) => c[0]);
    expect(calls).toContain('showInactive');
    expect(calls).not.toContain('show');
    expect(calls).not.toContain('focus');
    expect(recorded.windows[0].calls).toContainEqual(['loadURL', OVERLAY_URL]);
    expect(recorded.windows[0].calls).toContainEqual(['setIgnoreMouseEvents', true]);
    expect(recorded.windows[0].calls).toContainEqual(['setAlwaysOnTop', true, 'screen-saver']);
    overlay.destroy();
    overlay.show();
    expect(recorded.windows).toHaveLength(2);
  });

  it('follows the coordinator: shown from the press until the text is in, only when enabled', () => {
    const overlay = new Overlay('/p', () => workArea);
    overlay.follow(snap('idle'), true);
    expect(recorded.windows).toHaveLength(0); // nothing created while idle
    overlay.follow(snap('arming'), true);
    overlay.follow(snap('inserting'), true);
    overlay.follow(snap('idle'), true);
    const calls = recorded.windows[0].calls.map((c) => c[0]).filter((c) => c === 'showInactive' || c === 'hide');
    expect(calls).toEqual(['showInactive', 'showInactive', 'hide']);
    overlay.follow(snap('recording'), false);
    expect(recorded.windows[0].calls.at(-1)?.[0]).toBe('hide');
  });
});

describe('tray', () => {
  const log: string[] = [];
  const actions: TrayActions = {
    toggleDictation: () => log.push('toggle'),
    cancelDictation: () => log.push('cancel'),
    openSettings: () => log.push('settings'),
    openHistory: () => log.push('history'),
    openUpdate: (url) => log.push(`update:${url}`),
    copyLast: () => log.push('copy-last'),
    setStartAtLogin: (v) => log.push(`login:${v}`),
    quit: () => log.push('quit'),
  };
  const view: TrayView = { state: 'idle', hotkey: 'Ctrl+Shift+Space', hotkeyAccelerator: 'Control+Shift+Space', startAtLogin: false, warning: null };

  it('shows the hotkey as Electron\'s accelerator where it has one (as hotkeyLabels gives it), else in the label', () => {
    const start = (setting: string | null, platform: NodeJS.Platform) => {
      const names = setting === null ? null : hotkeyLabels(setting, platform);
      return trayMenuTemplate({ ...view, hotkey: names?.label ?? null, hotkeyAccelerator: names?.menuAccelerator ?? null }, actions)
        .find((i) => String(i.label).startsWith('Start dictation'))!;
    };
    expect(start('CommandOrControl+Shift+Space', 'darwin')).toMatchObject({ label: 'Start dictation', accelerator: 'Shift+Super+Space' });
    expect(start('Ctrl+Win+D', 'win32')).toMatchObject({ label: 'Start dictation', accelerator: 'Control+Super+D' });
    expect(start('RightCtrl', 'linux')).toMatchObject({ label: 'Start dictation (Right Ctrl)', accelerator: undefined });
    expect(start(null, 'linux')).toMatchObject({ label: 'Start dictation', accelerator: undefined });
  });

  it('offers "Copy last dictation" where the desktop can, enabled while there is one', () => {
    const copy = (canCopyLast?: boolean) => trayMenuTemplate({ ...view, canCopyLast }, actions).find((i) => i.label === 'Copy last dictation');
    expect(copy()).toBeUndefined();
    expect(copy(false)).toMatchObject({ enabled: false });
    log.length = 0;
    (copy(true)!.click as () => void)();
    expect(log).toEqual(['copy-last']);
  });

  it('has start/stop, settings, history, start at login and quit, each wired to its action', () => {
    log.length = 0;
    const items = trayMenuTemplate(view, actions);
    const byLabel = (l: string) => items.find((i) => i.label === l)!;
    expect(byLabel('Start dictation')).toMatchObject({ accelerator: 'Control+Shift+Space', registerAccelerator: false });
    for (const label of ['Start dictation', 'Settings…', 'History…', 'Quit Voxtral Dictate']) {
      (byLabel(label).click as () => void)();
    }
    (byLabel('Start at login').click as (item: { checked: boolean }) => void)({ checked: true });
    expect(log).toEqual(['toggle', 'settings', 'history', 'quit', 'login:true']);
    expect(byLabel('Quit Voxtral Dictate').role).toBeUndefined();
    expect(items.some((i) => i.label === 'Cancel dictation')).toBe(false); // nothing to cancel
    const busy = trayMenuTemplate({ ...view, state: 'listening' }, actions);
    expect(busy.map((i) => i.label).slice(1, 3)).toEqual(['Stop dictation', 'Cancel dictation']);
    const cancel = busy.find((i) => i.label === 'Cancel dictation')!;
    expect(cancel).toMatchObject({ accelerator: 'Escape', registerAccelerator: false });
    (cancel.click as () => void)();
    expect(log.at(-1)).toBe('cancel');
  });

  it('shows the state in icon, tooltip and menu, and redraws the icon only when the state changes', () => {
    const tray = new AppTray(actions, view);
    const record = recorded.trays[0];
    tray.update({ warning: 'Hold-to-talk is unavailable' });
    expect(record.calls.filter((c) => c[0] === 'setImage')).toHaveLength(0);
    tray.update({ state: 'listening' });
    expect(record.calls.filter((c) => c[0] === 'setImage')).toHaveLength(1);
    const tooltips = record.calls.filter((c) => c[0] === 'setToolTip').map((c) => c[1]);
    expect(tooltips.at(-1)).toBe('Voxtral Dictate — Listening\nHotkey: Ctrl+Shift+Space\nHold-to-talk is unavailable');
    expect(recorded.menus.at(-1)).toContainEqual(expect.objectContaining({ label: 'Stop dictation' }));
    log.length = 0;
    record.handlers.click();
    expect(log).toEqual(['toggle']);
    expect(trayTooltip({ ...view, hotkey: null })).toBe('Voxtral Dictate — Ready');
    // Nothing changed (History's half-second updates while one dictates): no menu rebuilt.
    const menus = recorded.menus.length;
    tray.update({ state: 'listening' });
    tray.update({ warning: 'Hold-to-talk is unavailable' });
    expect(recorded.menus.length).toBe(menus);
  });

  it('maps coordinator states, keeping an error visible until the next dictation', () => {
    expect(['idle', 'arming', 'recording', 'finishing', 'inserting'].map((s) => trayStateOf(snap(s as CoordinatorSnapshot['state']))))
      .toEqual(['idle', 'loading', 'listening', 'finishing', 'finishing']);
    expect(trayStateOf(snap('idle', 'No model is configured'))).toBe('error');
  });

  it('draws distinct state icons with transparent corners', () => {
    const idle = trayIconBitmap('idle', 16);
    const listening = trayIconBitmap('listening', 16);
    expect(idle.length).toBe(16 * 16 * 4);
    expect(idle.equals(listening)).toBe(false);
    expect(listening[3]).toBe(0); // top-left corner alpha
    const centre = (8 * 16 + 8) * 4;
    expect([listening[centre + 2], listening[centre + 3]]).toEqual([220, 255]); // red, opaque
    expect(idle[centre + 3]).toBe(0); // the idle icon is a ring
  });
});
