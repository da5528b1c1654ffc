/**
 * The HF parity fixtures (test/fixtures/reference/<case>/, format in docs/reference-fixtures.md):
 * loading, and the error measures the parity tests and docs/benchmarks.md "Correctness" use.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../../native-models/js/audio/wav.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const referenceDir = path.join(repoRoot, 'test/fixtures/reference');
export const parityCases = ['tiny', 'wrap'] as const;
export type ParityCase = (typeof parityCases)[number];

export const arrayNames = ['mel', 'encoder', 'audio_embeds', 'logits'] as const;
export type ArrayName = (typeof arrayNames)[number];

export interface ParityManifest {
  case: ParityCase;
  checkpointSha256: string;
  /** WAV path relative to the repo root (16 kHz mono PCM16). */
  audio: string;
  audioSamples: number;
  transformers: string;
  torch: string;
  promptLength: number;
  nAudio: number;
  /** HF generate's tokens: token k is the argmax at decoder position promptLength - 1 + k. */
  tokens: number[];
  /** top-1 minus top-2 reference logit per step. */
  margins: number[];
  arrays: Record<ArrayName, ArrayRef>;
  crossChecks: Record<string, unknown>;
  /** Exact quantized references (native-models/reference/quantized_reference.py), not from HF. */
  quantized: Record<QuantScheme, QuantizedReference>;
}

export type QuantScheme = '8w' | '4w';

export interface ArrayRef {
  file: string;
  shape: [number, number];
}

export interface QuantizedReference {
  tokens: number[];
  margins: number[];
  logits: ArrayRef;
}

/** Row-major float32 matrix. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** One engine configuration and its tolerances (test/fixtures/reference/bounds.json). */
export interface ParityVariant {
  weights: 'fp32' | 'bf16';
  quant: 'none' | QuantScheme;
  activations: 'fp32' | 'bf16';
  /** ‖Δ‖/‖ref‖ against HF over the whole array. */
  encoder: number;
  audioEmbeds: number;
  /** Worst per-step ‖Δ‖/‖ref‖ of the logits against HF, steps up to the first token divergence. */
  logitsVsHf: number;
  /**
   * Tokens equal the reference: HF's for quant none, the exact quantized reference's otherwise.
   * When false, the first differing token must sit at a near-tie (see maxAbsErrorInRow).
   */
  exactTokens: boolean;
  /** Worst per-step logits error against the exact quantized reference (quantized variants). */
  logitsVsQuantized?: number;
}

export interface ParityBounds {
  melMaxAbs: number;
  variants: Record<string, ParityVariant>;
}

export function loadBounds(): ParityBounds {
  return JSON.parse(readFileSync(path.join(referenceDir, 'bounds.json'), 'utf8')) as ParityBounds;
}

export const checkpointDir = (c: ParityCase): string => path.join(referenceDir, c, 'checkpoint');

export function loadManifest(c: ParityCase): ParityManifest {
  return JSON.parse(readFileSync(path.join(referenceDir, c, 'manifest.json'), 'utf8')) as ParityManifest;
}

export function loadArray(c: ParityCase, manifest: ParityManifest, name: ArrayName): Matrix {
  return loadMatrix(c, manifest.arrays[name]);
}

export function loadMatrix(c: ParityCase, { file, shape }: ArrayRef): Matrix {
  const bytes = readFileSync(path.join(referenceDir, c, file));
  const [rows, cols] = shape;
  if (bytes.byteLength !== rows * cols * 4) {
    throw new Error(`${c}/${file}: ${bytes.byteLength} bytes, shape [${rows}, ${cols}] needs ${rows * cols * 4}`);
  }
  // Copy into an aligned buffer: Buffer slices need not be 4-byte aligned.
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(bytes);
  return { data, rows, cols };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The case's 16 kHz mono WAV as the reference script read it (PCM16 / 32768, no resampling). */
export function readWav16kMono(file: string): Float32Array {
  const wav = parseWav(readFileSync(file));
  if (wav.sampleRate !== 16000 || wav.channels !== 1) throw new Error(`${file}: need 16 kHz mono, got ${wav.sampleRate} Hz x ${wav.channels}`);
  return wav.channelData[0];
}

/** Decoder positions that carry audio in offline mode: 32 left-pad tokens + ceil(N/1280) + 17. */
export function nAudioPositions(samples: number): number {
  return 32 + Math.ceil(samples / 1280) + 17;
}

function rowsView(m: Matrix, rows: number): Float32Array {
  return m.data.subarray(0, rows * m.cols);
}

function checkComparable(a: Matrix, ref: Matrix, rows: number): void {
  if (a.cols !== ref.cols) throw new Error(`column mismatch: ${a.cols} vs reference ${ref.cols}`);
  if (rows > a.rows || rows > ref.rows) throw new Error(`need ${rows} rows, have ${a.rows} vs reference ${ref.rows}`);
}

/** max |a − ref| over the first `rows` rows (NaN counts as infinite error). */
export function maxAbsError(a: Matrix, ref: Matrix, rows = Math.min(a.rows, ref.rows)): number {
  checkComparable(a, ref, rows);
  const x = rowsView(a, rows);
  const y = rowsView(ref, rows);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** ‖a − ref‖₂ / ‖ref‖₂ over one row (or over all `rows` rows when row is undefined). */
export function relativeError(a: Matrix, ref: Matrix, rows = Math.min(a.rows, ref.rows), row?: number): number {
  checkComparable(a, ref, rows);
  const start = row === undefined ? 0 : row * a.cols;
  const end = row === undefined ? rows * a.cols : start + a.cols;
  let diff = 0;
  let norm = 0;
  for (let i = start; i < end; i++) {
    const d = a.data[i] - ref.data[i];
    diff += d * d;
    norm += ref.data[i] * ref.data[i];
  }
  const r = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
  return Number.isNaN(r) ? Infinity : r;
}

/** Worst per-row relative error over the first `rows` rows (the per-step logits measure). */
export function worstRowRelativeError(a: Matrix, ref: Matrix, rows = Math.min(a.rows, ref.rows)): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) worst = Math.max(worst, relativeError(a, ref, rows, r));
  return worst;
}

/** max |a − ref| within one row. A token can only flip where the reference margin ≤ 2 × this. */
export function maxAbsErrorInRow(a: Matrix, ref: Matrix, row: number): number {
  const start = row * ref.cols;
  let worst = 0;
  for (let j = 0; j < ref.cols; j++) worst = Math.max(worst, Math.abs(a.data[start + j] - ref.data[start + j]));
  return worst;
}

export function argmaxRow(m: Matrix, row: number): number {
  let best = 0;
  const base = row * m.cols;
  for (let j = 1; j < m.cols; j++) if (m.data[base + j] > m.data[base + best]) best = j;
  return best;
}

export function top2Margin(m: Matrix, row: number): number {
  let first = -Infinity;
  let second = -Infinity;
  for (let j = 0; j < m.cols; j++) {
    const v = m.data[row * m.cols + j];
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  return first - second;
}

/** Index of the first step where the two token streams differ (or run out); -1 if `ref` is a prefix of `got`. */
export function firstDivergence(got: readonly number[], ref: readonly number[]): number {
  for (let k = 0; k < ref.length; k++) if (got[k] !== ref[k]) return k;
  return -1;
}
