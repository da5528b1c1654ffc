// "Make a model" in the core: a real pack in a real worker thread, from random checkpoints in the
// Mistral format; what it refuses, what a cancel or a failure leaves behind (nothing), and that
// the app starts using a model it made.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversionStatus } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { AppFailure } from '../../../electron/core/app/app-failure';
import { bundledPackRunner, CheckpointConverter, workerPackRunner, type PackRunner } from '../../../electron/core/models/checkpoint-converter';
import { makeCheckpoint } from '../../../native-models/js/checkpoint/make-checkpoint';
import type { ModelConfig } from '../../../native-models/js/checkpoint/model-config';
import { presets } from '../../../native-models/js/checkpoint/presets';
import { inspectFiles } from '../../../native-models/js/inspect/inspect';
import { plannedWeightBytes } from '../../../native-models/js/pack/pack';
import { buildPackWorker } from './pack-worker-build';

let dir = '';
let runner: PackRunner;
let tiny = '';
/** Big enough (~60 MB) that a pack is still writing when the test cancels it. */
let medium = '';
let serial = 0;

const mediumConfig: ModelConfig = {
  ...presets.small,
  encoder: { ...presets.small.encoder, dim: 512, nLayers: 4, nHeads: 8, headDim: 64, hiddenDim: 2048 },
  decoder: { ...presets.small.decoder, dim: 512, nLayers: 4, nHeads: 8, nKvHeads: 4, headDim: 64, hiddenDim: 2048 },
};

function freshDir(name: string): string {
  const d = path.join(dir, `${name}-${++serial}`);
  mkdirSync(d);
  return d;
}

/** A converter whose statuses are collected; `until` resolves at the first status that matches. */
function converter(withRunner: PackRunner | null = runner, freeSpace?: (dir: string) => number) {
  const statuses: ConversionStatus[] = [];
  const waiters: { test: (s: ConversionStatus) => boolean; resolve: (s: ConversionStatus) => void }[] = [];
  const c = new CheckpointConverter(withRunner, (status) => {
    statuses.push(status);
    for (const w of waiters.splice(0)) (w.test(status) ? w.resolve(status) : waiters.push(w));
  }, freeSpace);
  const until = (test: (s: ConversionStatus) => boolean) =>
    new Promise<ConversionStatus>((resolve) => (statuses.find(test) ? resolve(statuses.find(test)!) : waiters.push({ test, resolve })));
  return { c, statuses, until };
}

