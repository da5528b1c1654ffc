// Microphone capture following device changes, driven through driveCapture and the real store:
// a fake navigator.mediaDevices (devices plugged and unplugged, `devicechange`, tracks that end),
// a fake capture graph standing in for the AudioWorklet (it emits numbered frames while sending)
// and a fake frame port that records what reaches the core.
import { describe, expect, it } from 'vitest';
import type { DictationStatus, Result } from '../../electron/common/ipc-contract';
import { driveCapture } from '../../renderer/src/audio/capture-driver';
import type { CaptureGraph, CaptureGraphs } from '../../renderer/src/audio/capture-graph';
import { DeviceCapture, type FrameSink } from '../../renderer/src/audio/device-capture';
import type { VoxtralClient } from '../../renderer/src/ipc/client';
import { createAppStore } from '../../renderer/src/stores/app-store';

interface Device { deviceId: string; label: string; groupId: string }

class FakeTrack extends EventTarget {
  readyState: MediaStreamTrackState = 'live';
  /** Chromium's counters (MediaStreamTrack.stats), in ms of audio; null: a browser without them. */
  readonly counted: { captured: number; delivered: number } | null;
  constructor(readonly device: Device, counters: boolean) {
    super();
    this.counted = counters ? { captured: 0, delivered: 0 } : null;
  }
  get stats() {
    return this.counted ? { totalFramesDuration: this.counted.captured, deliveredFramesDuration: this.counted.delivered } : undefined;
  }
  /** `ms` of audio captured, of which `dropped` never reached the page. */
  capture(ms: number, dropped = 0) {
    if (!this.counted) return;
    this.counted.captured += ms;
    this.counted.delivered += ms - dropped;
  }
  get label() { return this.device.label; }
  getSettings() { return { deviceId: this.device.deviceId, groupId: this.device.groupId, sampleRate: 48_000 }; }
  stop() { this.readyState = 'ended'; } // like the browser: stop() fires no 'ended'
  /** The device went away under the track. */
  end() { this.readyState = 'ended'; this.dispatchEvent(new Event('ended')); }
}

class FakeMedia extends EventTarget {
  devices: Device[] = [];
  defaultGroup = '';
  /** Whether the browser counts captured and delivered audio per track. */
  counters = true;
  readonly opened: { asked: string | null; track: FakeTrack }[] = [];
  async enumerateDevices() {
    const inputs = this.devices.map((d) => ({ ...d, kind: 'audioinput' as const }));
    const systemDefault = this.devices.find((d) => d.groupId === this.defaultGroup);
    return (systemDefault ? [{ ...systemDefault, deviceId: 'default', kind: 'audioinput' as const }] : []).concat(inputs) as unknown as MediaDeviceInfo[];
  }
  async getUserMedia(constraints: MediaStreamConstraints) {
    const exact = ((constraints.audio as MediaTrackConstraints).deviceId as { exact?: string } | undefined)?.exact ?? null;
    const device = exact ? this.devices.find((d) => d.deviceId === exact) : this.devices.find((d) => d.groupId === this.defaultGroup);
    if (!device) throw Object.assign(new Error(exact ? 'no such device' : 'Requested device not found'), { name: exact ? 'OverconstrainedError' : 'NotFoundError' });
    const track = new FakeTrack(device, this.counters);
    this.opened.push({ asked: exact, track });
    return { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
  }
  plug(device: Device, asDefault = false) {
    this.devices.push(device);
    if (asDefault) this.defaultGroup = device.groupId;
    this.dispatchEvent(new Event('devicechange'));
  }
  /** Like the browser: the device's tracks end, then the list changes. */
  unplug(deviceId: string) {
    const device = this.devices.find((d) => d.deviceId === deviceId)!;
    this.devices = this.devices.filter((d) => d !== device);
    if (this.defaultGroup === device.groupId) this.defaultGroup = this.devices[0]?.groupId ?? '';
    for (const { track } of this.opened) if (track.device === device && track.readyState === 'live') track.end();
    this.dispatchEvent(new Event('devicechange'));
  }
}

/** Stands in for the AudioWorklet graph: `emit` produces one frame, passed on only while sending. */
class FakeGraphs implements CaptureGraphs {
  readonly graphs: (CaptureGraph & { device: string; sending: boolean; closed: boolean; emit(): void })[] = [];
  private frame = 0;
  async open(openStream: () => Promise<MediaStream>, onFrame: (samples: Float32Array) => void) {
    const stream = await openStream();
    const device = (stream.getAudioTracks()[0] as unknown as FakeTrack).device.deviceId;
    const graph = {
      stream, device, sending: false, closed: false,
      command: (c: { type: 'send' | 'hold' }) => { graph.sending = c.type === 'send'; },
      resume: async () => undefined,
      close: async () => { graph.closed = true; for (const t of stream.getTracks()) t.stop(); },
      emit: () => { if (graph.sending && !graph.closed) onFrame(new Float32Array(1280).fill(++this.frame)); },
    };
    this.graphs.push(graph);
    return graph;
  }
  /** The open graph (the one a frame would come from). */
  get current() { return this.graphs.filter((g) => !g.closed); }
}

/** What the core received on each frame port: [device label, frame number] per frame, and the end. */
class FakePorts {
  readonly ports: { frames: number[]; ended: boolean }[] = [];
  open = async (): Promise<FrameSink> => {
    const port = { frames: [] as number[], ended: false };
    this.ports.push(port);
    return { postFrame: (samples) => { if (!port.ended) port.frames.push(samples[0]); }, close: () => { port.ended = true; } };
  };
}

const USB: Device = { deviceId: 'usb-1', label: 'USB Headset', groupId: 'g-usb' };
const BUILT_IN: Device = { deviceId: 'builtin-1', label: 'Built-in Microphone', groupId: 'g-builtin' };
const status = (state: DictationStatus['state'], sessionId = 's1'): DictationStatus => ({ state, since: 1, sessionId, source: 'mic', error: null });
const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0)); };

