// The AudioWorklet processor of microphone capture (bundled on its own by Vite, `?worker&url`):
// device-rate input → mono → band-limited resampling to 16 kHz → exact 80 ms frames, posted to the
// page with their buffers transferred. It runs on the audio thread, so the page's main thread being
// busy never drops audio; the page forwards frames to the core while a dictation runs.

import { AUDIO_SAMPLE_RATE } from '../../../electron/common/ipc-contract';
import { FrameAssembler } from './frame-assembler';
import { StreamingResampler } from '../../../native-models/js/audio/streaming-resampler';
import { CAPTURE_PROCESSOR_NAME, type WorkletCommand, type WorkletFrame } from './worklet-messages';

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: new (options: { processorOptions?: unknown }) => unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}



class CaptureProcessor extends AudioWorkletProcessor {
  private readonly resampler = new StreamingResampler(sampleRate, AUDIO_SAMPLE_RATE);
  private readonly frames: FrameAssembler;
  private mono = new Float32Array(128);

  constructor(options: { processorOptions?: unknown }) {
    super();
    const preRoll = (options.processorOptions as { preRollFrames?: number } | undefined)?.preRollFrames ?? 0;
    this.frames = new FrameAssembler((samples) => {
      const message: WorkletFrame = { type: 'frame', samples };
      this.port.postMessage(message, [samples.buffer]);
    }, preRoll);
    this.port.onmessage = (event: MessageEvent<WorkletCommand>) => {
      if (event.data?.type === 'send') this.frames.send();
      else if (event.data?.type === 'hold') this.frames.hold();
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true; // no input connected this quantum
    const n = channels[0].length;
    if (this.mono.length !== n) this.mono = new Float32Array(n);
    this.mono.fill(0);
    for (const channel of channels) for (let i = 0; i < n; i++) this.mono[i] += channel[i] / channels.length;
    this.frames.push(this.resampler.process(this.mono));
    return true; // keep running while the microphone is warm
  }
}

registerProcessor(CAPTURE_PROCESSOR_NAME, CaptureProcessor);
