/**
 * Hostile-input tests: thousands of seeded mutations and truncations of every fixture and of our own
 * model pair. Each parse must either succeed or throw ModelFormatError — never another exception, a
 * hang or a huge allocation — and crafted files with huge counts or exponential sharing fail fast.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCheckpoint } from '../../native-models/js/checkpoint/make-checkpoint.js';
import { presets } from '../../native-models/js/checkpoint/presets.js';
import { ModelFormatError } from '../../native-models/js/format/errors.js';
import { FlatBufferBuilder } from '../../native-models/js/format/flatbuffer/builder.js';
import { readPtdBytes } from '../../native-models/js/format/ptd.js';
import { readPte } from '../../native-models/js/format/pte.js';
import { describeProgram } from '../../native-models/js/inspect/describe-program.js';
import { pack } from '../../native-models/js/pack/pack.js';
import { readSafetensors } from '../../native-models/js/format/safetensors.js';
import { bytesSource } from '../../native-models/js/format/byte-source.js';
import { mutateBytes, rng, type Rng } from '../reliability/mutate.js';
import { loadFixture, ptdFixtures, pteFixtures } from './fixtures.js';

const MUTATIONS_PER_FILE = 1500;
const MAX_BUFFER_GROWTH = 256 * 1024 * 1024;

/** Structure lives near the start of these files: bias edits to the first 2 KiB. */
const mutate = (original: Uint8Array, next: Rng) => mutateBytes(original, next, 2048);

function parsePteFully(bytes: Uint8Array): void {
  const pte = readPte(bytes);
  describeProgram(pte.program);
  (pte.program.segments ?? []).forEach((_, i) => pte.segment(i));
}

function parsePtdFully(bytes: Uint8Array): void {
  const ptd = readPtdBytes(bytes);
  for (const e of ptd.entries) ptd.read(e.key);
}

