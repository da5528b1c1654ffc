import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, CALL_CHANNELS, DROPPED_FILE_CHANNEL, EVENT_CHANNELS } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/csp';
import { FakeBrowserWindow, FakeMessageChannelMain, FakeTray, FakeWebContents, type createFakeElectron } from './fake-electron';

const h = vi.hoisted(() => ({ dir: '', fake: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  h.fake = createFakeElectron(() => h.dir);
  return h.fake.module;
});

const APP_PAGE = 'app://voxtral/index.html';
const trusted = (url = APP_PAGE) => ({ senderFrame: { url, parent: null }, sender: new FakeWebContents() });

async function until(condition: () => boolean) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('Electron main process (electron replaced by a recording fake)', () => {
  beforeAll(async () => {
    h.dir = await mkdtemp(path.join(tmpdir(), 'vxd-main-'));
    process.env.XDG_CONFIG_HOME = path.join(h.dir, 'xdg'); // start-at-login writes here, not to the real home
    // No display: the global key hook is not probed (a probe would start a child process).
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    await import('../../../electron/main/main');
    // Before ready: the app scheme is privileged and the sandbox forced on for every renderer.
    expect(h.fake.protocolState.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(h.fake.module.app.sandboxEnabled).toBe(true);
    expect(h.fake.module.app.getPath('userData')).toBe(path.join(h.dir, 'voxtral-dictate'));
    expect(FakeBrowserWindow.created).toHaveLength(0);
    h.fake.ready();
    await until(() => FakeBrowserWindow.created.length === 1);
  });
  afterAll(() => rm(h.dir, { recursive: true, force: true }));

  it('starts the tray and binds the global hotkey once the window is up', async () => {
    await until(() => FakeTray.created.length === 1);
    expect(h.fake.module.globalShortcut.registered.size).toBe(1);
  });

  it('creates the window with every security option set and loads the app page', () => {
    const [window] = FakeBrowserWindow.created;
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(window.options.webPreferences.preload).toBe(path.join('/fake/app-root', 'dist', 'preload', 'preload.cjs'));
    expect(window.loadedUrl).toBe(APP_PAGE);
  });

  it('grants only the microphone (audio only) and writing to the clipboard, and only to the app page', () => {
    const request = h.fake.sessionState.permissionRequest!;
    const decide = (permission: string, requestingUrl: string, mediaTypes?: string[]) => {
      let granted: boolean | undefined;
      request(null, permission, (g: boolean) => { granted = g; }, { requestingUrl, ...(mediaTypes ? { mediaTypes } : {}) });
      return granted;
    };
    expect(decide('media', APP_PAGE, ['audio'])).toBe(true);
    expect(decide('media', APP_PAGE, ['video'])).toBe(false);
    expect(decide('media', APP_PAGE, ['audio', 'video'])).toBe(false);
    expect(decide('media', 'https://evil.example/', ['audio'])).toBe(false);
    expect(decide('media', 'app://voxtral.evil/index.html', ['audio'])).toBe(false);
    expect(decide('media', 'file:///tmp/index.html', ['audio'])).toBe(false);
    expect(decide('clipboard-sanitized-write', APP_PAGE)).toBe(true); // History's Copy
    expect(decide('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const other of ['geolocation', 'notifications', 'camera', 'clipboard-read', 'deprecated-sync-clipboard-read', 'midi', 'openExternal', 'fullscreen']) {
      expect(decide(other, APP_PAGE), other).toBe(false);
    }
    const checkPermission = h.fake.sessionState.permissionCheck!;
    expect(checkPermission(null, 'media', 'app://voxtral', { requestingUrl: APP_PAGE, mediaType: 'audio' })).toBe(true);
    expect(checkPermission(null, 'media', 'app://voxtral', { requestingUrl: APP_PAGE, mediaType: 'video' })).toBe(false);
    expect(checkPermission(null, 'media', 'https://evil.example', { requestingUrl: 'https://evil.example/', mediaType: 'audio' })).toBe(false);
    expect(checkPermission(null, 'geolocation', 'app://voxtral', { requestingUrl: APP_PAGE })).toBe(false);
  });

  it('adds the strict CSP to every response', () => {
    let result: any;
    h.fake.sessionState.headersReceived!({ responseHeaders: { 'X-Other': ['1'] } }, (r: unknown) => { result = r; });
    expect(result.responseHeaders).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('blocks new windows, webviews and navigation away from the page', () => {
    const contents = new FakeWebContents();
    contents.url = APP_PAGE;
    h.fake.module.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(h.fake.module.shell.opened).toEqual(['https://example.com/']); // http(s) links go to the browser; nothing else does

    const navigate = (event: string, url: string) => {
      const e = { preventDefault: vi.fn() };
      contents.emit(event, e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-navigate', 'app://voxtral/other.html')).toBe(true);
    expect(navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(navigate('will-navigate', 'app://voxtral/index.html#history')).toBe(false);
    expect(navigate('will-attach-webview', 'app://voxtral/index.html')).toBe(true);
  });

  it('registers a handler for every contract call and answers through the real core', async () => {
    expect([...h.fake.ipcHandlers.keys()].sort()).toEqual([...Object.values(CALL_CHANNELS), DROPPED_FILE_CHANNEL].sort());
    const update = h.fake.ipcHandlers.get(CALL_CHANNELS.updateSettings)!;
    const result = await update(trusted(), { insertion: { mode: 'type' } });
    expect(result).toMatchObject({ ok: true, value: { insertion: { mode: 'type' } } });
    const onDisk = JSON.parse(await readFile(path.join(h.dir, 'voxtral-dictate', 'settings.json'), 'utf8'));
    expect(onDisk.insertion.mode).toBe('type');
    // The change is pushed to the window as an event.
    const [window] = FakeBrowserWindow.created;
    expect(window.webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.settings, payload: expect.objectContaining({ insertion: { mode: 'type', spaceBetween: true, perApp: [] } }) });
  });

  it('refuses calls from foreign frames, subframes and destroyed frames', async () => {
    const get = h.fake.ipcHandlers.get(CALL_CHANNELS.getSettings)!;
    const forbidden = { ok: false, error: { code: 'forbidden', message: expect.any(String) } };
    expect(await get(trusted('https://evil.example/'), undefined)).toEqual(forbidden);
    expect(await get(trusted('file:///tmp/index.html'), undefined)).toEqual(forbidden);
    expect(await get({ senderFrame: { url: APP_PAGE, parent: {} } }, undefined)).toEqual(forbidden);
    expect(await get({ senderFrame: null }, undefined)).toEqual(forbidden);
    const update = h.fake.ipcHandlers.get(CALL_CHANNELS.updateSettings)!;
    expect(await update(trusted('https://evil.example/'), { insertion: { mode: 'clipboard' } })).toEqual(forbidden);
    expect(JSON.parse(await readFile(path.join(h.dir, 'voxtral-dictate', 'settings.json'), 'utf8')).insertion.mode).toBe('type');
  });

  it('rejects invalid payloads with a clear error', async () => {
    const update = h.fake.ipcHandlers.get(CALL_CHANNELS.updateSettings)!;
    expect(await update(trusted(), { insertion: { mode: 'telepathy' } })).toMatchObject({
      ok: false, error: { code: 'invalid-request', message: expect.stringContaining('insertion.mode') },
    });
    const del = h.fake.ipcHandlers.get(CALL_CHANNELS.deleteHistoryEntry)!;
    expect(await del(trusted(), { id: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('follows the start-at-login setting (an XDG autostart entry on Linux, a login item elsewhere)', async () => {
    const update = h.fake.ipcHandlers.get(CALL_CHANNELS.updateSettings)!;
    const entry = path.join(h.dir, 'xdg', 'autostart', 'voxtral-dictate.desktop');
    const state = () => process.platform === 'linux'
      ? readFile(entry, 'utf8').then((text) => text.includes(`Exec=${process.execPath} /fake/app-root`), () => false)
      : Promise.resolve((h.fake.module.app.loginItems.at(-1) as { openAtLogin?: boolean } | undefined)?.openAtLogin ?? false);
    expect(await state()).toBe(false);
    await update(trusted(), { startAtLogin: true });
    await expect.poll(state).toBe(true);
    await update(trusted(), { startAtLogin: false });
    await expect.poll(state).toBe(false);
  });

  it('answers chooseFile with the system dialog, filtered by purpose', async () => {
    const choose = h.fake.ipcHandlers.get(CALL_CHANNELS.chooseFile)!;
    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/models/voxtral.pte'] });
    expect(await choose(trusted(), { purpose: 'model-program' })).toEqual({ ok: true, value: { path: '/models/voxtral.pte' } });
    expect(h.fake.module.dialog.shown.at(-1)).toMatchObject({ filters: [{ extensions: ['pte'] }], properties: ['openFile'] });
    expect(await choose(trusted(), { purpose: 'audio' })).toEqual({ ok: true, value: { path: null } }); // cancelled
    expect(await choose(trusted(), { purpose: 'anything' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('several audio files picked at once each unlock transcribeFile, and only those', async () => {
    const choose = h.fake.ipcHandlers.get(CALL_CHANNELS.chooseFile)!;
    const transcribe = h.fake.ipcHandlers.get(CALL_CHANNELS.transcribeFile)!;
    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/audio/a.mp3', '/audio/b.m4a'] });
    expect(await choose(trusted(), { purpose: 'audio', many: true })).toEqual({ ok: true, value: { path: '/audio/a.mp3', paths: ['/audio/a.mp3', '/audio/b.m4a'] } });
    expect(h.fake.module.dialog.shown.at(-1)).toMatchObject({ properties: ['openFile', 'multiSelections'] });
    // Past the pick check, the dictation service answers (there is none in this fake app).
    for (const path of ['/audio/a.mp3', '/audio/b.m4a']) expect(await transcribe(trusted(), { path })).not.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await transcribe(trusted(), { path: '/audio/c.wav' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('Make a model: both folders come from the folder dialog, or the call is refused', async () => {
    const choose = h.fake.ipcHandlers.get(CALL_CHANNELS.chooseFile)!;
    const convert = h.fake.ipcHandlers.get(CALL_CHANNELS.convertCheckpoint)!;
    const request = { checkpointDir: '/ckpts/voxtral', outDir: '/models/new', quant: '4w' };
    expect(await convert(trusted(), request)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/ckpts/voxtral'] });
    expect(await choose(trusted(), { purpose: 'checkpoint-folder' })).toEqual({ ok: true, value: { path: '/ckpts/voxtral' } });
    expect(h.fake.module.dialog.shown.at(-1)).toMatchObject({ properties: ['openDirectory'] });
    // One folder picked is not enough.
    expect(await convert(trusted(), request)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/models/new'] });
    await choose(trusted(), { purpose: 'model-folder' });
    expect(h.fake.module.dialog.shown.at(-1)).toMatchObject({ properties: ['openDirectory', 'createDirectory'] });
    // Past the pick check, the converter itself answers (these folders do not exist here).
    expect(await convert(trusted(), request)).toMatchObject({ ok: false, error: { code: 'not-found' } });

    const download = h.fake.ipcHandlers.get(CALL_CHANNELS.downloadCheckpoint)!;
    expect(await download(trusted(), { dir: '/downloads/voxtral' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/downloads/voxtral'] });
    await choose(trusted(), { purpose: 'download-folder' });
    expect(h.fake.module.dialog.shown.at(-1)).toMatchObject({ properties: ['openDirectory', 'createDirectory'] });
    expect(await download(trusted(), { dir: '/downloads/voxtral' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('opens an audio port only for the app page, and survives garbage on it', () => {
    const foreign = trusted('https://evil.example/');
    h.fake.ipcListeners.emit(AUDIO_PORT_REQUEST_CHANNEL, foreign);
    expect(foreign.sender.posted).toEqual([]);

    const own = trusted();
    h.fake.ipcListeners.emit(AUDIO_PORT_REQUEST_CHANNEL, own);
    const channel = FakeMessageChannelMain.last!;
    expect(own.sender.posted).toEqual([{ channel: AUDIO_PORT_CHANNEL, ports: [channel.port2] }]);
    expect(channel.port1.started).toBe(true);
    expect(() => {
      channel.port1.emit('message', { data: { type: 'frame', seq: 0, samples: new Float32Array(1280) } });
      channel.port1.emit('message', { data: 'garbage' });
      channel.port1.emit('message', { data: { type: 'frame', seq: 1, samples: new Float32Array(10_000_000) } });
      channel.port1.emit('close');
    }).not.toThrow();
  });

  it('an audio port ends its stream once: the end message, not also its close, nor frames after it', () => {
    const accepted = vi.spyOn(AppCore.prototype, 'acceptAudio');
    h.fake.ipcListeners.emit(AUDIO_PORT_REQUEST_CHANNEL, trusted());
    const channel = FakeMessageChannelMain.last!;
    channel.port1.emit('message', { data: { type: 'frame', seq: 0, samples: new Float32Array(1280) } });
    channel.port1.emit('message', { data: { type: 'end' } });
    channel.port1.emit('message', { data: { type: 'frame', seq: 1, samples: new Float32Array(1280) } });
    channel.port1.emit('close');
    expect(accepted.mock.calls.map(([m]) => (m as { type: string }).type)).toEqual(['frame', 'end']);
    // A port closed without an end message (page gone) still ends its stream, once.
    accepted.mockClear();
    h.fake.ipcListeners.emit(AUDIO_PORT_REQUEST_CHANNEL, trusted());
    FakeMessageChannelMain.last!.port1.emit('close');
    FakeMessageChannelMain.last!.port1.emit('close');
    expect(accepted.mock.calls.map(([m]) => (m as { type: string }).type)).toEqual(['end']);
    accepted.mockRestore();
  });
});
