/**
 * The Electron security checklist, asserted across every window and every IPC channel of the real
 * main process (electron replaced by the recording fake of test/unit/app): secure webPreferences and
 * app:// pages only, navigation and window.open blocked, each channel refusing foreign senders and
 * malformed payloads without side effects, file paths accepted only when picked in the dialog, no
 * remote content in the pages, and the app's logs free of transcripts.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIO_PORT_REQUEST_CHANNEL, CALL_CHANNELS, CALL_NAMES, DROPPED_FILE_CHANNEL, type CallName, type DictationStatus } from '../../electron/common/ipc-contract';
import { Overlay } from '../../electron/main/overlay';
import { secureWebPreferences } from '../../electron/main/windows';
import { FakeBrowserWindow, FakeMessageChannelMain, FakeWebContents, type createFakeElectron } from '../unit/app/fake-electron';
import { pick, rng } from './mutate';

const h = vi.hoisted(() => ({ dir: '', fake: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../unit/app/fake-electron');
  h.fake = createFakeElectron(() => h.dir);
  return h.fake.module;
});

const APP_PAGE = 'app://voxtral/index.html';
const repoRoot = path.resolve(__dirname, '..', '..');
const sender = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent }, sender: new FakeWebContents() });
const own = () => sender(APP_PAGE);
const call = (name: CallName, event: unknown, request: unknown) => h.fake.ipcHandlers.get(CALL_CHANNELS[name])!(event, request) as Promise<{ ok: boolean; error?: { code: string; message: string }; value?: unknown }>;

/** A valid request for every channel, so a refusal is due to the sender, not the payload. */
const VALID: Record<CallName, unknown> = {
  getSettings: undefined, updateSettings: { insertion: { mode: 'clipboard' } }, resetSettings: undefined,
  inspectModel: { pte: '/m/model.pte', ptd: null }, listBackends: undefined, getDictationStatus: undefined,
  startDictation: undefined, stopDictation: undefined, cancelDictation: undefined, listHistory: { offset: 0, limit: 10 },
  searchHistory: { query: 'x', limit: 10 }, deleteHistoryEntry: { id: 'h1' }, clearHistory: undefined, retranscribeHistoryEntry: { id: 'h1' }, exportHistory: { query: '' }, saveSubtitles: { id: 'h1' }, editHistoryEntry: { id: 'h1', text: 'x' },
  transcribeFile: { path: '/tmp/a.wav' }, cancelFileTranscription: { jobId: 'j1' }, takePendingNotices: undefined,
  chooseFile: { purpose: 'audio' }, getDesktopStatus: undefined,
  convertCheckpoint: { checkpointDir: '/ckpt', outDir: '/out', quant: '4w' }, cancelConversion: { jobId: 'j1' },
  downloadCheckpoint: { dir: '/ckpt' }, cancelDownload: { jobId: 'j1' }, getUpdateStatus: undefined, checkForUpdates: undefined,
};

/** Payloads no channel accepts (for channels without a request, anything but nothing). */
const deep = (n: number): unknown => { let v: unknown = {}; for (let i = 0; i < n; i++) v = { a: v }; return v; };
const GARBAGE: unknown[] = [
  42, 'text', true, [], [1, 2], { __proto__: { polluted: true } }, JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  deep(10_000), { path: 7 }, { offset: -1, limit: 1e12 }, { query: 'q'.repeat(100_000), limit: 1 }, { id: '' }, { id: 'i'.repeat(129) },
  { purpose: 'anything' }, { pte: 42, ptd: null }, { insertion: { mode: 'telepathy' } }, { model: { pte: { toString: null } } },
  { jobId: 'x'.repeat(10_000) }, new Float32Array(4), { toString: 1 }, { insertion: JSON.parse('{"constructor":1}') },
  JSON.parse('{"path":"/tmp/a.wav","hasOwnProperty":1}'),
];

