// Makes a model pair from a Mistral checkpoint folder inside the app (Settings → "Make a model"),
// as `voxtral pack` does on the command line: the folders are checked before anything runs, the
// pack (native-models/js/pack) runs in a worker thread so gigabytes of weights never block the main
// process, progress arrives as ConversionStatus, and a job can be cancelled. The pack writes under
// temporary names and renames at the end; a cancelled or failed job removes those, so it leaves
// nothing half-made, and a folder that already holds a model is refused rather than overwritten.

import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelFormatError } from '../../../native-models/js/format/errors';
import { plannedWeightBytes } from '../../../native-models/js/pack/pack';
import { formatSize } from '../../common/byte-size';
import type { ConversionRequest, ConversionStatus, ModelPaths } from '../../common/ipc-contract';
import { AppFailure } from '../app/app-failure';
import { findBundledFile, type BundledSearch } from '../app/bundled-file';

/** What the worker packs. */
export interface PackJob {
  checkpointDir: string;
  outDir: string;
  quant: ConversionRequest['quant'];
  dtype: 'bf16';
  groupSize: number;
}

/** Worker → converter messages. */
export type PackEvent =
  | { type: 'progress'; done: number; total: number; tensor: string }
  | { type: 'done'; pteBytes: number; ptdBytes: number }
  | { type: 'error'; message: string; invalid: boolean };

export interface PackRun {
  /** Stops the pack; resolves once it can write nothing more. */
  cancel(): Promise<void>;
}

/** Starts one pack and reports its events (exactly one 'done' or 'error' unless cancelled). */
export type PackRunner = (job: PackJob, onEvent: (event: PackEvent) => void) => PackRun;

/** The CLI's defaults for what Settings does not ask. */
const PACK_DEFAULTS = { dtype: 'bf16', groupSize: 32 } as const;
const CHECKPOINT_FILES = ['params.json', 'consolidated.safetensors', 'tekken.json'] as const;
const MODEL_FILES = ['model.pte', 'model.ptd'] as const;
/** What pack writes before its final renames (native-models/js/pack/pack.ts). */
const PARTIAL_FILES = ['model.pte', 'model.ptd', 'tekken.json'].map((name) => `.${name}.partial`);
/**
 * What a stopped job may have left: its partial files, and the pair itself where the pack had
 * renamed it just before the stop (the folder held neither when the job started: checkOutputFolder).
 */
const JOB_FILES = [...PARTIAL_FILES, ...MODEL_FILES];

/** The pack in a worker thread running `workerFile` (the bundled electron/core/models/pack-worker.ts). */
export function workerPackRunner(workerFile: string): PackRunner {
  return (job, onEvent) => {
    const worker = new Worker(workerFile, { workerData: job });
    let finished = false;
    const finish = (event: PackEvent) => {
      if (finished) return;
      finished = true;
      onEvent(event);
    };
    worker.on('message', (event: PackEvent) => {
      if (event.type !== 'progress') finish(event);
      else if (!finished) onEvent(event);
    });
    worker.on('error', (err) => finish({ type: 'error', message: err.message, invalid: false }));
    // After the worker's last messages (a natural exit delivers them first; the turn is for safety).
    worker.on('exit', (code) => setImmediate(() => finish({ type: 'error', message: `the conversion stopped unexpectedly (exit code ${code})`, invalid: false })));
    return {
      async cancel() {
        finished = true;
        await worker.terminate();
      },
    };
  };
}

/**
 * The app's runner: the bundled worker (dist/main/pack-worker.cjs, from app.asar.unpacked in a
 * packaged app, since a worker's script is opened by path); undefined where it is not built.
 */
export function bundledPackRunner(search?: BundledSearch): PackRunner | undefined {
  const worker = findBundledFile(path.join('dist', 'main', 'pack-worker.cjs'), search);
  return worker ? workerPackRunner(worker) : undefined;
}

interface Job {
  id: string;
  request: ConversionRequest;
  run: PackRun;
  fraction: number | null;
}

