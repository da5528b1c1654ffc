// Streaming band-limited resampler (any rate → 16 kHz), one block at a time: live capture in the
// AudioWorklet, and decoded audio files too long to hold at their own rate. Same filter design as
// the whole-file resampler (resample.ts: Kaiser windowed sinc, ~80 dB stopband, passband to 90 %
// of the lower Nyquist), evaluated with a history carried across blocks so block boundaries are
// seamless: feeding a signal in any split gives the same samples as feeding it whole, and with
// flush() the same samples as resample() on the whole signal. No DOM, no Node.

import { appendFloats } from './float-buffer';
import { ResampleKernel } from './resample';

export class StreamingResampler {
  /** Kernel half-width in input samples; also the resampler's delay in input samples. */
  readonly halfTaps: number;
  private readonly kernel: ResampleKernel;
  private history: Float32Array;
  private length: number;
  /** Input samples dropped from the front of `history` so far. */
  private dropped = 0;
  /** Output samples produced so far. */
  private produced = 0;
  /** Input samples received so far. */
  private received = 0;

  constructor(readonly fromRate: number, readonly toRate: number) {
    this.kernel = new ResampleKernel(fromRate, toRate); // refuses nonsense rates
    const { halfTaps } = this.kernel;
    this.halfTaps = halfTaps;
    // Silence before the stream starts, so the first outputs have their left context.
    this.history = new Float32Array(4 * halfTaps + 4096);
    this.length = halfTaps;
    this.dropped = -halfTaps;
  }

  /** Resamples one block; returns the output samples it completes (possibly none). */
  process(input: Float32Array): Float32Array {
    this.append(input);
    this.received += input.length;
    return this.drain(Number.POSITIVE_INFINITY);
  }

  /**
   * Ends the stream: the outputs still waiting for right context, computed with silence past the
   * end, up to floor(received * toRate / fromRate) outputs in all (as resample() gives). The
   * resampler takes no more input after this.
   */
  flush(): Float32Array {
    const total = Math.floor((this.received * this.toRate) / this.fromRate);
    this.append(new Float32Array(this.halfTaps + 1));
    const tail = this.drain(total);
    this.received = Number.NaN; // process() after flush() would misplace samples: fail loudly
    return tail;
  }

  /** Every output whose right context has arrived, at most up to output index `limit`. */
  private drain(limit: number): Float32Array {
    if (!Number.isFinite(this.received)) throw new Error('StreamingResampler: process() or flush() after flush()');
    const { kernel, halfTaps } = this;
    // Output n's position in `history`: the kernel's input index less what was dropped.
    const center = (n: number): number => kernel.center(n) - this.dropped;
    let n = this.produced;
    while (n < limit && center(n) + halfTaps < this.length) n += 1;
    const out = new Float32Array(n - this.produced);
    const { history } = this;
    for (let i = 0; i < out.length; i++) {
      const at = this.produced + i;
      const first = center(at) - halfTaps + 1;
      out[i] = kernel.apply(at, history, first, first, first + 2 * halfTaps - 1);
    }
    this.produced = n;
    this.discardBefore(center(n) - halfTaps + 1);
    return out;
  }

  private append(input: Float32Array): void {
    this.history = appendFloats(this.history, this.length, input);
    this.length += input.length;
  }

  private discardBefore(index: number): void {
    if (index <= 0) return;
    this.history.copyWithin(0, index, this.length);
    this.length -= index;
    this.dropped += index;
  }
}
