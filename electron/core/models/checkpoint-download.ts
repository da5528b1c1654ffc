// Downloads Mistral's Voxtral Mini 4B Realtime checkpoint (params.json, tekken.json,
// consolidated.safetensors) from Hugging Face into a folder, for Settings → Make a model. The file
// list, sizes and SHA-256 come from the Hub's tree API; each file is written as `<name>.partial`,
// checked against its size and hash, then renamed, so a folder never holds a wrong file under a
// real name. A cancelled or broken download keeps its partial file and the next start resumes it
// with an HTTP Range request (the bytes already there are hashed again first).

import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { formatSize } from '../../common/byte-size';
import type { DownloadStatus } from '../../common/ipc-contract';
import { AppFailure } from '../app/app-failure';
import { freeBytes } from './checkpoint-converter';

export const CHECKPOINT_REPO = 'mistralai/Voxtral-Mini-4B-Realtime-2602';
export const CHECKPOINT_FILES = ['params.json', 'tekken.json', 'consolidated.safetensors'] as const;
const HUB = 'https://huggingface.co';

interface RemoteFile {
  name: string;
  size: number;
  /** SHA-256 (hex) of an LFS file; null for a small file stored in git (its size is checked). */
  sha256: string | null;
}

/** One entry of the Hub's `GET /api/models/{repo}/tree/{revision}` answer (fields used here). */
interface TreeEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  lfs?: { oid?: unknown; size?: unknown };
}

export interface DownloaderOptions {
  /** The Hub (tests: a local server with the same routes). */
  hub?: string;
  fetch?: typeof fetch;
  freeSpace?: (dir: string) => number;
}

interface Job {
  id: string;
  dir: string;
  abort: AbortController;
  received: number;
  total: number | null;
  /** What it is doing now, for the progress statuses. */
  current: string;
}

export class CheckpointDownloader {
  private job: Job | null = null;
  private readonly hub: string;
  private readonly fetch: typeof fetch;
  private readonly freeSpace: (dir: string) => number;

  constructor(private readonly onStatus: (status: DownloadStatus) => void, options: DownloaderOptions = {}) {
    this.hub = options.hub ?? HUB;
    this.fetch = options.fetch ?? fetch;
    this.freeSpace = options.freeSpace ?? freeBytes;
  }