/** Free bytes on the disk that holds `dir` (for the user, not root's reserve). */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export class CheckpointConverter {
  private job: Job | null = null;

  /** `runner` null: this build cannot make models (start answers 'unavailable'). */
  constructor(
    private readonly runner: PackRunner | null,
    private readonly onStatus: (status: ConversionStatus) => void,
    private readonly freeSpace: (dir: string) => number = freeBytes,
  ) {}

  /** Checks both folders and starts the pack; throws AppFailure when it cannot start. */
  start(request: ConversionRequest): { jobId: string } {
    if (!this.runner) throw new AppFailure('unavailable', 'Making a model is not available in this build; use `npx voxtral pack`.');
    if (this.job) throw new AppFailure('busy', 'A model is already being made: wait for it or cancel it.');
    checkCheckpointFolder(request.checkpointDir);
    checkOutputFolder(request.outDir);
    this.checkRoom(request);
    const id = randomUUID();
    const job: Job = { id, request, run: { cancel: async () => undefined }, fraction: null };
    this.job = job;
    try {
      job.run = this.runner(
        { checkpointDir: request.checkpointDir, outDir: request.outDir, quant: request.quant, ...PACK_DEFAULTS },
        (event) => this.onPackEvent(job, event),
      );
    } catch (err) {
      this.job = null;
      throw new AppFailure('unavailable', `Making a model could not start: ${(err as Error)?.message ?? String(err)}`);
    }
    // Before any of the runner's events: a worker reports on a later turn of the event loop.
    this.emit(job, 'running', 'Reading the checkpoint…');
    return { jobId: id };
  }

  /** Stops the job and removes what it wrote; false when no such job is running. */
  async cancel(jobId: string): Promise<boolean> {
    const job = this.job;
    if (!job || job.id !== jobId) return false;
    this.job = null;
    await job.run.cancel();
    removeFiles(job.request.outDir, JOB_FILES);
    this.emit(job, 'cancelled', 'Cancelled; nothing was kept.');
    return true;
  }

  /** App quit: a running job is cancelled (its partial files removed). */
  async dispose(): Promise<void> {
    if (this.job) await this.cancel(this.job.id);
  }

  /** A pack that would fill the disk is refused before it writes gigabytes (params.json gives the size). */
  private checkRoom(request: ConversionRequest): void {
    let needed: number;
    try {
      needed = plannedWeightBytes(request.checkpointDir, { quant: request.quant, ...PACK_DEFAULTS });
    } catch (err) {
      if (err instanceof ModelFormatError) throw new AppFailure('model-invalid', `The checkpoint cannot be converted: ${err.message}`);
      throw err;
    }
    const free = this.freeSpace(request.outDir);
    if (free < needed * 1.01 + 64e6) {
      throw new AppFailure('io', `The model needs about ${formatSize(needed)} but only ${formatSize(free)} is free where it would be saved.`);
    }
  }

  private onPackEvent(job: Job, event: PackEvent): void {
    if (this.job !== job) return; // cancelled meanwhile
    if (event.type === 'progress') {
      job.fraction = event.total > 0 ? Math.min(1, event.done / event.total) : null;
      this.emit(job, 'running', `Writing ${event.tensor}`);
      return;
    }
    this.job = null;
    if (event.type === 'done') {
      job.fraction = 1;
      const model: ModelPaths = { pte: path.join(job.request.outDir, 'model.pte'), ptd: path.join(job.request.outDir, 'model.ptd') };
      this.emit(job, 'done', `Made model.pte and model.ptd (${formatSize(event.pteBytes + event.ptdBytes)}).`, model);
    } else {
      removeFiles(job.request.outDir, PARTIAL_FILES);
      const code = event.invalid ? 'model-invalid' : 'io';
      this.emit(job, 'failed', 'Nothing was kept.', null, { code, message: `The model could not be made: ${event.message}` });
    }
  }

  private emit(job: Job, state: ConversionStatus['state'], detail: string, model: ModelPaths | null = null, error: ConversionStatus['error'] = null): void {
    this.onStatus({ jobId: job.id, state, fraction: job.fraction, detail, model, error });
  }
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function checkCheckpointFolder(dir: string): void {
  if (!isFolder(dir)) throw new AppFailure('not-found', `The checkpoint folder ${dir} does not exist.`);
  const missing = CHECKPOINT_FILES.filter((name) => !existsSync(path.join(dir, name)));
  if (missing.length) {
    throw new AppFailure('model-invalid', `${dir} is not a Mistral checkpoint folder: it has no ${missing.join(', ')}.`);
  }
}

function checkOutputFolder(dir: string): void {
  if (!isFolder(dir)) throw new AppFailure('not-found', `The folder ${dir} does not exist; choose or create one.`);
  const existing = MODEL_FILES.filter((name) => existsSync(path.join(dir, name)));
  if (existing.length) {
    throw new AppFailure('invalid-request', `${dir} already holds a model (${existing.join(', ')}); choose another folder so nothing is overwritten.`);
  }
}

function removeFiles(dir: string, names: readonly string[]): void {
  for (const name of names) rmSync(path.join(dir, name), { force: true });
}
