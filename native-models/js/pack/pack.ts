/**
 * `voxtral pack`: Mistral checkpoint directory (params.json, consolidated.safetensors, tekken.json) →
 * model.pte + model.ptd + tekken.json. Everything is validated before any output is written; tensors
 * are streamed one row range at a time; outputs are written under temporary names and renamed at the
 * end, so a failed pack leaves nothing half-written.
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromParamsJson } from '../checkpoint/model-config.js';
import { checkpointTensors } from '../checkpoint/tensor-names.js';
import { ModelFormatError, fail } from '../format/errors.js';
import { planPtd, encodePtdPrefix } from '../format/ptd.js';
import { numel, openSafetensors, writeAll, type SafetensorsFile } from '../format/safetensors.js';
import { loadTekken } from '../tokenizer/tekken.js';
import { convertRows } from './convert.js';
import { modelConstants, type ModelConstants } from './model-constants.js';
import { buildModelPte } from './model-program.js';
import { planTensor, validateOptions, type PackOptions, type TensorPlan } from './storage-plan.js';

export interface PackRequest extends PackOptions {
  checkpointDir: string;
  outDir: string;
  onProgress?: (doneBytes: number, totalBytes: number, tensor: string) => void;
}

export interface PackResult {
  constants: ModelConstants;
  pteBytes: number;
  ptdBytes: bigint;
}

/** Rows converted per step: bounded by elements so huge rows (the embedding) stay a few MB. */
const STEP_ELEMENTS = 1 << 22;

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) fail(`checkpoint: ${what} not found at ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`checkpoint: ${what} is not valid JSON (${(err as Error).message})`);
  }
}

function checkTensors(st: SafetensorsFile, plans: TensorPlan[]): void {
  const expected = new Set(plans.map((p) => p.tensor.name));
  for (const p of plans) {
    const t = st.tensors.get(p.tensor.name);
    if (!t) fail(`checkpoint: tensor "${p.tensor.name}" is missing from consolidated.safetensors`);
    if (t.shape.join(',') !== p.tensor.shape.join(',')) {
      fail(`checkpoint: tensor "${p.tensor.name}" has shape [${t.shape.join(', ')}] but params.json implies [${p.tensor.shape.join(', ')}]`);
    }
    if (!['BF16', 'F16', 'F32'].includes(t.dtype)) fail(`checkpoint: tensor "${p.tensor.name}" has dtype ${t.dtype}; expected BF16, F16 or F32`);
  }
  for (const name of st.tensors.keys()) {
    if (!expected.has(name)) fail(`checkpoint: unexpected tensor "${name}" (not part of the architecture params.json describes)`);
  }
}

/**
 * Bytes the weights of a pack take (model.ptd's tensor data; the .pte and the tokenizer are small
 * beside them), from params.json alone: what the output folder must have room for.
 */
export function plannedWeightBytes(checkpointDir: string, options: PackOptions): number {
  validateOptions(options);
  const config = fromParamsJson(readJson(path.join(checkpointDir, 'params.json'), 'params.json') as Record<string, unknown>);
  return checkpointTensors(config)
    .map((t) => planTensor(t, options))
    .reduce((sum, plan) => sum + plan.entries.reduce((s, e) => s + e.byteLength, 0), 0);
}

export function pack(req: PackRequest): PackResult {
  validateOptions(req);
  const config = fromParamsJson(readJson(path.join(req.checkpointDir, 'params.json'), 'params.json') as Record<string, unknown>);
  const tekkenPath = path.join(req.checkpointDir, 'tekken.json');
  const tekken = loadTekken(readJson(tekkenPath, 'tekken.json'));
  if (tekken.vocabSize < config.vocabSize) fail(`tekken.json has ${tekken.vocabSize} ids but params.json vocab_size is ${config.vocabSize}`);
  const constants = modelConstants(config, tekken, req);
  const plans = checkpointTensors(config).map((t) => planTensor(t, req));
  const stPath = path.join(req.checkpointDir, 'consolidated.safetensors');
  if (!existsSync(stPath)) fail(`checkpoint: consolidated.safetensors not found at ${stPath}`);
  const st = openSafetensors(stPath);
  mkdirSync(req.outDir, { recursive: true });
  const outputs = ['model.pte', 'model.ptd', 'tekken.json'].map((n) => ({ final: path.join(req.outDir, n), tmp: path.join(req.outDir, `.${n}.partial`) }));
  try {
    checkTensors(st, plans);
    const pte = buildModelPte(constants);
    writeFileSync(outputs[0].tmp, pte);
    const ptdBytes = writeModelPtd(st, plans, outputs[1].tmp, req);
    copyFileSync(tekkenPath, outputs[2].tmp);
    for (const o of outputs) renameSync(o.tmp, o.final);
    return { constants, pteBytes: pte.length, ptdBytes };
  } catch (err) {
    for (const o of outputs) rmSync(o.tmp, { force: true });
    throw err;
  } finally {
    st.close();
  }
}

function writeModelPtd(st: SafetensorsFile, plans: TensorPlan[], file: string, req: PackRequest): bigint {
  const entries = plans.flatMap((p) => p.entries);
  const { flatTensor, placements } = planPtd(entries.map((e) => ({
    key: e.key, byteLength: e.byteLength,
    layout: { scalar_type: e.scalarType, sizes: e.sizes, dim_order: Uint8Array.from(e.sizes.map((_, i) => i)) },
  })));
  const { prefix, segmentBaseOffset, segmentDataSize } = encodePtdPrefix(flatTensor);
  const fd = openSync(file, 'w');
  try {
    writeAll(fd, prefix);
    // Written so far, relative to the segment base; zero padding fills the gaps between segments.
    let position = 0n;
    const totalBytes = plans.reduce((a, p) => a + numel(p.tensor.shape), 0);
    let doneElements = 0;
    let entryIndex = 0;
    for (const plan of plans) {
      const parts = streamTensor(st, plan, req);
      // Each entry of a plan gets its own segment; quantized weights produce both streams at once, so
      // collect the (small) scales and write them after the weight.
      const pending: Uint8Array[][] = plan.entries.map(() => []);
      const firstStart = placements[entryIndex].offset;
      writeAll(fd, new Uint8Array(Number(firstStart - position)));
      position = firstStart;
      for (const { chunks, elements } of parts) {
        writeAll(fd, chunks[0]);
        position += BigInt(chunks[0].length);
        for (let k = 1; k < chunks.length; k++) pending[k].push(chunks[k]);
        doneElements += elements;
        req.onProgress?.(doneElements, totalBytes, plan.tensor.name);
      }
      for (let k = 1; k < plan.entries.length; k++) {
        const start = placements[entryIndex + k].offset;
        writeAll(fd, new Uint8Array(Number(start - position)));
        position = start;
        for (const c of pending[k]) {
          writeAll(fd, c);
          position += BigInt(c.length);
        }
      }
      entryIndex += plan.entries.length;
    }
    if (position !== segmentDataSize) throw new ModelFormatError(`internal: wrote ${position} segment bytes, planned ${segmentDataSize}`);
  } finally {
    closeSync(fd);
  }
  return segmentBaseOffset + segmentDataSize;
}

function* streamTensor(st: SafetensorsFile, plan: TensorPlan, req: PackRequest): Generator<{ chunks: Uint8Array[]; elements: number }> {
  const name = plan.tensor.name;
  const source = st.tensors.get(name)!;
  const rows = plan.tensor.shape[0];
  const cols = numel(plan.tensor.shape) / rows;
  const step = Math.max(1, Math.floor(STEP_ELEMENTS / cols));
  for (let r = 0; r < rows; r += step) {
    const count = Math.min(step, rows - r);
    const raw = st.readRows(name, r, count);
    yield { chunks: convertRows(raw, source.dtype, name, plan.form, count, cols, req.groupSize), elements: count * cols };
  }
}
