// Streaming band-limited resampler for live capture (device rate → 16 kHz), one block at a time.
// Same filter design as the engine's whole-file resampler (native-models/js/audio/resample.ts:
// Kaiser windowed sinc, ~80 dB stopband, passband to 90 % of the lower Nyquist), evaluated with a
// history carried across blocks so block boundaries are seamless: feeding a signal in any split
// gives the same samples as feeding it whole. Runs inside the AudioWorklet; no DOM, no Node.

import { designResampler, kernelTable, KERNEL_PHASES as PHASES } from '../../../native-models/js/audio/resample';

export class StreamingResampler {
  /** Kernel half-width in input samples; also the resampler's delay in input samples. */
  readonly halfTaps: number;
  private readonly table: Float64Array;
  private history: Float32Array;
  private length: number;
  /** Input samples dropped from the front of `history` so far. */
  private dropped = 0;
  /** Output samples produced so far. */
  private produced = 0;

  constructor(readonly fromRate: number, readonly toRate: number) {
    if (!(fromRate > 0 && toRate > 0 && Number.isFinite(fromRate) && Number.isFinite(toRate))) {
      throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
    }
    const design = designResampler(fromRate, toRate);
    const { halfTaps } = design;
    this.halfTaps = halfTaps;
    this.table = kernelTable(fromRate, design);
    // Silence before the stream starts, so the first outputs have their left context.
    this.history = new Float32Array(4 * halfTaps + 4096);
    this.length = halfTaps;
    this.dropped = -halfTaps;
  }

  /** Resamples one block; returns the output samples it completes (possibly none). */
  process(input: Float32Array): Float32Array {
    this.append(input);
    const out: number[] = [];
    const { fromRate, toRate, halfTaps } = this;
    for (;;) {
      // Exact position of the next output in input samples (integers, so no drift over hours).
      const t = (this.produced * fromRate) / toRate - this.dropped;
      const center = Math.floor(t);
      if (center + halfTaps >= this.length) break;
      out.push(this.sampleAt(t, center));
      this.produced += 1;
    }
    this.discardBefore(Math.floor((this.produced * fromRate) / toRate - this.dropped) - halfTaps + 1);
    return Float32Array.from(out);
  }

  private sampleAt(t: number, center: number): number {
    const { table, history, halfTaps } = this;
    let acc = 0;
    for (let k = center - halfTaps + 1; k <= center + halfTaps; k++) {
      const a = Math.abs(t - k) * PHASES;
      const i = Math.floor(a);
      if (i >= table.length - 1) continue;
      const f = a - i;
      acc += history[k] * (table[i] * (1 - f) + table[i + 1] * f);
    }
    return acc;
  }

  private append(input: Float32Array): void {
    if (this.length + input.length > this.history.length) {
      const grown = new Float32Array(Math.max(this.history.length * 2, this.length + input.length));
      grown.set(this.history.subarray(0, this.length));
      this.history = grown;
    }
    this.history.set(input, this.length);
    this.length += input.length;
  }

  private discardBefore(index: number): void {
    if (index <= 0) return;
    this.history.copyWithin(0, index, this.length);
    this.length -= index;
    this.dropped += index;
  }
}
