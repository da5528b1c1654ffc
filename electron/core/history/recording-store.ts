// Recordings of dictations, kept beside the history: one 16 kHz mono 16-bit WAV per history entry
// (<configDir>/recordings/<entry id>.wav), exactly the audio the engine heard, so a dictation can
// be played back or transcribed again (with another model, or after the engine failed). Each is
// written as the dictation runs, its header's sizes brought up to date every few seconds and at
// the end, so a crash keeps a playable file; open() repairs the header of one cut short. What is
// kept follows the user's setting (a week, a month, until deleted) and a total size cap.

import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AUDIO_SAMPLE_RATE } from '../../common/ipc-contract';

export const RECORDINGS_DIR = 'recordings';
const HEADER_BYTES = 44;
/** The header's sizes are rewritten after this much more audio (a crash loses at most this much). */
const HEADER_EVERY_SAMPLES = 5 * AUDIO_SAMPLE_RATE;
/** Recordings beyond this total are dropped, oldest first (about 70 h of audio). */
export const DEFAULT_MAX_RECORDING_BYTES = 8 * 1024 ** 3;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Kept {
  bytes: number;
  /** Epoch ms of the last write. */
  modified: number;
}

export interface SweepPolicy {
  /** Entries whose recordings may stay; any other recording is deleted (its entry is gone). */
  keep: ReadonlySet<string>;
  /** Recordings older than this are deleted; null: no age limit. */
  maxAgeMs: number | null;
  maxBytes?: number;
}

export class RecordingStore {
  private readonly writers = new Map<string, RecordingWriter>();

  private constructor(readonly dir: string, private readonly kept: Map<string, Kept>, private readonly now: () => number) {}

  /** Opens (creates) the folder, lists what is there and repairs recordings cut short by a crash. */
  static async open(configDir: string, now: () => number = Date.now): Promise<RecordingStore> {
    const dir = path.join(configDir, RECORDINGS_DIR);
    await mkdir(dir, { recursive: true });
    const kept = new Map<string, Kept>();
    for (const name of await readdir(dir)) {
      const id = name.endsWith('.wav') ? name.slice(0, -4) : '';
      if (!ID_PATTERN.test(id)) continue; // not ours
      const file = path.join(dir, name);
      const info = await repairHeader(file).catch(() => null);
      if (info) kept.set(id, info);
      else await rm(file, { force: true }); // not even a header: nothing to play
    }
    return new RecordingStore(dir, kept, now);
  }

  /** Whether `id` has a recording (also while it is being written). */
  has(id: string): boolean {
    return this.kept.has(id);
  }

  /** The recording's path, or null (also for anything that is not an entry id). */
  file(id: string): string | null {
    return ID_PATTERN.test(id) && this.kept.has(id) ? path.join(this.dir, `${id}.wav`) : null;
  }

  /** Starts the recording of entry `id` (replacing one it had). */
  async start(id: string): Promise<RecordingWriter> {
    if (!ID_PATTERN.test(id)) throw new Error(`not an entry id: ${id}`);
    await this.writers.get(id)?.close();
    const file = path.join(this.dir, `${id}.wav`);
    const handle = await open(file, 'w');
    this.kept.set(id, { bytes: HEADER_BYTES, modified: this.now() });
    const writer = new RecordingWriter(handle, (bytes) => {
      this.kept.set(id, { bytes, modified: this.now() });
    }, () => this.writers.delete(id));
    this.writers.set(id, writer);
    await writer.ready;
    return writer;
  }

  async delete(id: string): Promise<void> {
    const file = this.file(id);
    if (!file) return;
    await this.writers.get(id)?.close();
    this.kept.delete(id);
    await rm(file, { force: true });
  }