function expectOnlyFormatErrors(name: string, original: Uint8Array, parse: (b: Uint8Array) => void, seed: number): { ok: number; rejected: number } {
  const next = rng(seed);
  let ok = 0;
  let rejected = 0;
  const baseline = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
    const bytes = mutate(original, next);
    try {
      parse(bytes);
      ok++;
    } catch (err) {
      if (!(err instanceof ModelFormatError)) {
        throw new Error(`${name}, mutation ${i}: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
      }
      rejected++;
    }
    // No parse, failed or not, may allocate buffers far beyond the input (a huge count taken at face value).
    const grown = process.memoryUsage().arrayBuffers - baseline;
    if (grown > MAX_BUFFER_GROWTH) throw new Error(`${name}, mutation ${i}: ${grown} bytes of buffers allocated`);
  }
  return { ok, rejected };
}

describe('fuzzing the readers', () => {
  let dir: string;
  let ourPte: Uint8Array;
  let ourPtd: Uint8Array;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vxd-fuzz-'));
    // A decoder-free miniature of the tiny preset keeps the .ptd small enough to fuzz quickly.
    const micro = { ...presets.tiny, encoder: { ...presets.tiny.encoder, nLayers: 1 }, decoder: { ...presets.tiny.decoder, nLayers: 1 } };
    makeCheckpoint(micro, 3, path.join(dir, 'ckpt'));
    pack({ checkpointDir: path.join(dir, 'ckpt'), outDir: path.join(dir, 'model'), dtype: 'bf16', quant: '4w', groupSize: 32 });
    ourPte = new Uint8Array(readFileSync(path.join(dir, 'model/model.pte')));
    ourPtd = new Uint8Array(readFileSync(path.join(dir, 'model/model.ptd')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(pteFixtures.map((f, i) => ({ ...f, seed: 1000 + i })))('mutations of $file end in ModelFormatError or a parse', ({ file, seed }) => {
    const { rejected } = expectOnlyFormatErrors(file, loadFixture(file), parsePteFully, seed);
    expect(rejected).toBeGreaterThan(MUTATIONS_PER_FILE / 10);
  });

  test.each(ptdFixtures.map((f, i) => ({ ...f, seed: 2000 + i })))('mutations of $file end in ModelFormatError or a parse', ({ file, seed }) => {
    const { rejected } = expectOnlyFormatErrors(file, loadFixture(file), parsePtdFully, seed);
    expect(rejected).toBeGreaterThan(MUTATIONS_PER_FILE / 10);
  });

  test('mutations of our own model.pte and model.ptd', () => {
    expect(expectOnlyFormatErrors('model.pte', ourPte, parsePteFully, 3001).rejected).toBeGreaterThan(0);
    expect(expectOnlyFormatErrors('model.ptd', ourPtd.subarray(0, 64 * 1024).slice(), (b) => {
      // Truncated copies are fine inputs too: the header claims more than exists.
      parsePtdFully(b);
    }, 3002).rejected).toBeGreaterThan(0);
  });

  test('safetensors headers: mutations and truncations', () => {
    const st = new Uint8Array(readFileSync(path.join(dir, 'ckpt/consolidated.safetensors'))).subarray(0, 16 * 1024).slice();
    const next = rng(4001);
    for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
      const bytes = mutate(st, next);
      try {
        const f = readSafetensors(bytesSource(bytes));
        for (const name of f.tensors.keys()) f.read(name);
      } catch (err) {
        if (!(err instanceof ModelFormatError)) throw new Error(`safetensors mutation ${i}: ${(err as Error).message}`);
      }
    }
  });
});

describe('crafted hostile files', () => {
  test('a vector count larger than the file is refused before allocating', () => {
    const bytes = loadFixture('add.pte').slice();
    const pte = readPte(bytes);
    expect(pte.program.execution_plan).toHaveLength(1);
    // Find the execution_plan vector (count 1) through the root table and claim 2^31 elements.
    const view = new DataView(bytes.buffer);
    const root = view.getUint32(0, true);
    const vtable = root - view.getInt32(root, true);
    const field = view.getUint16(vtable + 4 + 2 * 1, true);
    const vec = root + field + view.getUint32(root + field, true);
    expect(view.getUint32(vec, true)).toBe(1);
    view.setUint32(vec, 0x7fffffff, true);
    expect(() => readPte(bytes)).toThrow(/Program\.execution_plan: 2147483647 elements do not fit/);
  });

  test('exponentially shared sub-tables are refused instead of being expanded', () => {
    // Program.execution_plan = K references to one plan whose values are K references to one EValue:
    // a small file describing K² objects.
    const K = 3000;
    const b = new FlatBufferBuilder();
    b.startTable();
    const evalue = b.endTable('python');
    b.startVector(4, K, 4);
    for (let i = 0; i < K; i++) b.pushUOffset(evalue);
    const values = b.endVector(K);
    b.startTable();
    b.pushUOffset(values);
    b.slot(2);
    const plan = b.endTable('python');
    b.startVector(4, K, 4);
    for (let i = 0; i < K; i++) b.pushUOffset(plan);
    const plans = b.endVector(K);
    b.startTable();
    b.pushUOffset(plans);
    b.slot(1);
    const root = b.endTable('python');
    const bytes = b.finish(root, 'ET12');
    expect(bytes.length).toBeLessThan(64 * 1024);
    expect(() => readPte(bytes)).toThrow(/too many objects/);
  });

  test('wrong identifiers and versions are named in the error', () => {
    const bytes = loadFixture('add.pte').slice();
    bytes.set([0x45, 0x54, 0x31, 0x31], 4); // ET11
    expect(() => readPte(bytes)).toThrow(/program format ET11 is not supported/);
    expect(() => readPte(new Uint8Array(10))).toThrow(/shorter than the 64-byte minimum/);
    expect(() => readPtdBytes(loadFixture('add.pte'))).toThrow(/not a FlatTensor file/);
  });
});
