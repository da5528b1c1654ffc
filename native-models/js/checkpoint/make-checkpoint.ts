/**
 * Writes a random, deterministic checkpoint in Mistral's real format: params.json, tekken.json and a
 * bf16 consolidated.safetensors, generated tensor by tensor in chunks so the 8.9 GB `full` preset
 * needs only a few MB of memory.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { f32ToBf16Bytes } from '../format/numeric.js';
import { numel, writeSafetensors } from '../format/safetensors.js';
import { initFor } from './init.js';
import { toParamsJson, type ModelConfig } from './model-config.js';
import { fillNormal, tensorKey } from './random.js';
import { makeTekkenJson } from './tekken-json.js';
import { checkpointTensors } from './tensor-names.js';

export interface Progress {
  (done: number, total: number, label: string): void;
}

const CHUNK = 1 << 20;

export function makeCheckpoint(config: ModelConfig, seed: number, outDir: string, onProgress?: Progress): void {
  mkdirSync(outDir, { recursive: true });
  const tensors = checkpointTensors(config);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const total = tensors.reduce((a, t) => a + numel(t.shape) * 2, 0);
  let done = 0;
  const values = new Float32Array(CHUNK);
  const bytes = new Uint8Array(CHUNK * 2);
  const tmp = path.join(outDir, 'consolidated.safetensors.partial');
  try {
    writeSafetensors(tmp, tensors.map((t) => ({ name: t.name, dtype: 'BF16', shape: t.shape })), (spec, emit) => {
      const t = byName.get(spec.name)!;
      const { mean, std } = initFor(t);
      const key = tensorKey(seed, t.name);
      const n = numel(t.shape);
      for (let start = 0; start < n; start += CHUNK) {
        const count = Math.min(CHUNK, n - start);
        const v = values.subarray(0, count);
        fillNormal(key, start, v, mean, std);
        emit(f32ToBf16Bytes(v, bytes.subarray(0, count * 2)));
        done += count * 2;
        onProgress?.(done, total, t.name);
      }
    });
    renameSync(tmp, path.join(outDir, 'consolidated.safetensors'));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  writeFileSync(path.join(outDir, 'params.json'), `${JSON.stringify(toParamsJson(config), null, 2)}\n`);
  writeFileSync(path.join(outDir, 'tekken.json'), JSON.stringify(makeTekkenJson(config.vocabSize)));
}
