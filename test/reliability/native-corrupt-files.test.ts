/**
 * The native engine fed corrupt model files directly (the addon, no TypeScript reader in between), in a
 * child process so a crash is a failed test and not a dead test runner: seeded mutations and truncations
 * of .pte and .ptd, and crafted .ptd files whose offsets, sizes and layouts lie. Each load must end in an
 * EngineError with a code and a message, or load and then run a session to the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCheckpoint } from '../../native-models/js/checkpoint/make-checkpoint.js';
import { presets } from '../../native-models/js/checkpoint/presets.js';
import { ADDON_RELATIVE_PATH } from '../../native-models/js/engine.js';
import { encodePtdPrefix, readPtdBytes } from '../../native-models/js/format/ptd.js';
import type { FlatTensor } from '../../native-models/js/format/flat-tensor-schema.js';
import { readPte } from '../../native-models/js/format/pte.js';
import { pack } from '../../native-models/js/pack/pack.js';
import { mutateBytes, rng } from './mutate.js';

const repoRoot = path.resolve(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'engine-loader-child.mjs');
const MUTATIONS_PER_FILE = 150;
const CHILD_TIMEOUT_MS = 180_000;
/** Per input: a tiny model loads and runs one second of audio in well under this. */
const SLOWEST_INPUT_MS = 5_000;
/** Peak RSS of the child over all inputs: the model is a few MB, so anything near this is a runaway allocation. */
const PEAK_RSS_LIMIT = 1024 * 1024 * 1024;

interface Case { pte: string; ptd: string; label: string; passesTsReaders: boolean }
interface EndLine { i: number; phase: 'end'; loaded: boolean; code?: string | null; message?: string; tokens?: number; errors?: string[]; ms: number }

const ENGINE_CODES = new Set(['INVALID_ARGUMENT', 'IO', 'FORMAT', 'UNSUPPORTED', 'BACKEND_UNAVAILABLE', 'OUT_OF_MEMORY', 'STATE', 'INTERNAL']);

let scratch: string;

function tsAccepts(read: () => void): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

const ptdReadable = (bytes: Uint8Array) => tsAccepts(() => {
  const ptd = readPtdBytes(bytes);
  for (const e of ptd.entries) ptd.read(e.key);
});

/** Runs the cases through the engine in one child; returns each end line, failing on a crash or hang. */
function runInEngine(cases: Case[], name: string): { ends: EndLine[]; peakRssBytes: number } {
  const list = path.join(scratch, `${name}.json`);
  writeFileSync(list, JSON.stringify(cases));
  const child = spawnSync(process.execPath, [CHILD, path.join(repoRoot, ADDON_RELATIVE_PATH), list], {
    encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
  });
  const lines = child.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const started = lines.filter((l) => l.phase === 'start').at(-1);
  const crashed = started ? cases[started.i as number] : undefined;
  if (child.signal || child.status !== 0) {
    throw new Error(`engine child ${child.signal ? `killed by ${child.signal}` : `exited ${child.status}`} on case ${String(started?.i)} (${crashed?.label}): ${child.stderr.slice(-2000)}`);
  }
  const done = lines.find((l) => l.phase === 'done');
  expect(done).toBeDefined();
  return { ends: lines.filter((l) => l.phase === 'end') as unknown as EndLine[], peakRssBytes: done!.peakRssBytes as number };
}

function expectCleanOutcomes(cases: Case[], ends: EndLine[]): { refused: number; loaded: number; slippedPastTs: number } {
  expect(ends).toHaveLength(cases.length);
  let refused = 0;
  for (const end of ends) {
    const c = cases[end.i];
    expect(end.ms, c.label).toBeLessThan(SLOWEST_INPUT_MS);
    if (!end.loaded) {
      refused++;
      expect(ENGINE_CODES.has(end.code ?? ''), `${c.label}: code ${end.code}`).toBe(true);
      expect(end.message!.length, c.label).toBeGreaterThan(10);
    } else {
      // A file that loads must stream to the end; garbage weights may give garbage tokens, not a hang.
      expect(end.errors, c.label).toEqual([]);
      expect(end.tokens!, c.label).toBeGreaterThan(0);
    }
  }
  const slippedPastTs = cases.filter((c, i) => c.passesTsReaders && !ends[i].loaded).length;
  return { refused, loaded: ends.length - refused, slippedPastTs };
}

