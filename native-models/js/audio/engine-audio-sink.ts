/**
 * Collects decoded audio, block by block, as the engine's input: channels mixed to mono and
 * resampled to 16 kHz as the blocks arrive, so a long file is never held at its own rate and
 * channel count (an hour of 48 kHz stereo is 1.4 GB as floats; at 16 kHz mono, 230 MB).
 */
import { appendFloats } from './float-buffer.js';
import { StreamingResampler } from './streaming-resampler.js';
import { mixToMono } from './wav.js';

export const ENGINE_SAMPLE_RATE = 16000;

export class AudioTooLongError extends Error {
  constructor(readonly maxSeconds: number) {
    super(`longer than ${formatHours(maxSeconds)}`);
    this.name = 'AudioTooLongError';
  }
}

function formatHours(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

export class EngineAudioSink {
  private out = new Float32Array(ENGINE_SAMPLE_RATE * 10);
  private length = 0;
  private resampler: StreamingResampler | null = null;
  /** The source's first sample rate and largest channel count, for reports. */
  sourceRate = 0;
  sourceChannels = 0;

  /** `maxSeconds`: refuse (AudioTooLongError) audio longer than this at 16 kHz. */
  constructor(private readonly maxSeconds = Number.POSITIVE_INFINITY) {}

  /** One block of decoded audio: one array per channel, all the same length, at `sampleRate`. */
  push(channels: Float32Array[], sampleRate: number): void {
    const frames = channels[0]?.length ?? 0;
    if (frames === 0) return;
    if (!(sampleRate > 0)) throw new RangeError(`bad sample rate ${sampleRate}`);
    if (this.sourceRate === 0) this.sourceRate = sampleRate;
    this.sourceChannels = Math.max(this.sourceChannels, channels.length);
    if (this.resampler && this.resampler.fromRate !== sampleRate) this.endResampler(); // a chained stream at another rate
    // Already at 16 kHz: taken as is, as resample() does (ffmpeg's output, 16 kHz files).
    if (sampleRate === ENGINE_SAMPLE_RATE) return this.append(mixToMono(channels));
    this.resampler ??= new StreamingResampler(sampleRate, ENGINE_SAMPLE_RATE);
    this.append(this.resampler.process(mixToMono(channels)));
  }

  /** The 16 kHz mono samples; the sink takes no more blocks after this. */
  finish(): Float32Array {
    this.endResampler();
    return this.out.slice(0, this.length);
  }

  /** Seconds collected so far (at 16 kHz). */
  get seconds(): number {
    return this.length / ENGINE_SAMPLE_RATE;
  }

  private endResampler(): void {
    if (this.resampler) this.append(this.resampler.flush());
    this.resampler = null;
  }

  private append(samples: Float32Array): void {
    if (this.length + samples.length > this.maxSeconds * ENGINE_SAMPLE_RATE) throw new AudioTooLongError(this.maxSeconds);
    this.out = appendFloats(this.out, this.length, samples);
    this.length += samples.length;
  }
}
