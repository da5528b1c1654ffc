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

/** The kernel h(d), tabulated at d = p / KERNEL_PHASES for p in [0, halfTaps * KERNEL_PHASES + 1]
 * (h is symmetric). Shared by the whole-file resampler here and the live-capture streaming one. */
export const KERNEL_PHASES = PHASES;
export function kernelTable(fromRate: number, design: ResamplerDesign): Float64Array {
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

/** Resamples mono audio from `fromRate` to `toRate` Hz. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
  if (fromRate === toRate) return input.slice();
  const design = designResampler(fromRate, toRate);
  const { halfTaps } = design;
  const table = kernelTable(fromRate, design);
  const kernel = (d: number): number => {
    const a = Math.abs(d) * PHASES;
    const i = Math.floor(a);
    if (i >= table.length - 1) return 0;
    const f = a - i;
    return table[i] * (1 - f) + table[i + 1] * f;
  };
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const step = fromRate / toRate;
  for (let n = 0; n < outLength; n++) {
    const t = n * step;
    const center = Math.floor(t);
    const lo = Math.max(0, center - halfTaps + 1);
    const hi = Math.min(input.length - 1, center + halfTaps);
    let acc = 0;
    for (let k = lo; k <= hi; k++) acc += input[k] * kernel(t - k);
    out[n] = acc;
  }
  return out;
}