describe('security checklist (real main process, fake electron)', () => {
  beforeAll(async () => {
    h.dir = await mkdtemp(path.join(tmpdir(), 'vxd-security-'));
    process.env.XDG_CONFIG_HOME = path.join(h.dir, 'xdg');
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    await import('../../electron/main/main');
    h.fake.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.created.length).toBeGreaterThanOrEqual(1), { timeout: 5000 });
    // The overlay is created on first use; make it exist so it is checked like every other window.
    new Overlay('/fake/app-root/dist/preload/preload.cjs', () => ({ x: 0, y: 0, width: 1920, height: 1040 })).show();
  });
  afterAll(() => rm(h.dir, { recursive: true, force: true }));

  it('every window (main and overlay) is sandboxed, isolated, node-free and shows an app:// page', () => {
    expect(FakeBrowserWindow.created.length).toBeGreaterThanOrEqual(2);
    const secure = secureWebPreferences('x');
    for (const window of FakeBrowserWindow.created) {
      const prefs = window.options.webPreferences;
      for (const [key, value] of Object.entries(secure)) if (key !== 'preload') expect(prefs[key], `${window.options.title}: ${key}`).toBe(value);
      expect(prefs.preload).toMatch(/dist[/\\]preload[/\\]preload\.cjs$/);
      expect(window.loadedUrl).toMatch(/^app:\/\/voxtral\//);
      expect(h.fake.module.app.sandboxEnabled).toBe(true);
    }
  });

  it('every window’s contents are guarded: window.open denied, navigation and redirects away blocked', () => {
    for (const window of FakeBrowserWindow.created) {
      const contents = window.webContents;
      h.fake.module.app.emit('web-contents-created', {}, contents);
      for (const url of ['https://evil.example/', 'http://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://voxtral/other.html', 'data:text/html,x']) {
        expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
        for (const event of ['will-navigate', 'will-redirect']) {
          const e = { preventDefault: vi.fn() };
          contents.emit(event, e, url);
          expect(e.preventDefault, `${window.options.title} ${event} ${url}`).toHaveBeenCalled();
        }
      }
      const webview = { preventDefault: vi.fn() };
      contents.emit('will-attach-webview', webview, {}, {});
      expect(webview.preventDefault).toHaveBeenCalled();
    }
    // Only https links leave the app, and only to the system browser.
    expect(h.fake.module.shell.opened.every((u) => u.startsWith('https://'))).toBe(true);
  });

  it('every IPC channel refuses foreign, sub-frame, look-alike and destroyed senders without side effects', async () => {
    const settingsFile = path.join(h.dir, 'voxtral-dictate', 'settings.json');
    const before = await readFile(settingsFile, 'utf8').catch(() => '');
    const dialogsBefore = h.fake.module.dialog.shown.length;
    const foreign = [
      sender('https://evil.example/'), sender('file:///tmp/index.html'), sender('app://voxtral.evil/index.html'),
      sender('app://evil/index.html'), sender('http://voxtral/index.html'), sender(APP_PAGE, { url: APP_PAGE }),
      { senderFrame: null, sender: new FakeWebContents() },
    ];
    expect([...h.fake.ipcHandlers.keys()].sort()).toEqual([...CALL_NAMES.map((n) => CALL_CHANNELS[n]), DROPPED_FILE_CHANNEL].sort()); // the drop channel: its own case below
    for (const name of CALL_NAMES) {
      for (const event of foreign) {
        const result = await call(name, event, VALID[name]);
        expect(result, `${name} from ${event.senderFrame?.url}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    expect(await readFile(settingsFile, 'utf8').catch(() => '')).toBe(before);
    expect(h.fake.module.dialog.shown.length).toBe(dialogsBefore);
  });

  it('every IPC channel rejects malformed payloads with invalid-request (or forbidden for unpicked paths)', async () => {
    for (const name of CALL_NAMES) {
      for (const [i, payload] of GARBAGE.entries()) {
        const result = await call(name, own(), payload);
        expect(result.ok, `${name} accepted garbage #${i}`).toBe(false);
        expect(['invalid-request', 'forbidden'], `${name} #${i}: ${result.error?.code}`).toContain(result.error!.code);
        expect(result.error!.message.length).toBeGreaterThan(0);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
  });

  it('file paths are accepted only when the user picked them in the dialog', async () => {
    const refused = { ok: false, error: { code: 'forbidden', message: expect.stringContaining('Browse') } };
    expect(await call('transcribeFile', own(), { path: '/home/user/.ssh/id_rsa' })).toMatchObject(refused);
    expect(await call('inspectModel', own(), { pte: '/etc/shadow', ptd: null })).toMatchObject(refused);
    expect(await call('updateSettings', own(), { model: { pte: '/tmp/evil.pte' } })).toMatchObject(refused);
    expect(await call('updateSettings', own(), { model: { ptd: '/tmp/evil.ptd' } })).toMatchObject(refused);

    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/models/picked.pte'] });
    expect(await call('chooseFile', own(), { purpose: 'model-program' })).toEqual({ ok: true, value: { path: '/models/picked.pte' } });
    const saved = await call('updateSettings', own(), { model: { pte: '/models/picked.pte' } });
    expect(saved).toMatchObject({ ok: true, value: { model: { pte: '/models/picked.pte' } } });
    // A path already saved as the model (picked earlier) may be inspected; a neighbour may not.
    expect((await call('inspectModel', own(), { pte: '/models/picked.pte', ptd: null })).error?.code).not.toBe('forbidden');
    expect(await call('inspectModel', own(), { pte: '/models/picked.pte', ptd: '/models/other.ptd' })).toMatchObject(refused);
    // Clearing the model needs no dialog; other settings are unaffected by the rule.
    expect(await call('updateSettings', own(), { model: { pte: null, ptd: null } })).toMatchObject({ ok: true });
    expect(await call('updateSettings', own(), { insertion: { mode: 'paste' } })).toMatchObject({ ok: true });

    h.fake.module.dialog.answers.push({ canceled: false, filePaths: ['/audio/picked.wav'] });
    await call('chooseFile', own(), { purpose: 'audio' });
    expect((await call('transcribeFile', own(), { path: '/audio/picked.wav' })).error?.code).not.toBe('forbidden');
  });

  it('a dropped file is accepted only from the app page, only as an absolute .wav path, and unlocks only that path', async () => {
    const drop = (event: unknown, request: unknown) => h.fake.ipcHandlers.get(DROPPED_FILE_CHANNEL)!(event, request) as ReturnType<typeof call>;
    const foreign = [
      sender('https://evil.example/'), sender('file:///tmp/index.html'), sender('app://voxtral.evil/index.html'),
      sender(APP_PAGE, { url: APP_PAGE }), { senderFrame: null, sender: new FakeWebContents() },
    ];
    for (const event of foreign) expect(await drop(event, { purpose: 'audio', path: '/audio/foreign.wav' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const [i, payload] of [...GARBAGE, { purpose: 'audio', path: '' }, { purpose: 'audio', path: 'rel.wav' }, { purpose: 'audio', path: '/etc/shadow' }, { purpose: 'model-program', path: '/m/x.pte' }].entries()) {
      expect(await drop(own(), payload), `drop garbage #${i}`).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    expect(await call('transcribeFile', own(), { path: '/audio/foreign.wav' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await drop(own(), { purpose: 'audio', path: '/audio/dropped.wav' })).toEqual({ ok: true, value: { path: '/audio/dropped.wav' } });
    expect((await call('transcribeFile', own(), { path: '/audio/dropped.wav' })).error?.code).not.toBe('forbidden');
    expect(await call('transcribeFile', own(), { path: '/audio/dropped2.wav' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Dropped audio unlocks transcription only, not model files or settings.
    expect(await call('inspectModel', own(), { pte: '/audio/dropped.wav', ptd: null })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('updateSettings', own(), { model: { pte: '/audio/dropped.wav' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('the audio port validates every message: 3000 hostile ones are dropped without a throw or a dictation', async () => {
    // An earlier test's file job may still be loading the model; what matters is that no new dictation starts.
    const before = (await call('getDictationStatus', own(), undefined)).value as DictationStatus;
    const port = new FakeWebContents();
    h.fake.ipcListeners.emit(AUDIO_PORT_REQUEST_CHANNEL, { senderFrame: { url: APP_PAGE, parent: null }, sender: port });
    const channel = FakeMessageChannelMain.last!;
    const next = rng(50_001);
    const samples = () => pick(next, [
      new Float32Array(1280), new Float32Array(0), new Float32Array(16_001), new Float64Array(1280), new Int16Array(1280),
      Array.from({ length: 1280 }, () => 0), new Float32Array(1280).fill(Number.NaN), new Float32Array(1280).fill(Infinity), null, 'pcm',
    ]);
    const message = () => pick(next, [
      () => ({ type: 'frame', seq: pick(next, [0, 1, -1, 1.5, 2 ** 60, Number.NaN, '1', null]), samples: samples() }),
      () => ({ type: pick(next, ['frame', 'end', 'END', 'start', '', null, 7]), seq: 0, samples: samples(), extra: 1 }),
      () => pick(next, [null, undefined, 'garbage', 42, [], {}, { type: 'end', seq: 1 }, new ArrayBuffer(8)]),
    ])();
    expect(() => {
      for (let i = 0; i < 3000; i++) channel.port1.emit('message', { data: message() });
      channel.port1.emit('close');
    }).not.toThrow();
    // Nothing was started by audio alone.
    const after = (await call('getDictationStatus', own(), undefined)).value as DictationStatus;
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.source).not.toBe('mic');
  });

  it('the pages load no remote content and carry the strict CSP', () => {
    for (const page of ['renderer/index.html', 'renderer/overlay/index.html']) {
      const html = readFileSync(path.join(repoRoot, page), 'utf8');
      expect(html, page).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
      const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(csp, page).toContain("default-src 'self'");
      expect(csp, page).toContain("object-src 'none'");
      expect(csp, page).not.toMatch(/unsafe|\*|https?:/);
    }
  });
});
