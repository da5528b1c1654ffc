// Microphone capture that follows the devices: opens the chosen input (or the system default),
// keeps it open between dictations ("warm"), and reacts to `devicechange` and to its track ending:
// - the chosen input vanishes (unplugged) → reopen on the system default and keep sending on the
//   same frame port, so the dictation goes on with its earlier frames intact; a `fallback` event
//   lets the page say so. A chosen input that is missing when the microphone opens does the same.
// - the chosen input comes back → used again from the next dictation (never switched mid-sentence;
//   while no dictation runs the warm microphone moves to it at once), with a `restored` event.
// - on the default input, only a dead track or a new system default reopens it.
// - no input can be opened → `lost`: the frame port is closed, so the core ends the dictation and
//   keeps its words; the next input plugged in is opened (warm) again.
// - audio the system captured but dropped while sending (capture-loss.ts) is summed over the
//   dictation's devices and reported with a `dropped` event when it ends.
// The Web Audio part is a CaptureGraphs (worklet-graph.ts in the app), the port comes from
// `openPort` (frame-port.ts), so tests drive this with fakes.

import type { DeviceEvent, MicrophoneCapture } from './capture';
import type { CaptureGraph, CaptureGraphs } from './capture-graph';
import { lostBetween, readTrackTotals, REPORT_LOST_MS, type TrackAudioTotals } from './capture-loss';
import type { WorkletCommand } from './worklet-messages';

export interface FrameSink {
  postFrame(samples: Float32Array): void;
  /** Ends the stream (the core gets 'end'). */
  close(): void;
}

/** What of navigator.mediaDevices capture uses. */
export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>;

export interface DeviceCaptureOptions {
  media: MediaDevicesLike;
  graphs: CaptureGraphs;
  openPort: () => Promise<FrameSink>;
}

interface OpenDevice {
  /** What was asked for: a device id, or null for the system default. */
  deviceId: string | null;
  graph: CaptureGraph;
  track: MediaStreamTrack | undefined;
}

const isLive = (device: OpenDevice) => device.graph.stream.getAudioTracks().some((t) => t.readyState === 'live');
/** What getUserMedia throws for an exact deviceId that is not connected. */
const isMissingDevice = (err: unknown) => ['OverconstrainedError', 'NotFoundError'].includes((err as Error)?.name);

export class DeviceCapture implements MicrophoneCapture {
  private device: OpenDevice | null = null;
  private port: FrameSink | null = null;
  private wanted: string | null = null;
  /** Warmed or started and not released: a microphone plugged in after all were gone is opened. */
  private keepOpen = false;
  /** Between start() and stop(): frames should reach the core (a lost microphone's return resumes them). */
  private sendWanted = false;
  /** The chosen input we fell back from (to the default), while that lasts. */
  private fallbackFrom: string | null = null;
  /** The open track's totals when it began sending (null: not sending, or not counted). */
  private totalsAtSend: TrackAudioTotals | null = null;
  /** Audio the system dropped during this dictation on devices already settled. */
  private lostMs = 0;
  private readonly labels = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(event: DeviceEvent) => void>();
  private readonly onDeviceChange = () => void this.queue(() => this.followDevices()).catch(() => undefined);

  constructor(private readonly options: DeviceCaptureOptions) {
    options.media.addEventListener?.('devicechange', this.onDeviceChange);
  }

  onDeviceEvent(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Opens the microphone without sending, so a dictation can start with no device start-up gap. */
  warm(deviceId: string | null): Promise<void> {
    this.wanted = deviceId;
    this.keepOpen = true;
    return this.queue(async () => {
      await this.ensureDevice(deviceId);
      // Switched while sending (start-on-speech armed: idle, yet streaming to the VAD): the new
      // graph starts on hold, so tell it to send or the core hears nothing from now on.
      if (this.port) this.command({ type: 'send' });
    });
  }

  /** Whether the microphone is open (sending or not). */
  get isWarm(): boolean {
    return this.device !== null;
  }

  async start(deviceId: string | null): Promise<void> {
    this.wanted = deviceId;
    this.keepOpen = true;
    this.sendWanted = true;
    const port = await this.options.openPort();
    this.port = port;
    try {
      await this.queue(() => this.ensureDevice(deviceId));
    } catch (err) {
      this.sendWanted = false; // the caller knows it failed; a microphone plugged in later stays warm only
      if (this.port === port) this.port = null;
      port.close();
      throw err;
    }
    this.command({ type: 'send' });
  }

  async stop(): Promise<void> {
    this.sendWanted = false;
    this.endSending();
    // A dictation that ran on the fallback: move the warm microphone back if the chosen one returned.
    if (this.fallbackFrom !== null) void this.queue(() => this.followDevices()).catch(() => undefined);
  }

  /** Closes the microphone entirely (no model chosen, app quitting). */
  async release(): Promise<void> {
    this.keepOpen = false;
    this.sendWanted = false;
    this.endSending();
    await this.queue(() => this.closeDevice());
  }

  dispose(): void {
    this.options.media.removeEventListener?.('devicechange', this.onDeviceChange);
    void this.release();
  }

  private endSending(): void {
    this.command({ type: 'hold' });
    const port = this.port;
    this.port = null;
    port?.close(); // the core gets 'end'; the microphone stays warm for the next dictation
    const lostMs = this.lostMs;
    this.lostMs = 0;
    if (port && lostMs >= REPORT_LOST_MS) this.emit({ type: 'dropped', lostMs });
  }

  /** Opens, reopens and closes run one at a time (a warm-up, a start and device events may overlap). */
  private queue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async ensureDevice(wanted: string | null): Promise<void> {
    if (wanted === null) this.fallbackFrom = null; // the default was chosen: nothing to fall back from
    const open = this.device;
    if (open && isLive(open)) {
      const stillFallingBack = open.deviceId === null && wanted !== null && this.fallbackFrom === wanted && !(await this.isConnected(wanted));
      if (open.deviceId === wanted || stillFallingBack) {
        await open.graph.resume();
        return;
      }
    }
    await this.closeDevice();
    this.device = await this.openPreferring(wanted);
  }

  /** The chosen input, else (missing) the default with a `fallback` event. */
  private async openPreferring(wanted: string | null, knownMissing = false): Promise<OpenDevice> {
    if (wanted === null) {
      this.fallbackFrom = null;
      return this.openDevice(null);
    }
    if (!knownMissing) {
      try {
        const device = await this.openDevice(wanted);
        if (this.fallbackFrom === wanted) this.emit({ type: 'restored', chosen: wanted, label: this.labels.get(wanted) ?? null });
        this.fallbackFrom = null;
        return device;
      } catch (err) {
        if (!isMissingDevice(err)) throw err;
      }
    }
    const device = await this.openDevice(null);
    if (this.fallbackFrom !== wanted) this.emit({ type: 'fallback', chosen: wanted, label: this.labels.get(wanted) ?? null });
    this.fallbackFrom = wanted;
    return device;
  }

  private async openDevice(deviceId: string | null): Promise<OpenDevice> {
    const graph = await this.options.graphs.open(() => this.options.media.getUserMedia({
      audio: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        // The model wants the raw voice: no processing that pumps or gates it.
        echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1,
      },
    }), (samples) => this.port?.postFrame(samples));
    const track = graph.stream.getAudioTracks()[0];
    if (deviceId && track?.label) this.labels.set(deviceId, track.label);
    track?.addEventListener('ended', this.onDeviceChange);
    return { deviceId, graph, track };
  }

