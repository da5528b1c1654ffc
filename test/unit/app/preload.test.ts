// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { AUDIO_PORT_CHANNEL, AUDIO_PORT_REQUEST_CHANNEL, CALL_CHANNELS, CALL_NAMES, DROPPED_FILE_CHANNEL, EVENT_CHANNELS, EVENT_NAMES, type VoxtralApi } from '../../../electron/common/ipc-contract';
import type { createFakeElectron } from './fake-electron';

const h = vi.hoisted(() => ({ fake: null as unknown as ReturnType<typeof createFakeElectron> }));
vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fake-electron');
  h.fake = createFakeElectron(() => '/unused');
  return h.fake.module;
});
await import('../../../electron/preload/preload');
const api = () => h.fake.exposed.voxtral as VoxtralApi;

describe('preload', () => {
  it('exposes exactly the contract as window.voxtral', () => {
    expect(Object.keys(h.fake.exposed)).toEqual(['voxtral']);
    expect(Object.keys(api()).sort()).toEqual([...CALL_NAMES, 'on', 'registerDroppedFile', 'requestAudioPort'].sort());
    expect(Object.keys(api().on).sort()).toEqual([...EVENT_NAMES].sort());
    for (const name of CALL_NAMES) expect(typeof api()[name]).toBe('function');
  });

  it('sends each call on its channel and returns main’s answer', async () => {
    expect(await api().getSettings()).toEqual({ ok: true, value: CALL_CHANNELS.getSettings });
    await api().updateSettings({ insertion: { mode: 'type' } });
    expect(h.fake.invoked).toEqual([
      { channel: CALL_CHANNELS.getSettings, request: undefined },
      { channel: CALL_CHANNELS.updateSettings, request: { insertion: { mode: 'type' } } },
    ]);
  });

  it('gives event listeners the payload only, and lets them unsubscribe', () => {
    const seen: unknown[] = [];
    const off = api().on.notice((payload) => seen.push(payload));
    h.fake.rendererIpc.emit(EVENT_CHANNELS.notice, { sender: 'ipc internals' }, { kind: 'info', message: 'hi' });
    off();
    h.fake.rendererIpc.emit(EVENT_CHANNELS.notice, {}, { kind: 'info', message: 'after' });
    expect(seen).toEqual([{ kind: 'info', message: 'hi' }]);
    expect(() => api().on.state('not a function' as never)).toThrow(TypeError);
  });

  it('requests an audio port and hands the port it gets to the page', async () => {
    api().requestAudioPort();
    expect(h.fake.sentFromRenderer).toEqual([AUDIO_PORT_REQUEST_CHANNEL]);
    const { port1 } = new MessageChannel();
    const received = new Promise<MessageEvent>((resolve) => window.addEventListener('message', resolve, { once: true }));
    const post = vi.spyOn(window, 'postMessage');
    h.fake.rendererIpc.emit(AUDIO_PORT_CHANNEL, { ports: [port1] });
    expect(post).toHaveBeenCalledWith({ type: 'voxtral:audio-port' }, window.location.origin, [port1]);
    await received;
  });

  it('registers a dropped File by the path Electron gives it; a File made by page script goes with no path', async () => {
    h.fake.invoked.length = 0;
    const dropped = Object.assign(new File(['RIFF'], 'talk.wav'), { diskPath: '/home/user/talk.wav' });
    await api().registerDroppedFile(dropped);
    await api().registerDroppedFile(new File(['RIFF'], 'forged.wav'));
    await api().registerDroppedFile('/etc/passwd' as never); // not a File: webUtils finds nothing
    expect(h.fake.invoked).toEqual([
      { channel: DROPPED_FILE_CHANNEL, request: { purpose: 'audio', path: '/home/user/talk.wav' } },
      { channel: DROPPED_FILE_CHANNEL, request: { purpose: 'audio', path: '' } },
      { channel: DROPPED_FILE_CHANNEL, request: { purpose: 'audio', path: '' } },
    ]);
  });
});