describe('native engine on corrupt model files (child process)', () => {
  const models: { name: string; pte: string; ptd: string }[] = [];
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'vxd-native-fuzz-'));
    const micro = { ...presets.tiny, encoder: { ...presets.tiny.encoder, nLayers: 1 }, decoder: { ...presets.tiny.decoder, nLayers: 1 } };
    makeCheckpoint(micro, 11, path.join(scratch, 'ckpt'));
    for (const [dtype, quant] of [['fp32', 'none'], ['bf16', '4w']] as const) {
      const out = path.join(scratch, `${dtype}-${quant}`);
      pack({ checkpointDir: path.join(scratch, 'ckpt'), outDir: out, dtype, quant, groupSize: 32 });
      models.push({ name: `${dtype}-${quant}`, pte: path.join(out, 'model.pte'), ptd: path.join(out, 'model.ptd') });
    }
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test(`${MUTATIONS_PER_FILE} mutations of each .pte and .ptd end in an EngineError or a working session`, () => {
    const cases: Case[] = [];
    models.forEach((m, mi) => {
      const pte = new Uint8Array(readFileSync(m.pte));
      const ptd = new Uint8Array(readFileSync(m.ptd));
      cases.push({ pte: m.pte, ptd: m.ptd, label: `${m.name} unmodified`, passesTsReaders: true });
      const segmentBase = Number(readPtdBytes(ptd).header.segmentBaseOffset);
      const next = rng(20_000 + mi);
      for (let k = 0; k < MUTATIONS_PER_FILE; k++) {
        const file = path.join(scratch, `${m.name}-pte-${k}.pte`);
        const bytes = mutateBytes(pte, next, pte.length);
        writeFileSync(file, bytes);
        cases.push({ pte: file, ptd: m.ptd, label: `${m.name} .pte mutation ${k}`, passesTsReaders: tsAccepts(() => readPte(bytes)) });
      }
      for (let k = 0; k < MUTATIONS_PER_FILE; k++) {
        const file = path.join(scratch, `${m.name}-ptd-${k}.ptd`);
        // The structure (header + flatbuffer) sits before the segment base: aim most edits there.
        const bytes = mutateBytes(ptd, next, segmentBase);
        writeFileSync(file, bytes);
        cases.push({ pte: m.pte, ptd: file, label: `${m.name} .ptd mutation ${k}`, passesTsReaders: ptdReadable(bytes) });
      }
    });
    const { ends, peakRssBytes } = runInEngine(cases, 'mutations');
    const outcome = expectCleanOutcomes(cases, ends);
    expect(ends[0].loaded).toBe(true);
    expect(outcome.refused).toBeGreaterThan(cases.length / 4);
    expect(peakRssBytes).toBeLessThan(PEAK_RSS_LIMIT);
    console.info(`[reliability] native mutations: ${cases.length} inputs, ${outcome.refused} refused, ${outcome.loaded} loaded and streamed, peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  });

  test('crafted .ptd files that lie about offsets, sizes and layouts are refused by the engine itself', () => {
    const m = models[0];
    const original = new Uint8Array(readFileSync(m.ptd));
    const ptd = readPtdBytes(original);
    const data = original.subarray(Number(ptd.header.segmentBaseOffset));
    const ft = ptd.flatTensor;
    const key = ft.named_data!.find((n) => n.tensor_layout && (n.tensor_layout.sizes?.length ?? 0) === 2)!.key!;
    const entryIndex = ft.named_data!.findIndex((n) => n.key === key);
    const segIndex = ft.named_data![entryIndex].segment_index;
    const edit = (label: string, change: (f: FlatTensor) => void, tail: (bytes: Uint8Array) => Uint8Array = (b) => b) => {
      const f = structuredClone(ft);
      change(f);
      const { prefix } = encodePtdPrefix(f);
      const bytes = tail(Buffer.concat([prefix, data]));
      const file = path.join(scratch, `crafted-${label.replace(/\W+/g, '-')}.ptd`);
      writeFileSync(file, bytes);
      return { pte: m.pte, ptd: file, label, passesTsReaders: ptdReadable(bytes) };
    };
    const seg = (f: FlatTensor) => f.segments![segIndex];
    const layout = (f: FlatTensor) => f.named_data![entryIndex].tensor_layout!;
    const cases: Case[] = [
      edit('segment offset past the data', (f) => { seg(f).offset = 1n << 40n; }),
      edit('segment offset near 2^64', (f) => { seg(f).offset = (1n << 64n) - 16n; }),
      edit('segment size near 2^64 (offset + size wraps)', (f) => { seg(f).size = (1n << 64n) - 1n; }),
      edit('segment one byte short of its tensor', (f) => { seg(f).size -= 1n; }),
      edit('tensor segment_index out of range', (f) => { f.named_data![entryIndex].segment_index = 1_000_000; }),
      edit('tensor shape larger than its segment', (f) => { layout(f).sizes = [1 << 20, 1 << 10]; }),
      edit('tensor shape product overflows', (f) => { layout(f).sizes = [0x7fffffff, 0x7fffffff]; }),
      edit('negative dimension', (f) => { layout(f).sizes = [-4, layout(f).sizes![1]]; }),
      edit('wrong rank', (f) => { layout(f).sizes = [layout(f).sizes![0] * layout(f).sizes![1]]; layout(f).dim_order = new Uint8Array([0]); }),
      edit('unknown scalar type', (f) => { layout(f).scalar_type = 99; }),
      edit('dim_order out of range', (f) => { layout(f).dim_order = new Uint8Array([7, 0]); }),
      edit('tensor renamed away (missing weight)', (f) => { f.named_data![entryIndex].key = `${key}.gone`; }),
      edit('no segments at all', (f) => { f.segments = []; }),
      edit('no named data at all', (f) => { f.named_data = []; }),
      edit('segment data truncated', () => undefined, (b) => b.subarray(0, b.length - 200)),
      edit('header: segment base past the file', () => undefined, (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(32, 1n << 62n, true); return c; }),
      edit('header: flatbuffer size past the file', () => undefined, (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(24, 1n << 33n, true); return c; }),
      edit('header: segment data size near 2^64', () => undefined, (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(40, (1n << 64n) - 1n, true); return c; }),
    ];
    const { ends } = runInEngine(cases, 'crafted');
    expectCleanOutcomes(cases, ends);
    const loaded = ends.filter((e) => e.loaded).map((e) => cases[e.i].label);
    expect(loaded).toEqual([]);
    const slipped = cases.filter((c) => c.passesTsReaders).map((c) => c.label);
    console.info(`[reliability] crafted .ptd: ${cases.length} refused by the engine (${slipped.length} of them pass the TypeScript reader: ${slipped.join('; ')})`);
  });
});
