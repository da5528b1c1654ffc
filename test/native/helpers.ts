/** Shared fixtures of the native engine tests: model pairs packed from random checkpoints, audio, references. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { runCli } from '../../electron/cli/main.js';
import { readWavFile } from '../../native-models/js/audio/load-audio.js';
import { makeCheckpoint } from '../../native-models/js/checkpoint/make-checkpoint.js';
import { presets, type PresetName } from '../../native-models/js/checkpoint/presets.js';
import { ADDON_RELATIVE_PATH, loadModel, type ActivationDtype, type EngineModel, type FlushResult } from '../../native-models/js/engine.js';
import { pack } from '../../native-models/js/pack/pack.js';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const addonPath = path.join(repoRoot, ADDON_RELATIVE_PATH);

/** Standalone tools built next to the addon by the same CMake build. */
export function toolPath(name: string): string {
  for (const dir of ['native-models/build', 'native-models/build/Release']) {
    const p = path.join(repoRoot, dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} is not built; run "npm run build:native"`);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vxd-native-'));

export interface Pair {
  checkpoint: string;
  dir: string;
  pte: string;
  ptd: string;
}

const checkpoints = new Map<string, string>();

/** A random checkpoint of `preset` packed with the given options (cached per test file). */
export function packedPair(preset: PresetName, opts: { dtype?: 'fp32' | 'bf16'; quant?: 'none' | '8w' | '4w'; seed?: number } = {}): Pair {
  const seed = opts.seed ?? 7;
  const ckKey = `${preset}-${seed}`;
  let checkpoint = checkpoints.get(ckKey);
  if (!checkpoint) {
    checkpoint = path.join(scratch, `ck-${ckKey}`);
    makeCheckpoint(presets[preset], seed, checkpoint);
    checkpoints.set(ckKey, checkpoint);
  }
  const dtype = opts.dtype ?? 'fp32';
  const quant = opts.quant ?? 'none';
  const dir = path.join(scratch, `${ckKey}-${dtype}-${quant}`);
  if (!existsSync(path.join(dir, 'model.pte'))) pack({ checkpointDir: checkpoint, outDir: dir, dtype, quant, groupSize: 32 });
  return { checkpoint, dir, pte: path.join(dir, 'model.pte'), ptd: path.join(dir, 'model.ptd') };
}

export function fixtureAudio(name: 'hello-dictation-16k.wav' | 'quick-brown-fox-16k.wav'): Float32Array {
  return readWavFile(path.join(repoRoot, 'test/fixtures/audio', name)).samples;
}

export function scratchDir(name: string): string {
  const d = path.join(scratch, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Streams `pcm` through a fresh session in the given chunk sizes; returns tokens seen via onTokens and flush. */
export async function streamThrough(
  model: EngineModel,
  pcm: Float32Array,
  chunkSizes: (offset: number) => number = () => pcm.length,
  capture?: ('mel' | 'encoder' | 'audio_embeds' | 'logits')[],
): Promise<{ streamed: number[]; positions: number[]; result: FlushResult; captures: ReturnType<ReturnType<EngineModel['createSession']>['captures']> }> {
  const streamed: number[] = [];
  const positions: number[] = [];
  const errors: Error[] = [];
  const session = model.createSession({
    onTokens: (ids, first) => {
      ids.forEach((id, i) => {
        streamed.push(id);
        positions.push(first + i);
      });
    },
    onError: (e) => errors.push(e),
    capture,
  });
  try {
    for (let o = 0; o < pcm.length; ) {
      const n = Math.max(1, Math.min(pcm.length - o, chunkSizes(o)));
      session.push(pcm.subarray(o, o + n));
      o += n;
    }
    const result = await session.flush();
    if (errors.length) throw errors[0];
    return { streamed, positions, result, captures: session.captures() };
  } finally {
    session.close();
  }
}

export async function load(pair: Pair, dtype: ActivationDtype = 'fp32', threads = 2): Promise<EngineModel> {
  return loadModel({ pte: pair.pte, ptd: pair.ptd, backend: 'cpu', dtype, threads });
}

export interface Reference {
  mel: Float32Array;
  encoder: Float32Array;
  audio_embeds: Float32Array;
  logits: Float32Array;
  shapes: Record<string, [number, number]>;
}

/** Float64 numpy model (test/native/numpy_reference.py) on the same audio, teacher-forced with `tokens`. */
export function numpyReference(checkpoint: string, pcm: Float32Array, tokens: number[], name: string, quant: 'none' | '8w' | '4w' = 'none'): Reference {
  const dir = scratchDir(`ref-${name}`);
  const audio = path.join(dir, 'audio.f32');
  writeFileSync(audio, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify(tokens));
  execFileSync('python3', [path.join(__dirname, 'numpy_reference.py'), checkpoint, audio, path.join(dir, 'tokens.json'), dir, quant], { stdio: 'pipe' });
  const read = (n: string) => {
    const b = readFileSync(path.join(dir, `${n}.f32`));
    return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
  };
  return {
    mel: read('mel'),
    encoder: read('encoder'),
    audio_embeds: read('audio_embeds'),
    logits: read('logits'),
    shapes: JSON.parse(readFileSync(path.join(dir, 'shapes.json'), 'utf8')),
  };
}

/** max |a - b| over the first n values, and that divided by max |b|. */
export function compare(a: Float32Array, b: Float32Array, n = Math.min(a.length, b.length)): { maxAbs: number; rel: number } {
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { maxAbs, rel: maxAbs / Math.max(scale, 1e-30) };
}

export function argmaxRows(data: Float32Array, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * cols < data.length; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    out.push(best);
  }
  return out;
}

/** Runs `voxtral ARGS…` through the CLI dispatcher in this process, capturing its output. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