const failureOf = (fn: () => unknown): AppFailure => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppFailure) return err;
    throw err;
  }
  throw new Error('expected an AppFailure');
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vxd-convert-'));
  runner = workerPackRunner(await buildPackWorker(dir));
  tiny = path.join(dir, 'tiny');
  makeCheckpoint(presets.tiny, 1, tiny);
  medium = path.join(dir, 'medium');
  makeCheckpoint(mediumConfig, 2, medium);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CheckpointConverter', () => {
  it('makes a runnable 4-bit pair in a worker thread, reporting progress', async () => {
    const { c, statuses, until } = converter();
    const out = freshDir('out');
    const { jobId } = c.start({ checkpointDir: tiny, outDir: out, quant: '4w' });
    const done = await until((s) => s.state !== 'running');
    expect(done).toMatchObject({ jobId, state: 'done', fraction: 1, error: null, model: { pte: path.join(out, 'model.pte'), ptd: path.join(out, 'model.ptd') } });
    expect(done.detail).toMatch(/^Made model\.pte and model\.ptd \(\d+\.\d MB\)\.$/);
    expect(statuses[0]).toMatchObject({ jobId, state: 'running', fraction: null });
    expect(statuses.some((s) => s.state === 'running' && s.fraction !== null && s.detail.startsWith('Writing '))).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['model.ptd', 'model.pte', 'tekken.json']);
    // The room asked for before it starts is the weights' size: the .ptd adds only its header and padding.
    const planned = plannedWeightBytes(tiny, { dtype: 'bf16', quant: '4w', groupSize: 32 });
    const ptdSize = statSync(done.model!.ptd!).size;
    expect(ptdSize).toBeGreaterThanOrEqual(planned);
    expect(ptdSize - planned).toBeLessThan(64 * 1024);
    const report = inspectFiles(done.model!.pte, done.model!.ptd!);
    expect(report.runnable).toBe(true);
    expect(report.namedData.some((d) => d.key.endsWith('.scales'))).toBe(true); // quantized weights carry scales
    // One job at a time: the converter is free again.
    expect(c.start({ checkpointDir: tiny, outDir: freshDir('again'), quant: 'none' }).jobId).not.toBe(jobId);
    await until((s) => s.jobId !== jobId && s.state === 'done');
  });

  it('refuses folders that are not a checkpoint, and never writes over a model', () => {
    const { c, statuses } = converter();
    const notCheckpoint = freshDir('empty');
    writeFileSync(path.join(notCheckpoint, 'params.json'), '{}');
    const missing = failureOf(() => c.start({ checkpointDir: notCheckpoint, outDir: freshDir('out'), quant: '4w' }));
    expect(missing.code).toBe('model-invalid');
    expect(missing.message).toContain('has no consolidated.safetensors, tekken.json');
    expect(failureOf(() => c.start({ checkpointDir: path.join(dir, 'nowhere'), outDir: freshDir('out'), quant: '4w' })).code).toBe('not-found');
    expect(failureOf(() => c.start({ checkpointDir: tiny, outDir: path.join(dir, 'nowhere'), quant: '4w' })).code).toBe('not-found');

    const holdsModel = freshDir('holds');
    writeFileSync(path.join(holdsModel, 'model.pte'), 'mine');
    const overwrite = failureOf(() => c.start({ checkpointDir: tiny, outDir: holdsModel, quant: '4w' }));
    expect(overwrite.code).toBe('invalid-request');
    expect(overwrite.message).toContain('already holds a model (model.pte)');
    expect(readdirSync(holdsModel)).toEqual(['model.pte']);
    // Not enough room for the weights: refused before anything is written.
    const full = converter(runner, () => 1_000_000);
    const noRoom = failureOf(() => full.c.start({ checkpointDir: medium, outDir: freshDir('out'), quant: 'none' }));
    expect(noRoom.code).toBe('io');
    expect(noRoom.message).toMatch(/^The model needs about \d+\.\d MB but only 1\.0 MB is free where it would be saved\.$/);
    expect(full.statuses).toEqual([]);
    expect(statuses).toEqual([]); // nothing started
    expect(failureOf(() => converter(null).c.start({ checkpointDir: tiny, outDir: freshDir('out'), quant: '4w' })).code).toBe('unavailable');
    // A runner that cannot start (no worker script) leaves the converter free, not busy.
    const broken = converter(() => { throw new Error('no worker script'); });
    const noStart = failureOf(() => broken.c.start({ checkpointDir: tiny, outDir: freshDir('out'), quant: '4w' }));
    expect(noStart).toMatchObject({ code: 'unavailable', message: 'Making a model could not start: no worker script' });
    expect(failureOf(() => broken.c.start({ checkpointDir: tiny, outDir: freshDir('out'), quant: '4w' })).code).toBe('unavailable');
    expect(broken.statuses).toEqual([]);
  });

  it('runs one job at a time; a cancel mid-way stops the worker and leaves the folder empty', async () => {
    const { c, until } = converter();
    const out = freshDir('out');
    const { jobId } = c.start({ checkpointDir: medium, outDir: out, quant: '8w' });
    expect(failureOf(() => c.start({ checkpointDir: tiny, outDir: freshDir('out'), quant: '4w' })).code).toBe('busy');
    await until((s) => s.state === 'running' && (s.fraction ?? 0) > 0);
    expect(readdirSync(out).some((f) => f.endsWith('.partial'))).toBe(true); // it was writing
    expect(await c.cancel('some-other-job')).toBe(false);
    expect(await c.cancel(jobId)).toBe(true);
    const last = await until((s) => s.state !== 'running');
    expect(last).toMatchObject({ jobId, state: 'cancelled', model: null, error: null });
    expect(readdirSync(out)).toEqual([]);
    expect(await c.cancel(jobId)).toBe(false); // already gone
  });

  it('a cancel that comes as the pack renames its outputs still leaves nothing behind', async () => {
    // The worker had written the pair but its 'done' was not yet heard when the user cancelled.
    const finishedUnheard: PackRunner = (job) => {
      writeFileSync(path.join(job.outDir, 'model.pte'), 'pte');
      writeFileSync(path.join(job.outDir, 'model.ptd'), 'ptd');
      return { cancel: async () => undefined };
    };
    const { c, statuses } = converter(finishedUnheard);
    const out = freshDir('out');
    const { jobId } = c.start({ checkpointDir: tiny, outDir: out, quant: '4w' });
    expect(await c.cancel(jobId)).toBe(true);
    expect(statuses.map((s) => s.state)).toEqual(['running', 'cancelled']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a checkpoint that fails mid-pack reports why and leaves nothing behind', async () => {
    const broken = freshDir('broken');
    for (const f of ['params.json', 'tekken.json', 'consolidated.safetensors']) {
      writeFileSync(path.join(broken, f), readFileSync(path.join(tiny, f)));
    }
    // Cut the tensor data short: the header still parses, the last tensors cannot be read.
    const st = path.join(broken, 'consolidated.safetensors');
    truncateSync(st, Math.floor(statSync(st).size * 0.6));
    const { c, until } = converter();
    const out = freshDir('out');
    c.start({ checkpointDir: broken, outDir: out, quant: '4w' });
    const failed = await until((s) => s.state !== 'running');
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('model-invalid');
    expect(failed.error?.message).toMatch(/^The model could not be made: .+/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('bundledPackRunner', () => {
  it('finds the worker where a packaged app keeps it unpacked, and is absent where it is not built', () => {
    const resources = freshDir('resources');
    expect(bundledPackRunner({ resourcesPath: resources, startDirs: [] })).toBeUndefined();
    mkdirSync(path.join(resources, 'app.asar.unpacked', 'dist', 'main'), { recursive: true });
    writeFileSync(path.join(resources, 'app.asar.unpacked', 'dist', 'main', 'pack-worker.cjs'), '');
    expect(typeof bundledPackRunner({ resourcesPath: resources, startDirs: [] })).toBe('function');
  });
});

describe('AppCore: Make a model', () => {
  it('a made model becomes the model in use, and the windows hear each status', async () => {
    const configDir = freshDir('config');
    const core = await AppCore.create({ configDir, log: () => undefined, packRunner: runner });
    try {
      const events: ConversionStatus[] = [];
      core.onEvent((e) => { if (e.name === 'conversion') events.push(e.payload); });
      const out = freshDir('out');
      const started = await core.call('convertCheckpoint', { checkpointDir: tiny, outDir: out, quant: '4w' });
      expect(started.ok).toBe(true);
      await expect.poll(() => events.at(-1)?.state, { timeout: 30_000 }).toBe('done');
      expect(core.settings.get().model).toEqual({ pte: path.join(out, 'model.pte'), ptd: path.join(out, 'model.ptd') });
      expect(events[0].state).toBe('running');
      // Refusals come back as results with the converter's code.
      expect(await core.call('convertCheckpoint', { checkpointDir: tiny, outDir: out, quant: '4w' }))
        .toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(await core.call('convertCheckpoint', { checkpointDir: tiny, outDir: out, quant: '3w' }))
        .toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(await core.call('cancelConversion', { jobId: 'none' })).toEqual({ ok: true, value: { cancelled: false } });
    } finally {
      await core.close();
    }
  });

  it('closing the app cancels a running job and removes what it wrote', async () => {
    const core = await AppCore.create({ configDir: freshDir('config'), log: () => undefined, packRunner: runner });
    const out = freshDir('out');
    const events: ConversionStatus[] = [];
    core.onEvent((e) => { if (e.name === 'conversion') events.push(e.payload); });
    expect((await core.call('convertCheckpoint', { checkpointDir: medium, outDir: out, quant: '4w' })).ok).toBe(true);
    await expect.poll(() => events.some((s) => (s.fraction ?? 0) > 0), { timeout: 30_000 }).toBe(true);
    await core.close();
    expect(events.at(-1)?.state).toBe('cancelled');
    expect(existsSync(out) && readdirSync(out)).toEqual([]);
  });
});
