// Microphone capture on an AudioWorklet (the MicrophoneCapture that driveCapture opens and closes).
// The device runs at its own rate; the worklet (capture-worklet.ts) resamples to 16 kHz and cuts
// 80 ms frames, which this page-side half forwards to the core's frame port with the buffers
// transferred. After the first dictation the microphone stays open ("warm") with the worklet
// holding a short pre-roll, so the next dictation starts with no device start-up gap and keeps the
// moment before the press. Device changes (unplugged, new default) reopen the chosen input.

import workletUrl from './capture-worklet.ts?worker&url';
import type { VoxtralClient } from '../ipc/client';
import type { MicrophoneCapture } from './capture';
import { FramePort, openFramePort } from './frame-port';
import { CAPTURE_PROCESSOR_NAME, type WorkletCommand, type WorkletFrame } from './worklet-messages';

/** Frames kept while warm and not sending: 320 ms before the press. */
const PRE_ROLL_FRAMES = 4;

interface OpenDevice {
  deviceId: string | null;
  context: AudioContext;
  stream: MediaStream;
  node: AudioWorkletNode;
}

export class WorkletCapture implements MicrophoneCapture {
  private device: OpenDevice | null = null;
  private port: FramePort | null = null;
  private wantedDevice: string | null = null;
  private deviceChain: Promise<void> = Promise.resolve();
  /** The rate the last device ran at, so the next context can be ready before the device opens. */
  private lastRate: number | null = null;
  private readonly onDeviceChange = () => void this.followDevices();

  constructor(private readonly client: VoxtralClient, private readonly media: MediaDevices = navigator.mediaDevices) {
    media.addEventListener?.('devicechange', this.onDeviceChange);
  }

  /** Opens the microphone without sending, so a dictation can start with no device start-up gap. */
  warm(deviceId: string | null): Promise<void> {
    this.wantedDevice = deviceId;
    return this.ensureDevice(deviceId);
  }

  /** Whether the microphone is open (sending or not). */
  get isWarm(): boolean {
    return this.device !== null;
  }

  async start(deviceId: string | null): Promise<void> {
    this.wantedDevice = deviceId;
    const port = await openFramePort(this.client);
    this.port = port;
    try {
      await this.ensureDevice(deviceId);
    } catch (err) {
      this.port = null;
      port.close();
      throw err;
    }
    this.command({ type: 'send' });
  }

  async stop(): Promise<void> {
    this.command({ type: 'hold' });
    const port = this.port;
    this.port = null;
    port?.close(); // the core gets 'end'; the microphone stays warm for the next dictation
  }

  /** Closes the microphone entirely (window hidden, app quitting, microphone setting changed). */
  async release(): Promise<void> {
    await this.stop();
    await this.closeDevice();
  }

  dispose(): void {
    this.media.removeEventListener?.('devicechange', this.onDeviceChange);
    void this.release();
  }

  /** Opens, reopens and closes run one at a time (a warm-up and a start may overlap). */
  private ensureDevice(deviceId: string | null): Promise<void> {
    const next = this.deviceChain.then(() => this.ensureDeviceNow(deviceId));
    this.deviceChain = next.catch(() => undefined);
    return next;
  }

  private async ensureDeviceNow(deviceId: string | null): Promise<void> {
    const open = this.device;
    if (open && open.deviceId === deviceId && open.stream.getAudioTracks().some((t) => t.readyState === 'live')) {
      if (open.context.state === 'suspended') await open.context.resume();
      return;
    }
    await this.closeDevice();
    this.device = await this.openDevice(deviceId);
  }

  private async openDevice(deviceId: string | null): Promise<OpenDevice> {
    // The audio graph is made ready first: sound that arrives before it runs is lost.
    let context = await this.prepareContext(this.lastRate);
    let stream: MediaStream;
    try {
      stream = await this.media.getUserMedia({
        audio: {
          ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
          // The model wants the raw voice: no processing that pumps or gates it.
          echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1,
        },
      });
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
    const track = stream.getAudioTracks()[0];
    // Run at the device's own rate: one resampling, ours, band-limited (not the browser's as well).
    const rate = track?.getSettings().sampleRate ?? null;
    if (rate && rate !== context.sampleRate) {
      await context.close().catch(() => undefined);
      try {
        context = await this.prepareContext(rate);
      } catch (err) {
        for (const t of stream.getTracks()) t.stop();
        throw err;
      }
    }
    this.lastRate = context.sampleRate;
    const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { preRollFrames: PRE_ROLL_FRAMES },
    });
    node.port.onmessage = (event: MessageEvent<WorkletFrame>) => this.forward(event.data);
    context.createMediaStreamSource(stream).connect(node);
    node.connect(context.destination); // pulls the graph; the node outputs silence
    track?.addEventListener('ended', this.onDeviceChange);
    if (context.state === 'suspended') await context.resume();
    return { deviceId, context, stream, node };
  }

  private async prepareContext(rate: number | null): Promise<AudioContext> {
    const context = new AudioContext(rate ? { sampleRate: rate, latencyHint: 'interactive' } : { latencyHint: 'interactive' });
    try {
      await context.audioWorklet.addModule(workletUrl);
      if (context.state === 'suspended') await context.resume();
      return context;
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
  }

  private forward(frame: WorkletFrame): void {
    if (frame?.type !== 'frame' || !this.port) return;
    this.port.postFrame(frame.samples);
  }

  /** The chosen input vanished or the default changed: reopen, keeping a running dictation going. */
  private async followDevices(): Promise<void> {
    const open = this.device;
    if (!open) return;
    const inputs = (await this.media.enumerateDevices()).filter((d) => d.kind === 'audioinput');
    const live = open.stream.getAudioTracks().some((t) => t.readyState === 'live');
    const chosenGone = open.deviceId !== null && !inputs.some((d) => d.deviceId === open.deviceId);
    if (live && !chosenGone && open.deviceId !== null) return;
    const sending = this.port !== null;
    await this.closeDevice();
    // A vanished chosen device falls back to the system default rather than going silent.
    const next = chosenGone ? null : this.wantedDevice;
    this.device = await this.openDevice(next);
    if (sending) this.command({ type: 'send' });
  }

  private command(command: WorkletCommand): void {
    this.device?.node.port.postMessage(command);
  }

  private async closeDevice(): Promise<void> {
    const open = this.device;
    this.device = null;
    if (!open) return;
    open.node.port.onmessage = null;
    open.node.disconnect();
    for (const t of open.stream.getTracks()) t.stop();
    await open.context.close().catch(() => undefined);
  }
}
