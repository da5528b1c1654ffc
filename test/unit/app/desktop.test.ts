import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DesktopStatus, DictationStatus, Notice, ViewName } from '../../../electron/common/ipc-contract';
import { AppCore, type AppCoreOptions } from '../../../electron/core/app/app-core';
import { FakeBrowserWindow, FakeTray, type createFakeElectron } from './fake-electron';
import { ScriptedDictation } from './scripted-dictation';
import { useTempDirs } from './temp-dir';

const h = vi.hoisted(() => ({ fake: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  h.fake = createFakeElectron(() => '/unused');
  return h.fake.module;
});
const { Desktop } = await import('../../../electron/main/desktop');

const tempDir = useTempDirs();
const savedDisplay = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
beforeAll(() => {
  // No display: the key hook is not even probed, so the global shortcut is what gets bound.
  delete process.env.DISPLAY;
  delete process.env.WAYLAND_DISPLAY;
});
afterAll(() => Object.assign(process.env, Object.fromEntries(Object.entries(savedDisplay).filter(([, v]) => v !== undefined))));

const cores: AppCore[] = [];
// Registered after useTempDirs, so it runs first: queued settings writes land before the dir goes.
afterEach(async () => { await Promise.all(cores.splice(0).map((c) => c.close())); });

async function setup(updates?: AppCoreOptions['updates']) {
  const dictation = new ScriptedDictation();
  const core = await AppCore.create({ configDir: await tempDir(), createDictation: () => dictation, log: () => undefined, updates });
  cores.push(core);
  const notices: Notice[] = [];
  core.onEvent((e) => { if (e.name === 'notice') notices.push(e.payload); });
  const shown: ViewName[] = [];
  let quits = 0;
  const desktop = await Desktop.start({ core, preloadPath: '/p/preload.cjs', showWindow: (v) => shown.push(v), quit: () => { quits++; }, log: () => undefined });
  return { dictation, core, desktop, notices, shown, quits: () => quits };
}

const registered = () => [...h.fake.module.globalShortcut.registered.keys()];
/** The overlay window of the desktop under test (earlier tests' ones are destroyed). */
const overlayWindow = () => FakeBrowserWindow.created.find((w) => w.loadedUrl === 'app://voxtral/overlay/index.html' && !w.destroyed);

describe('desktop integration (hotkey, tray, overlay) on the real core', () => {
  it('binds the hotkey from settings and re-binds it when the setting changes', async () => {
    const { core, desktop, notices } = await setup();
    expect(registered()).toEqual([expect.stringMatching(/^(Control|Ctrl|CommandOrControl)\+Shift\+Space$/)]);
    // The toggle-only fallback said out loud, the keys named as Linux labels them.
    expect(notices.some((n) => n.message.startsWith('Hotkey Ctrl+Shift+Space:'))).toBe(true);
    const status = await core.call('getDesktopStatus', undefined);
    expect(status).toMatchObject({ ok: true, value: { hotkey: { works: true, holdToTalk: false, message: expect.stringContaining('toggles') } } });
    await core.settings.update({ hotkey: { accelerator: 'F9' } });
    await expect.poll(registered).toEqual(['F9']);
    const boundAccelerator = async () => {
      const result = await core.call('getDesktopStatus', undefined);
      return result.ok ? (result.value as DesktopStatus).hotkey?.accelerator : null;
    };
    await expect.poll(boundAccelerator).toBe('F9');
    desktop.dispose();
  });

  it('binds the paste-last hotkey from settings; it pastes History’s newest dictation; a clash is reported', async () => {
    const { core, desktop, notices } = await setup();
    await core.history.add({ text: 'the newest dictation', durationMs: 900, model: null, backend: null, dtype: null, source: 'mic' });
    await core.settings.update({ hotkey: { pasteLast: 'Ctrl+Alt+V' } });
    await expect.poll(registered).toContain('Control+Alt+V');
    const pasteLast = async () => {
      const result = await core.call('getDesktopStatus', undefined);
      return result.ok ? (result.value as DesktopStatus).hotkey?.pasteLast : undefined;
    };
    await expect.poll(pasteLast).toEqual({ accelerator: 'Ctrl+Alt+V', label: 'Ctrl+Alt+V', works: true, message: null });
    const texts: string[] = [];
    desktop.dictateAnywhere!.coordinator.onChange((s) => { if (s.state === 'inserting') texts.push(s.text); });
    // The tray offers it too ("Copy last dictation"), enabled once History has one.
    expect(FakeTray.created.at(-1)!.menu.find((m) => m.label === 'Copy last dictation')).toMatchObject({ enabled: true });
    h.fake.module.globalShortcut.registered.get('Control+Alt+V')!();
    await expect.poll(() => texts).toEqual(['the newest dictation']);
    await expect.poll(() => desktop.dictateAnywhere!.coordinator.snapshot().state).toBe('idle');

    await core.settings.update({ hotkey: { pasteLast: 'CommandOrControl+Shift+Space' } });
    await expect.poll(pasteLast).toMatchObject({ works: false, message: expect.stringContaining('is the dictation hotkey') });
    // Named as this platform (Linux) labels the keys, not as set.
    expect(notices.some((n) => n.message.startsWith('Paste-last hotkey Ctrl+Shift+Space:'))).toBe(true);
    expect(registered()).not.toContain('Control+Alt+V');
    desktop.dispose();
  });

  it('the hotkey drives the core’s dictation service', async () => {
    const { dictation, desktop } = await setup();
    const [press] = [...h.fake.module.globalShortcut.registered.values()];
    press();
    await expect.poll(() => dictation.starts).toBe(1);
    desktop.dispose();
  });

  it('shows the overlay during a hotkey dictation (if enabled), and any live dictation in the tray', async () => {
    const { dictation, core, desktop } = await setup();
    const tray = FakeTray.created.at(-1)!;
    const press = () => [...h.fake.module.globalShortcut.registered.values()][0]();
    expect(tray.tooltip).toContain('Ready');

    press(); // toggle: the coordinator starts a dictation
    await expect.poll(() => overlayWindow()?.visible).toBe(true);
    expect(tray.tooltip).toContain('Listening');
    press(); // stop; nothing was said, so nothing is inserted
    await expect.poll(() => overlayWindow()?.visible).toBe(false);
    await expect.poll(() => tray.tooltip).toContain('Ready');

    // A dictation started in the window shows in the tray (the mic is live) but not on the overlay.
    dictation.setState('listening');
    await expect.poll(() => tray.tooltip).toContain('Listening');
    expect(overlayWindow()?.visible).toBe(false);
    dictation.setState('idle');
    await expect.poll(() => tray.tooltip).toContain('Ready');

    await core.settings.update({ showOverlay: false });
    press();
    await expect.poll(() => tray.tooltip).toContain('Listening');
    expect(overlayWindow()?.visible).toBe(false);
    desktop.dispose();
    expect(tray.destroyed).toBe(true);
  });

  it('tray menu opens views, flips start at login and quits', async () => {
    const { core, desktop, shown, quits } = await setup();
    const menu = FakeTray.created.at(-1)!.menu;
    const item = (label: string) => menu.find((m) => m.label === label);
    expect(item('Copy last dictation')).toMatchObject({ enabled: false }); // nothing dictated yet
    item('Settings…').click();
    item('History…').click();
    expect(shown).toEqual(['settings', 'history']);
    item('Start at login').click({ checked: true });
    await expect.poll(() => core.settings.get().startAtLogin).toBe(true);
    item('Quit Voxtral Dictate').click();
    expect(quits()).toBe(1);
    desktop.dispose();
  });

  it('tray menu offers a newer release (the window may never be opened) and opens its page', async () => {
    const { createServer } = await import('node:http');
    const page = 'https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/v0.2.0';
    const server = createServer((_req, res) => res.end(JSON.stringify({ tag_name: 'v0.2.0', html_url: page, draft: false, prerelease: false })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { desktop } = await setup({ feedUrl: `http://127.0.0.1:${port}/latest`, currentVersion: '0.1.0', firstCheckDelayMs: 0 });
      const offered = () => FakeTray.created.at(-1)!.menu.find((m) => m.label === 'Version 0.2.0 is out…');
      await expect.poll(offered, { timeout: 5000 }).toBeTruthy();
      offered()!.click();
      expect(h.fake.module.shell.opened.at(-1)).toBe(page);
      desktop.dispose();
    } finally {
      server.close();
    }
  });
});
