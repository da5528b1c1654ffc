// A file dropped on the window, on the main side: the preload sends the path Electron found for the
// dropped File on DROPPED_FILE_CHANNEL, main records it as picked (same sender rule as every call),
// and only then does transcribeFile accept that one path. Real registerIpc and AppCore, electron
// replaced by the recording fake.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_CHANNELS, DROPPED_FILE_CHANNEL } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { UnavailableDictationService } from '../../../electron/core/app/unavailable-services';
import { registerIpc } from '../../../electron/main/ipc';
import { FakeWebContents, type createFakeElectron } from './fake-electron';

const h = vi.hoisted(() => ({ fake: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  h.fake = createFakeElectron(() => '/unused');
  return h.fake.module;
});

const APP_PAGE = 'app://voxtral/index.html';
const from = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent }, sender: new FakeWebContents() });
type Answer = { ok: boolean; value?: unknown; error?: { code: string; message: string } };

let dir = '';
let core: AppCore;
let unregister: () => void;
let transcribed: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vxd-drop-'));
  transcribed = [];
  core = await AppCore.create({
    configDir: dir, log: () => undefined,
    createDictation: ({ settings }) => Object.assign(new UnavailableDictationService(settings), {
      transcribeFile: async (file: string) => { transcribed.push(file); return { jobId: `job-${transcribed.length}` }; },
    }),
  });
  unregister = registerIpc(h.fake.module.ipcMain as never, core);
});

afterEach(async () => {
  unregister();
  await core.close();
  await rm(dir, { recursive: true, force: true });
});

const drop = (event: unknown, request: unknown) => h.fake.ipcHandlers.get(DROPPED_FILE_CHANNEL)!(event, request) as Promise<Answer>;
const transcribe = (file: string) => h.fake.ipcHandlers.get(CALL_CHANNELS.transcribeFile)!(from(APP_PAGE), { path: file }) as Promise<Answer>;
const forbidden = { ok: false, error: { code: 'forbidden' } };

describe('dropping a file on the window (main side)', () => {
  it('registers exactly the dropped path: transcribeFile takes it, its neighbours stay refused', async () => {
    const dropped = '/home/user/Recordings/interview.wav';
    expect(await transcribe(dropped)).toMatchObject(forbidden); // not picked yet
    expect(await drop(from(APP_PAGE), { purpose: 'audio', path: dropped })).toEqual({ ok: true, value: { path: dropped } });
    expect(await transcribe(dropped)).toEqual({ ok: true, value: { jobId: 'job-1' } });
    expect(transcribed).toEqual([dropped]);
    for (const other of ['/home/user/Recordings/other.wav', '/home/user/Recordings/interview.wav.bak', '/home/user/Recordings/INTERVIEW.wav', '/home/user/.ssh/id_rsa']) {
      expect(await transcribe(other), other).toMatchObject(forbidden);
    }
    expect(transcribed).toEqual([dropped]);
  });

  it('refuses a forged empty path (a File made by page script has none), relative paths and non-audio drops', async () => {
    const refused = async (request: unknown, message: RegExp) => {
      const answer = await drop(from(APP_PAGE), request);
      expect(answer, JSON.stringify(request)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(answer.error!.message).toMatch(message);
    };
    await refused({ purpose: 'audio', path: '' }, /no location on disk/);
    await refused({ purpose: 'audio', path: 'interview.wav' }, /no location on disk/);
    await refused({ purpose: 'audio', path: '../../etc/x.wav' }, /no location on disk/);
    await refused({ purpose: 'audio', path: '/etc/passwd' }, /Only audio files/);
    await refused({ purpose: 'audio', path: '/home/user/.wav' }, /Only audio files/);
    await refused({ purpose: 'audio', path: '/home/user/memo.mp3.txt' }, /Only audio files/);
    // Other audio formats get in (how each is read is decided by its bytes, not here).
    for (const name of ['memo.MP3', 'voice.m4a', 'call.opus', 'talk.flac', 'clip.webm']) {
      expect(await drop(from(APP_PAGE), { purpose: 'audio', path: `/home/user/${name}` }), name).toMatchObject({ ok: true });
    }
    await refused({ purpose: 'model-program', path: '/models/evil.pte' }, /purpose/);
    await refused({ purpose: 'audio', path: '/a.wav', extra: 1 }, /extra/);
    for (const garbage of [undefined, null, '/a.wav', ['/a.wav'], { path: '/a.wav' }, { purpose: 'audio', path: 7 }, { purpose: 'audio', path: 'x'.repeat(5000) + '.wav' }]) {
      expect(await drop(from(APP_PAGE), garbage), JSON.stringify(garbage)?.slice(0, 40)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    expect(await transcribe('/etc/passwd')).toMatchObject(forbidden);
    expect(await transcribe('/models/evil.pte')).toMatchObject(forbidden);
    expect(transcribed).toEqual([]);
  });

  it('refuses drops from any frame but the app’s top-level page, and registers nothing for them', async () => {
    const wav = '/home/user/secret.wav';
    const senders = [
      from('https://evil.example/'), from('file:///tmp/index.html'), from('app://voxtral.evil/index.html'),
      from(APP_PAGE, { url: APP_PAGE }), { senderFrame: null, sender: new FakeWebContents() },
    ];
    for (const sender of senders) {
      expect(await drop(sender, { purpose: 'audio', path: wav }), sender.senderFrame?.url ?? 'destroyed frame').toMatchObject(forbidden);
    }
    expect(await transcribe(wav)).toMatchObject(forbidden);
    expect(transcribed).toEqual([]);
  });

  it('stops answering on the channel when unregistered', () => {
    expect(h.fake.ipcHandlers.has(DROPPED_FILE_CHANNEL)).toBe(true);
    unregister();
    expect(h.fake.ipcHandlers.has(DROPPED_FILE_CHANNEL)).toBe(false);
    unregister = () => undefined;
  });
});
