/**
 * Band-limited resampling by windowed sinc (Kaiser, ~80 dB stopband). The low-pass edge sits just
 * below the lower Nyquist frequency, so content above it (e.g. a 9 kHz tone going to 16 kHz) is
 * removed instead of aliasing into the speech band. The kernel is tabulated at fine sub-sample
 * phases and linearly interpolated.
 */
const PHASES = 256;
const STOPBAND_DB = 80;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

export interface ResamplerDesign {
  /** Low-pass cutoff (−6 dB point) in Hz. */
  cutoffHz: number;
  /** Transition band width in Hz (passband edge = cutoff − width/2). */
  transitionHz: number;
  /** Kernel half-width in input samples. */
  halfTaps: number;
}

export function designResampler(fromRate: number, toRate: number): ResamplerDesign {
  const nyquist = Math.min(fromRate, toRate) / 2;
  // Passband to 90 % of the lower Nyquist, stopband from Nyquist on.
  const transitionHz = nyquist * 0.1;
  const cutoffHz = nyquist - transitionHz / 2;
  const taps = Math.ceil((STOPBAND_DB - 8) / (2.285 * 2 * Math.PI * (transitionHz / fromRate)));
  return { cutoffHz, transitionHz, halfTaps: Math.ceil(taps / 2) + 1 };
}

/** The kernel h(d), tabulated at d = p / PHASES for p in [0, halfTaps * PHASES + 1] (h is symmetric). */
function kernelTable(fromRate: number, design: ResamplerDesign): Float64Array {
  const { cutoffHz, halfTaps } = design;
  const fc = cutoffHz / fromRate; // cycles per input sample
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const i0beta = besselI0(beta);
  const table = new Float64Array(halfTaps * PHASES + 2);
  for (let p = 0; p < table.length; p++) {
    const d = p / PHASES;
    const r = d / halfTaps;
    const win = r >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
    const x = 2 * fc * d;
    const sinc = d === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    table[p] = 2 * fc * sinc * win;
  }
  return table;
}

/** Phase tables past this many weights are not kept (rates with a large common period). */
const MAX_CACHED_WEIGHTS = 1 << 20;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The filter's weights for each output sample, shared by the whole-file and the streaming
 * resampler. Output n sits at input position n · from / to; for whole-number rates that position's
 * fraction repeats every to / gcd outputs (160 for 44.1 → 16 kHz, 1 for 48 → 16 kHz), so each
 * phase's 2 · halfTaps weights are worked out once and every output is a plain dot product
 * (2.7× faster than evaluating the kernel per tap, docs/benchmarks.md; the same weights either way).
 */
export class ResampleKernel {
  readonly halfTaps: number;
  private readonly table: Float64Array;
  /** from / to in lowest terms, when both rates are whole numbers (else 0). */
  private readonly num: number;
  private readonly den: number;
  private readonly phases: (Float64Array | undefined)[] | null;

  constructor(readonly fromRate: number, readonly toRate: number) {
    if (!(fromRate > 0 && toRate > 0 && Number.isFinite(fromRate) && Number.isFinite(toRate))) {
      throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
    }
    const design = designResampler(fromRate, toRate);
    this.halfTaps = design.halfTaps;
    this.table = kernelTable(fromRate, design);
    const whole = Number.isInteger(fromRate) && Number.isInteger(toRate);
    const g = whole ? gcd(fromRate, toRate) : 1;
    this.num = whole ? fromRate / g : 0;
    this.den = whole ? toRate / g : 0;
    this.phases = whole && this.den * 2 * this.halfTaps <= MAX_CACHED_WEIGHTS ? new Array(this.den) : null;
  }

  /** The input index at or before output n's position. */
  center(n: number): number {
    return this.num ? Math.floor((n * this.num) / this.den) : Math.floor((n * this.fromRate) / this.toRate);
  }

  /**
   * Output n: the weighted sum of src[from … to] (inclusive), where src[first] is input
   * center(n) − halfTaps + 1 (taps outside [from, to] are left out: zeros past the signal).
   */
  apply(n: number, src: Float32Array, first: number, from: number, to: number): number {
    const w = this.cachedWeights(n);
    let acc = 0;
    if (w) {
      for (let k = from; k <= to; k++) acc += src[k] * w[k - first];
      return acc;
    }
    // No table for this phase (rates without a short common period): the kernel per tap.
    const frac = this.num ? ((n * this.num) % this.den) / this.den : (n * this.fromRate) / this.toRate - this.center(n);
    const { table, halfTaps } = this;
    for (let k = from; k <= to; k++) {
      const a = Math.abs(frac - (k - first - halfTaps + 1)) * PHASES;
      const i = Math.floor(a);
      if (i >= table.length - 1) continue;
      const f = a - i;
      acc += src[k] * (table[i] * (1 - f) + table[i + 1] * f);
    }
    return acc;
  }

  private cachedWeights(n: number): Float64Array | null {
    if (!this.phases) return null;
    const r = (n * this.num) % this.den; // the phase: n · from / to = center + r / den
    return (this.phases[r] ??= this.fill(new Float64Array(2 * this.halfTaps), r / this.den));
  }

  /** w[j] = h(frac − (j − halfTaps + 1)): the kernel at each tap's distance from the position. */
  private fill(w: Float64Array, frac: number): Float64Array {
    const { table, halfTaps } = this;
    for (let j = 0; j < w.length; j++) {
      const a = Math.abs(frac - (j - halfTaps + 1)) * PHASES;
      const i = Math.floor(a);
      if (i >= table.length - 1) {
        w[j] = 0;
        continue;
      }
      const f = a - i;
      w[j] = table[i] * (1 - f) + table[i + 1] * f;
    }
    return w;
  }
}

/** Resamples mono audio from `fromRate` to `toRate` Hz. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
  if (fromRate === toRate) return input.slice();
  const kernel = new ResampleKernel(fromRate, toRate);
  const { halfTaps } = kernel;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  for (let n = 0; n < outLength; n++) {
    const center = kernel.center(n);
    const first = center - halfTaps + 1;
    // Taps outside the signal read zeros: skipped.
    out[n] = kernel.apply(n, input, first, Math.max(0, first), Math.min(input.length - 1, center + halfTaps));
  }
  return out;
}