  /** Deletes what the policy does not keep: recordings of deleted entries, too old, over the cap. */
  async sweep(policy: SweepPolicy): Promise<number> {
    const cutoff = policy.maxAgeMs === null ? -Infinity : this.now() - policy.maxAgeMs;
    const doomed = new Set<string>();
    for (const [id, k] of this.kept) {
      if (this.writers.has(id)) continue; // still being written: its entry is open
      if (!policy.keep.has(id) || k.modified < cutoff) doomed.add(id);
    }
    const maxBytes = policy.maxBytes ?? DEFAULT_MAX_RECORDING_BYTES;
    let total = 0;
    for (const [id, k] of this.kept) if (!doomed.has(id)) total += k.bytes;
    const oldestFirst = [...this.kept].filter(([id]) => !doomed.has(id) && !this.writers.has(id)).sort((a, b) => a[1].modified - b[1].modified);
    for (const [id, k] of oldestFirst) {
      if (total <= maxBytes) break;
      doomed.add(id);
      total -= k.bytes;
    }
    for (const id of doomed) await this.delete(id);
    return doomed.size;
  }

  /** Total bytes kept. */
  get bytes(): number {
    let total = 0;
    for (const k of this.kept.values()) total += k.bytes;
    return total;
  }

  /** Finishes every recording in progress (app quit). */
  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.close()));
  }
}

/**
 * Appends 16 kHz mono samples to one recording. Calls never block the caller: samples are
 * converted at once and written in order behind the scenes; close() waits for all of them.
 */
export class RecordingWriter {
  readonly ready: Promise<void>;
  private chain: Promise<void>;
  private samples = 0;
  private samplesAtHeader = 0;
  private closed = false;
  private failed: Error | null = null;

  constructor(private readonly handle: FileHandle, private readonly onSize: (bytes: number) => void, private readonly onClosed: () => void) {
    this.ready = this.writeHeader();
    this.chain = this.ready.catch((err) => { this.failed = err as Error; });
  }

  /** Adds samples (floats in [−1, 1], clamped); ignored once closed or after a write failed. */
  append(frame: Float32Array): void {
    if (this.closed || this.failed) return;
    const pcm = Buffer.alloc(frame.length * 2);
    for (let i = 0; i < frame.length; i++) {
      const v = Math.max(-1, Math.min(1, Number.isFinite(frame[i]) ? frame[i] : 0));
      pcm.writeInt16LE(Math.round(v * 32767), i * 2);
    }
    const at = HEADER_BYTES + this.samples * 2;
    this.samples += frame.length;
    const refresh = this.samples - this.samplesAtHeader >= HEADER_EVERY_SAMPLES;
    if (refresh) this.samplesAtHeader = this.samples;
    const total = this.samples;
    this.queue(async () => {
      await this.handle.write(pcm, 0, pcm.length, at);
      if (refresh) await this.writeHeader(total);
      this.onSize(HEADER_BYTES + total * 2);
    });
  }

  /** Seconds appended so far. */
  get seconds(): number {
    return this.samples / AUDIO_SAMPLE_RATE;
  }

  /** Writes what is queued and the final header; resolves once the file is complete. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    const total = this.samples;
    this.queue(() => this.writeHeader(total));
    this.chain = this.chain.finally(async () => {
      await this.handle.close().catch(() => undefined);
      this.onClosed();
    });
    return this.chain;
  }

  private queue(step: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await step();
      } catch (err) {
        this.failed = err as Error; // a full disk: the recording ends here, dictation goes on
      }
    });
  }

  private async writeHeader(samples = 0): Promise<void> {
    const header = wavHeader(samples);
    await this.handle.write(header, 0, header.length, 0);
  }
}

/** The 44-byte header of a 16 kHz mono 16-bit PCM WAV holding `samples` samples. */
export function wavHeader(samples: number): Buffer {
  const data = samples * 2;
  const b = Buffer.alloc(HEADER_BYTES);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(AUDIO_SAMPLE_RATE, 24);
  b.writeUInt32LE(AUDIO_SAMPLE_RATE * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}

/** Makes the header's sizes match the file (a recording cut short by a crash); its size and age. */
async function repairHeader(file: string): Promise<Kept | null> {
  const info = await stat(file);
  if (info.size < HEADER_BYTES) return null;
  const samples = Math.floor((info.size - HEADER_BYTES) / 2);
  const handle = await open(file, 'r+');
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    await handle.read(head, 0, HEADER_BYTES, 0);
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    if (head.readUInt32LE(40) !== samples * 2) await handle.write(wavHeader(samples), 0, HEADER_BYTES, 0);
  } finally {
    await handle.close();
  }
  return { bytes: info.size, modified: info.mtimeMs };
}