  /** Starts (or resumes) the download into `dir`; statuses follow. */
  start(dir: string): { jobId: string } {
    if (this.job) throw new AppFailure('busy', 'The checkpoint is already downloading: wait for it or cancel it.');
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new AppFailure('not-found', `The folder ${dir} does not exist; choose or create one.`);
    }
    const job: Job = { id: randomUUID(), dir, abort: new AbortController(), received: 0, total: null, current: `Asking Hugging Face for ${CHECKPOINT_REPO}…` };
    this.job = job;
    this.emit(job, 'running', job.current);
    void this.run(job);
    return { jobId: job.id };
  }

  /** Stops the download; what arrived stays as a partial file that the next start resumes. */
  async cancel(jobId: string): Promise<boolean> {
    const job = this.job;
    if (!job || job.id !== jobId) return false;
    this.job = null;
    job.abort.abort();
    this.emit(job, 'cancelled', 'Stopped; starting again resumes where it stopped.');
    return true;
  }

  async dispose(): Promise<void> {
    if (this.job) await this.cancel(this.job.id);
  }

  private async run(job: Job): Promise<void> {
    // Progress twice a second while bytes arrive (a chunk loop that reported itself would fall
    // silent after a fast burst, and say nothing while the network stalls).
    let reported = job.received;
    const ticker = setInterval(() => {
      if (this.job === job && job.received !== reported) {
        reported = job.received;
        this.emit(job, 'running', job.current);
      }
    }, 500);
    try {
      const files = await this.listFiles(job);
      job.total = files.reduce((sum, f) => sum + f.size, 0);
      const remaining = files.reduce((sum, f) => sum + f.size - bytesPresent(job.dir, f), 0);
      const free = this.freeSpace(job.dir);
      if (free < remaining + 64e6) {
        throw new AppFailure('io', `The checkpoint needs ${formatSize(remaining)} more but only ${formatSize(free)} is free in ${job.dir}.`);
      }
      for (const file of files) await this.download(job, file);
      if (this.job !== job) return;
      this.job = null;
      this.emit(job, 'done', `Downloaded ${CHECKPOINT_REPO} (${formatSize(job.total)}).`);
    } catch (err) {
      if (this.job !== job) return; // cancelled: the abort surfaces here as an error
      this.job = null;
      const failure = err instanceof AppFailure ? err : new AppFailure('io', `The download stopped: ${describeError(err)}. Start again to resume.`);
      this.emit(job, 'failed', '', failure.toAppError());
    } finally {
      clearInterval(ticker);
    }
  }

  private async listFiles(job: Job): Promise<RemoteFile[]> {
    const url = `${this.hub}/api/models/${CHECKPOINT_REPO}/tree/main`;
    const response = await this.fetch(url, { signal: job.abort.signal });
    if (!response.ok) throw new AppFailure('io', `Hugging Face answered ${response.status} for the file list of ${CHECKPOINT_REPO}.`);
    const entries = (await response.json()) as unknown;
    if (!Array.isArray(entries)) throw new AppFailure('io', 'Hugging Face sent a file list this app cannot read.');
    return CHECKPOINT_FILES.map((name) => {
      const entry = (entries as TreeEntry[]).find((e) => e?.type === 'file' && e.path === name);
      const size = Number(entry?.lfs?.size ?? entry?.size);
      if (!entry || !Number.isSafeInteger(size) || size < 0) throw new AppFailure('io', `${CHECKPOINT_REPO} on Hugging Face has no ${name}.`);
      const oid = entry.lfs?.oid;
      return { name, size, sha256: typeof oid === 'string' && /^[0-9a-f]{64}$/.test(oid) ? oid : null };
    });
  }

  /** One file: resumes its partial, checks size and hash, renames it into place. */
  private async download(job: Job, file: RemoteFile): Promise<void> {
    const final = path.join(job.dir, file.name);
    const partial = `${final}.partial`;
    if (isComplete(job.dir, file)) {
      job.received += file.size; // finished by an earlier run (checked before its rename)
      return;
    }
    const hash = createHash('sha256');
    let have = existsSync(partial) ? statSync(partial).size : 0;
    if (have > file.size) {
      rmSync(partial);
      have = 0;
    }
    if (have > 0) {
      // Gigabytes of an earlier run's bytes take a while to hash again: say so.
      job.current = `Checking the part of ${file.name} downloaded before`;
      this.emit(job, 'running', job.current);
      await hashFile(partial, hash);
    }
    job.received += have;
    job.current = `Downloading ${file.name}`;
    this.emit(job, 'running', job.current);
    if (have < file.size) {
      const url = `${this.hub}/${CHECKPOINT_REPO}/resolve/main/${file.name}`;
      const response = await this.fetch(url, { signal: job.abort.signal, headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
      if (response.status !== (have > 0 ? 206 : 200) || !response.body) {
        // A server that ignores the Range starts over from byte 0.
        if (response.status === 200 && have > 0) {
          await response.body?.cancel();
          return this.restart(job, file, partial, have);
        }
        throw new AppFailure('io', `Hugging Face answered ${response.status} for ${file.name}.`);
      }
      const out = await open(partial, 'a');
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          await out.write(chunk);
          hash.update(chunk);
          have += chunk.length;
          job.received += chunk.length;
          if (have > file.size) break;
        }
      } finally {
        await out.close();
      }
    }
    const digest = hash.digest('hex');
    if (have !== file.size || (file.sha256 && digest !== file.sha256)) {
      rmSync(partial, { force: true });
      throw new AppFailure('io', `${file.name} arrived damaged (${have !== file.size ? `${have} of ${file.size} bytes` : 'its SHA-256 does not match'}); it was removed, start again to fetch it anew.`);
    }
    renameSync(partial, final);
  }

  private async restart(job: Job, file: RemoteFile, partial: string, had: number): Promise<void> {
    rmSync(partial, { force: true });
    job.received -= had;
    return this.download(job, file);
  }

  private emit(job: Job, state: DownloadStatus['state'], detail: string, error: DownloadStatus['error'] = null): void {
    this.onStatus({ jobId: job.id, state, receivedBytes: job.received, totalBytes: job.total, detail, error, dir: job.dir });
  }
}

/** `file` is in `dir` under its real name (only a checked download is renamed there). */
function isComplete(dir: string, file: RemoteFile): boolean {
  const final = path.join(dir, file.name);
  return existsSync(final) && statSync(final).size === file.size;
}

/** Bytes of `file` already in `dir`: the finished file, or its partial download. */
function bytesPresent(dir: string, file: RemoteFile): number {
  if (isComplete(dir, file)) return file.size;
  const partial = path.join(dir, `${file.name}.partial`);
  return existsSync(partial) ? Math.min(file.size, statSync(partial).size) : 0;
}

function hashFile(file: string, hash: Hash): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve()).on('error', reject);
  });
}

/** fetch's own errors say only "fetch failed"; the reason (no network, a reset) is their cause. */
function describeError(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
  return detail ? `${message} (${detail})` : message;
}
