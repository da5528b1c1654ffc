// Audio helpers for the live-dictation proof: a float32 WAV writer (so the CLI reads exactly the
// samples the core received) and an aligned signal-to-noise ratio between two recordings.

/** A mono IEEE-float WAV holding `samples` bit for bit. */
export function writeFloatWav(samples: Float32Array, rate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20); // IEEE float
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(32, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const INTERP_HALF = 64;
const KAISER_BETA = 9;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 60; k++) {
    term *= (x * x) / (4 * k * k);
    sum += term;
  }
  return sum;
}

/** `received` delayed by a fraction of a sample (Kaiser-windowed sinc, 64 taps each side). */
function shifted(received: Float32Array, frac: number): Float32Array {
  const norm = besselI0(KAISER_BETA);
  // out[i] = received(i + frac) = Σ_j received[i + j] · h(frac − j); one kernel for every sample.
  const taps: number[] = [];
  for (let j = -INTERP_HALF + 1; j <= INTERP_HALF; j++) {
    const d = frac - j;
    const r = d / INTERP_HALF;
    const sinc = d === 0 ? 1 : Math.sin(Math.PI * d) / (Math.PI * d);
    taps.push(Math.abs(r) >= 1 ? 0 : sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm));
  }
  const out = new Float32Array(received.length);
  for (let i = INTERP_HALF; i < received.length - INTERP_HALF; i++) {
    let acc = 0;
    for (let t = 0; t < taps.length; t++) acc += received[i - INTERP_HALF + 1 + t] * taps[t];
    out[i] = acc;
  }
  return out;
}

function correlation(reference: Float32Array, received: Float32Array, lag: number, start: number, end: number): number {
  let dot = 0;
  let energy = 0;
  for (let i = Math.max(start, -lag); i < end && i + lag < received.length; i++) {
    const r = received[i + lag];
    dot += reference[i] * r;
    energy += r * r;
  }
  return energy > 0 ? dot / Math.sqrt(energy) : -Infinity;
}

/**
 * Aligns `received` to `reference` (received[i + lag] ≈ reference[i], |lag| ≤ maxLag, found by
 * cross-correlation and refined to 1/24 of a sample: two resamplings leave a fractional delay),
 * fits the gain, and returns the SNR of reference vs the aligned, scaled received audio (from
 * 100 ms into the overlap on).
 */
export function alignedSnrDb(reference: Float32Array, received: Float32Array, maxLag: number): { snrDb: number; lag: number; gain: number } {
  // Correlate half a second from where the reference first gets loud (silence does not align).
  const start = Math.max(0, reference.findIndex((v) => Math.abs(v) > 0.01));
  const end = Math.min(reference.length, start + 8000);
  let lag = 0;
  let best = -Infinity;
  for (let l = -maxLag; l <= maxLag; l++) {
    const score = correlation(reference, received, l, start, end);
    if (score > best) { best = score; lag = l; }
  }
  // Skip the first 100 ms of the overlap: the capture began mid-signal, and the filters' start-up
  // transient there is not a property of the stream.
  const from = Math.max(0, -lag) + 1600;
  const to = Math.min(reference.length, received.length - lag - INTERP_HALF);
  const measure = (shift: number) => {
    const moved = shift === 0 ? received : shifted(received, shift);
    let dot = 0;
    let energy = 0;
    for (let i = from; i < to; i++) {
      dot += reference[i] * moved[i + lag];
      energy += moved[i + lag] ** 2;
    }
    const gain = energy > 0 ? dot / energy : 0;
    let signal = 0;
    let noise = 0;
    for (let i = from; i < to; i++) {
      signal += reference[i] ** 2;
      noise += (reference[i] - gain * moved[i + lag]) ** 2;
    }
    return { snrDb: 10 * Math.log10(signal / Math.max(noise, 1e-20)), gain };
  };
  // The device's start offset is in device-rate samples, a fraction of a 16 kHz one: search it.
  let result = { ...measure(0), lag };
  for (let step = -12; step <= 12; step++) {
    const m = measure(step / 24);
    if (m.snrDb > result.snrDb) result = { ...m, lag: lag + step / 24 };
  }
  return result;
}