function setup(devices: Device[], chosen: string | null) {
  const media = new FakeMedia();
  media.devices = [...devices];
  media.defaultGroup = BUILT_IN.groupId;
  const graphs = new FakeGraphs();
  const ports = new FakePorts();
  const calls: string[] = [];
  const client = {
    call: async (name: string) => { calls.push(name); return { ok: true, value: status('idle') } as Result<unknown>; },
    on: () => () => undefined,
    requestAudioPort: () => undefined,
  } as unknown as VoxtralClient;
  const store = createAppStore(client);
  store.setState({ settings: { microphone: { deviceId: chosen } } as never });
  const capture = new DeviceCapture({ media, graphs, openPort: ports.open });
  driveCapture(store, capture);
  const notices = () => store.getState().notices.map((n) => n.message);
  const asked = () => media.opened.map((o) => o.asked);
  return { media, graphs, ports, store, capture, calls, notices, asked };
}

describe('microphone capture follows device changes', () => {
  it('a chosen microphone unplugged mid-dictation: reopens on the default, same port, no frame lost, a notice', async () => {
    const { media, graphs, ports, store, notices, asked } = setup([BUILT_IN, USB], USB.deviceId);
    store.getState().applyStatus(status('listening'));
    await settle();
    expect(asked()).toEqual(['usb-1']);
    graphs.current[0].emit();
    graphs.current[0].emit();

    media.unplug('usb-1'); // its track ends and the list changes: two signals, one reopen
    await settle();
    expect(asked()).toEqual(['usb-1', null]);
    expect(graphs.graphs.map((g) => [g.device, g.closed])).toEqual([['usb-1', true], ['builtin-1', false]]);
    graphs.current[0].emit();
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1, 2, 3, 4], ended: false }]);
    expect(notices()).toEqual(['USB Headset is not connected: using the system default microphone. It is used again once it is back.']);
    expect(store.getState().dictationError).toBeNull();

    // It comes back during the dictation: no switch mid-sentence.
    media.plug(USB);
    await settle();
    expect(asked()).toEqual(['usb-1', null]);
    graphs.current[0].emit();
    expect(ports.ports[0].frames).toEqual([1, 2, 3, 4, 5]);

    // The dictation ends: the warm microphone moves back to it, and the next dictation uses it.
    store.getState().applyStatus(status('finishing'));
    store.getState().applyStatus(status('idle'));
    await settle();
    expect(ports.ports[0].ended).toBe(true);
    expect(asked()).toEqual(['usb-1', null, 'usb-1']);
    expect(notices().at(-1)).toBe('USB Headset is connected again and in use.');
    store.getState().applyStatus(status('listening', 's2'));
    await settle();
    expect(asked()).toHaveLength(3); // already open: no device start-up at the press
    expect(graphs.current.map((g) => g.device)).toEqual(['usb-1']);
    graphs.current[0].emit();
    expect(ports.ports[1]).toEqual({ frames: [6], ended: false });
  });

  it('a chosen microphone missing when a dictation starts: the default is used with a notice, the dictation runs', async () => {
    const { graphs, ports, store, calls, notices, asked } = setup([BUILT_IN], USB.deviceId);
    store.getState().applyStatus(status('listening'));
    await settle();
    expect(asked()).toEqual([null]); // the exact request failed before opening anything
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1], ended: false }]);
    expect(notices()).toEqual(['The chosen microphone is not connected: using the system default microphone. It is used again once it is back.']);
    expect(calls).not.toContain('cancelDictation');
    // The next dictation, still without it: no second notice, no reopen.
    store.getState().applyStatus(status('idle'));
    await settle();
    store.getState().applyStatus(status('listening', 's2'));
    await settle();
    expect(asked()).toEqual([null]);
    expect(notices()).toHaveLength(1);
  });

  it('on the default microphone: an unrelated device plugged in changes nothing; a new system default is followed', async () => {
    const { media, graphs, ports, store, asked } = setup([BUILT_IN], null);
    store.getState().applyStatus(status('listening'));
    await settle();
    media.plug(USB); // not the default
    await settle();
    expect(asked()).toEqual([null]);
    graphs.current[0].emit();
    media.defaultGroup = USB.groupId; // the user makes it the system default
    media.dispatchEvent(new Event('devicechange'));
    await settle();
    expect(asked()).toEqual([null, null]);
    expect(graphs.current.map((g) => g.device)).toEqual(['usb-1']);
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1, 2], ended: false }]);
    expect(store.getState().notices).toEqual([]);
  });

  it('the last microphone unplugged: the port is closed (the core ends the dictation, keeping its words) and the user is told', async () => {
    const { media, graphs, ports, store, asked } = setup([BUILT_IN], null);
    store.getState().applyStatus(status('listening'));
    await settle();
    graphs.current[0].emit();
    media.unplug('builtin-1');
    await settle();
    expect(asked()).toEqual([null]);
    expect(ports.ports).toEqual([{ frames: [1], ended: true }]);
    expect(store.getState().dictationError?.message).toBe('No microphone could be opened: Requested device not found');
    // Plugged back in: the next dictation opens it.
    store.getState().applyStatus(status('idle'));
    await settle();
    media.plug(BUILT_IN, true);
    store.getState().applyStatus(status('listening', 's2'));
    await settle();
    expect(asked()).toEqual([null, null]);
    graphs.current[0].emit();
    expect(ports.ports[1]).toEqual({ frames: [2], ended: false });
  });

  it('the warm microphone unplugged while idle: a notice, not an error; one plugged in is opened warm for the next dictation', async () => {
    const { media, graphs, ports, store, capture, notices, asked } = setup([BUILT_IN], null);
    await capture.warm(null);
    media.unplug('builtin-1');
    await settle();
    expect(notices()).toEqual(['No microphone could be opened: Requested device not found']);
    expect(store.getState().dictationError).toBeNull();
    expect(capture.isWarm).toBe(false);
    media.plug(USB, true);
    await settle();
    expect(asked()).toEqual([null, null]);
    expect(capture.isWarm).toBe(true);
    store.getState().applyStatus(status('listening'));
    await settle();
    expect(asked()).toEqual([null, null]); // already open at the press
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1], ended: false }]);
  });

  it('while warm and idle, the chosen microphone returning is taken back at once', async () => {
    const { media, graphs, capture, notices, asked } = setup([BUILT_IN], USB.deviceId);
    await capture.warm(USB.deviceId);
    expect(asked()).toEqual([null]);
    media.plug(USB);
    await settle();
    expect(asked()).toEqual([null, 'usb-1']);
    expect(graphs.current.map((g) => g.device)).toEqual(['usb-1']);
    expect(notices()).toHaveLength(2);
    expect(notices()[1]).toBe('USB Headset is connected again and in use.');
  });

  // Start-on-speech: while armed the core is idle but the microphone streams to its VAD.
  const armedIdle = (): DictationStatus => ({ ...status('idle'), handsFree: { available: true, reason: null, armed: true } });

  it('while armed, a microphone chosen in Settings (keep-warm switches to it) keeps streaming to the VAD', async () => {
    const { graphs, ports, store, capture, asked } = setup([BUILT_IN, USB], null);
    store.getState().applyStatus(armedIdle());
    await settle();
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1], ended: false }]);
    await capture.warm(USB.deviceId); // what keepMicrophoneWarm does when the setting changes
    await settle();
    expect(asked()).toEqual([null, 'usb-1']);
    expect(graphs.current.map((g) => g.device)).toEqual(['usb-1']);
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1, 2], ended: false }]);
  });

  it('while armed, the last microphone unplugged and plugged back in: the VAD hears it again', async () => {
    const { media, graphs, ports, store, notices } = setup([BUILT_IN], null);
    store.getState().applyStatus(armedIdle());
    await settle();
    graphs.current[0].emit();
    media.unplug('builtin-1');
    await settle();
    expect(ports.ports).toEqual([{ frames: [1], ended: true }]);
    expect(notices()).toEqual(['No microphone could be opened: Requested device not found']);
    media.plug(BUILT_IN, true);
    await settle();
    graphs.current[0].emit();
    expect(ports.ports).toEqual([{ frames: [1], ended: true }, { frames: [2], ended: false }]);
    // Disarmed (the setting turned off): sending stops, nothing reopens.
    store.getState().applyStatus(status('idle'));
    await settle();
    expect(ports.ports[1].ended).toBe(true);
  });

  it('a start that failed (no microphone) sends nothing later by itself: the driver knows it failed', async () => {
    const { media, ports, store } = setup([], null);
    store.getState().applyStatus(armedIdle());
    await settle();
    expect(ports.ports).toEqual([{ frames: [], ended: true }]);
    expect(store.getState().dictationError?.message).toMatch(/^The microphone could not be opened/);
    media.plug(BUILT_IN, true);
    await settle();
    expect(ports.ports).toHaveLength(1);
  });

  it('audio the system dropped during a dictation is counted over its devices and reported once when it ends', async () => {
    const { media, store, notices } = setup([BUILT_IN, USB], USB.deviceId);
    const track = (i: number) => media.opened[i].track;
    store.getState().applyStatus(status('idle'));
    await settle();
    store.getState().applyStatus(status('listening'));
    await settle();
    track(0).capture(500, 0);
    track(0).capture(400, 30); // the page fell behind: 30 ms never delivered
    media.unplug('usb-1'); // the rest of the dictation runs on the default microphone
    await settle();
    track(1).capture(2000, 40);
    expect(notices()).toHaveLength(1); // the fallback notice only: nothing reported mid-dictation
    store.getState().applyStatus(status('finishing'));
    await settle();
    expect(notices().at(-1)).toBe('The system dropped 70 ms of microphone audio during that dictation (the computer was too busy to keep up): words spoken then may be missing.');

    // The next dictation starts from zero: audio dropped while warm and idle is not counted, and
    // 20 ms in the dictation is below what is worth telling.
    track(1).capture(1000, 500);
    store.getState().applyStatus(status('idle'));
    await settle();
    store.getState().applyStatus(status('listening', 's2'));
    await settle();
    track(1).capture(3000, 20);
    store.getState().applyStatus(status('finishing', 's2'));
    await settle();
    expect(notices()).toHaveLength(2);
  });

  it('a browser without the counters reports nothing', async () => {
    const { media, graphs, ports, store } = setup([BUILT_IN], null);
    media.counters = false;
    store.getState().applyStatus(status('listening'));
    await settle();
    graphs.current[0].emit();
    media.opened[0].track.capture(1000, 500);
    store.getState().applyStatus(status('finishing'));
    await settle();
    expect(ports.ports).toEqual([{ frames: [1], ended: true }]);
    expect(store.getState().notices).toEqual([]);
  });

  it('a dictation that lost its microphone ends; one plugged back in before the stop is not sent to the core', async () => {
    const { media, graphs, ports, store } = setup([BUILT_IN], null);
    store.getState().applyStatus(status('listening'));
    await settle();
    media.unplug('builtin-1');
    await settle();
    store.getState().applyStatus(status('finishing'));
    media.plug(BUILT_IN, true);
    await settle();
    graphs.current[0]?.emit();
    expect(ports.ports).toEqual([{ frames: [], ended: true }]);
  });
});