  /** After `devicechange` or a track ending: keep, reopen or fall back (see the header). */
  private async followDevices(): Promise<void> {
    const open = this.device;
    if (!open) {
      // Every input was gone: open one again as soon as there is one, so the mic is warm for the next press.
      if (this.keepOpen) this.device = await this.openPreferring(this.wanted).catch(() => null);
      // Still wanted sending (start-on-speech armed: the core's state never changed, so nobody
      // calls start() again): a new port, or the VAD stays deaf to the microphone plugged back in.
      if (this.device && this.sendWanted && !this.port) await this.resumeSending();
      return;
    }
    const inputs = (await this.options.media.enumerateDevices()).filter((d) => d.kind === 'audioinput');
    const live = isLive(open);
    const sending = this.port !== null;
    let next: string | null;
    let missing = false;
    if (open.deviceId !== null) {
      missing = !inputs.some((d) => d.deviceId === open.deviceId);
      if (live && !missing) return;
      next = open.deviceId; // unplugged (→ the default) or its track died (→ reopened)
    } else {
      const chosenBack = this.wanted !== null && inputs.some((d) => d.deviceId === this.wanted);
      const systemDefault = inputs.find((d) => d.deviceId === 'default');
      const defaultMoved = systemDefault !== undefined && !!open.track && systemDefault.groupId !== open.track.getSettings().groupId;
      if (chosenBack && (!sending || !live)) next = this.wanted;
      else if (!live || defaultMoved) next = null;
      else return;
    }
    await this.closeDevice();
    try {
      this.device = await this.openPreferring(next, missing);
    } catch (err) {
      const message = `No microphone could be opened: ${(err as Error)?.message ?? err}`;
      const port = this.port;
      this.port = null;
      port?.close(); // the core ends the dictation and keeps its words
      this.emit({ type: 'lost', message });
      return;
    }
    if (sending && this.port) this.command({ type: 'send' });
  }

  private async resumeSending(): Promise<void> {
    let port: FrameSink;
    try {
      port = await this.options.openPort();
    } catch {
      return; // the next start() asks again
    }
    if (!this.sendWanted || this.port || !this.device) {
      port.close(); // stopped (or restarted) meanwhile
      return;
    }
    this.port = port;
    this.command({ type: 'send' });
  }

  private async isConnected(deviceId: string): Promise<boolean> {
    const inputs = await this.options.media.enumerateDevices();
    return inputs.some((d) => d.kind === 'audioinput' && d.deviceId === deviceId);
  }

  private command(command: WorkletCommand): void {
    if (command.type === 'send' && !this.totalsAtSend) this.totalsAtSend = readTrackTotals(this.device?.track);
    if (command.type === 'hold') this.settleLoss();
    this.device?.graph.command(command);
  }

  /** Adds what the open track dropped since it began sending to the dictation's count. */
  private settleLoss(): void {
    if (!this.totalsAtSend) return;
    this.lostMs += lostBetween(this.totalsAtSend, readTrackTotals(this.device?.track));
    this.totalsAtSend = null;
  }

  private emit(event: DeviceEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async closeDevice(): Promise<void> {
    this.settleLoss(); // this device's part of the dictation's count
    const open = this.device;
    this.device = null;
    if (!open) return;
    open.track?.removeEventListener('ended', this.onDeviceChange);
    await open.graph.close();
  }
}
