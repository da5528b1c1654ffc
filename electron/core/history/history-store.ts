// HistoryStore: past transcripts, newest first, in one JSON file written atomically. A dictation
// creates its entry when it starts and updates it as text arrives, so quitting or crashing
// mid-dictation keeps every word decoded so far (the entry comes back as 'interrupted').

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { validateHistoryEntry, type HistoryChange, type HistoryEntry, type HistoryPage, type Notice, type TranscriptSource } from '../../common/ipc-contract';
import { check, isPlainObject } from '../../common/validate';
import { isScratchCommand } from '../../common/voice-commands';
import { moveAsideCorrupt, readJsonFile, removeStaleTemps, SerialQueue, writeJsonAtomic } from '../app/json-file';

export const HISTORY_FILE_NAME = 'history.json';
const FILE_VERSION = 1;
/** Live updates during a dictation are coalesced into one write per this many ms. */
const UPDATE_WRITE_DELAY_MS = 500;

export type NewHistoryEntry = Pick<HistoryEntry, 'model' | 'backend' | 'dtype' | 'source'> &
  Partial<Pick<HistoryEntry, 'text' | 'durationMs' | 'createdAt'>>;

export interface HistoryStoreOptions {
  maxEntries?: number;
  onNotice?: (notice: Notice) => void;
  now?: () => number;
}

export class HistoryStore {
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<(change: HistoryChange) => void>();
  private pendingWrite: NodeJS.Timeout | null = null;
  private maxEntries: number;
  private readonly now: () => number;

  /** Newest first. */
  private constructor(readonly file: string, private entries: HistoryEntry[], options: HistoryStoreOptions) {
    this.maxEntries = options.maxEntries ?? 5000;
    this.now = options.now ?? Date.now;
  }

  static async open(configDir: string, options: HistoryStoreOptions = {}): Promise<HistoryStore> {
    const file = path.join(configDir, HISTORY_FILE_NAME);
    await removeStaleTemps(file);
    const read = await readJsonFile(file);
    if (read.kind === 'missing') return new HistoryStore(file, [], options);

    const loaded = read.kind === 'ok' ? parseHistoryFile(read.value) : { entries: [], dropped: -1 };
    const interrupted = loaded.entries.filter((e) => e.status === 'recording');
    for (const entry of interrupted) entry.status = 'interrupted';
    const store = new HistoryStore(file, loaded.entries, options);

    if (loaded.dropped !== 0) {
      const backup = await moveAsideCorrupt(file);
      const what = loaded.dropped < 0
        ? 'The history file could not be read and history was started afresh'
        : `${loaded.dropped} damaged history ${loaded.dropped === 1 ? 'entry was' : 'entries were'} skipped`;
      options.onNotice?.({ kind: 'history-recovered', message: `${what}. The old file was kept as ${path.basename(backup)}.` });
    }
    if (interrupted.length > 0) {
      options.onNotice?.({
        kind: 'history-recovered',
        message: `${interrupted.length} dictation${interrupted.length === 1 ? ' was' : 's were'} interrupted when the app closed; the text decoded so far is in History.`,
      });
    }
    if (loaded.dropped !== 0 || interrupted.length > 0) await store.writeNow();
    return store;
  }

  list(offset: number, limit: number): HistoryPage {
    return { entries: this.entries.slice(offset, offset + limit).map(copy), total: this.entries.length };
  }

  /** Entries containing every word of the query (case-insensitive), newest first. */
  search(query: string, limit: number): HistoryPage {
    const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    const matches = this.entries.filter((e) => {
      const text = e.text.toLocaleLowerCase();
      return words.every((w) => text.includes(w));
    });
    return { entries: matches.slice(0, limit).map(copy), total: matches.length };
  }

  /**
   * The newest finished entry's text from `source` that has words and is not a spoken command
   * ("scratch that"), or null: paste-last's source.
   */
  latestText(source: TranscriptSource): string | null {
    const entry = this.entries.find((e) => e.source === source && e.status !== 'recording' && e.text.trim() !== '' && !isScratchCommand(e.text));
    return entry ? entry.text : null;
  }

  /** Every entry's id. */
  ids(): Set<string> {
    return new Set(this.entries.map((e) => e.id));
  }

  get(id: string): HistoryEntry | null {
    const entry = this.entries.find((e) => e.id === id);
    return entry ? copy(entry) : null;
  }

  /** Adds a finished transcript. */
  async add(entry: NewHistoryEntry): Promise<HistoryEntry> {
    return this.insert(entry, 'done');
  }

  /** Starts an entry for a dictation in progress; `update` and `finish` fill it in. */
  async begin(entry: NewHistoryEntry): Promise<HistoryEntry> {
    return this.insert(entry, 'recording');
  }

  /** Records the text so far; the write is coalesced, `flush` forces it. */
  update(id: string, fields: { text: string; durationMs: number }): boolean {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) return false;
    entry.text = fields.text;
    entry.durationMs = fields.durationMs;
    this.scheduleWrite();
    this.emit({ change: 'updated', id });
    return true;
  }

  /** Marks an entry done with its final text (and, for a re-transcription, the model that made it). */
  async finish(id: string, fields: { text: string; durationMs: number } & Partial<Pick<HistoryEntry, 'model' | 'backend' | 'dtype'>>): Promise<HistoryEntry | null> {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) return null;
    Object.assign(entry, fields, { status: 'done' as const });
    await this.writeNow();
    this.emit({ change: 'updated', id });
    return copy(entry);
  }

  /** The user's correction of an entry's text; null when it is gone or still being written. */
  async edit(id: string, text: string): Promise<HistoryEntry | null> {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry || entry.status === 'recording') return null;
    entry.text = text;
    await this.writeNow();
    this.emit({ change: 'updated', id });
    return copy(entry);
  }

  async delete(id: string): Promise<boolean> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    if (this.entries.length === before) return false;
    await this.writeNow();
    this.emit({ change: 'deleted', id });
    return true;
  }

  async clear(): Promise<number> {
    const count = this.entries.length;
    this.entries = [];
    await this.writeNow();
    this.emit({ change: 'cleared', id: null });
    return count;
  }

  async setMaxEntries(maxEntries: number): Promise<void> {
    this.maxEntries = maxEntries;
    if (this.prune()) await this.writeNow();
  }

  onChange(listener: (change: HistoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes any coalesced update now (call before quitting). */
  async flush(): Promise<void> {
    if (this.pendingWrite) await this.writeNow();
    else await this.writes.run(async () => undefined);
  }

  private async insert(fields: NewHistoryEntry, status: HistoryEntry['status']): Promise<HistoryEntry> {
    const entry: HistoryEntry = {
      id: randomUUID(),
      text: fields.text ?? '',
      createdAt: fields.createdAt ?? this.now(),
      durationMs: fields.durationMs ?? 0,
      model: fields.model,
      backend: fields.backend,
      dtype: fields.dtype,
      source: fields.source,
      status,
    };
    this.entries.unshift(entry);
    this.prune();
    await this.writeNow();
    this.emit({ change: 'added', id: entry.id });
    return copy(entry);
  }

  /** Drops the oldest finished entries beyond the limit; never one still recording. */
  private prune(): boolean {
    let removed = false;
    for (let i = this.entries.length - 1; i >= 0 && this.entries.length > this.maxEntries; i--) {
      if (this.entries[i].status !== 'recording') {
        this.entries.splice(i, 1);
        removed = true;
      }
    }
    return removed;
  }

  private scheduleWrite(): void {
    if (this.pendingWrite) return;
    this.pendingWrite = setTimeout(() => void this.writeNow().catch(() => undefined), UPDATE_WRITE_DELAY_MS);
    this.pendingWrite.unref?.();
  }

  private writeNow(): Promise<void> {
    if (this.pendingWrite) clearTimeout(this.pendingWrite);
    this.pendingWrite = null;
    // Each queued write takes the state at the moment it runs, so the last one always wins.
    return this.writes.run(() => writeJsonAtomic(this.file, { version: FILE_VERSION, entries: this.entries }));
  }

  private emit(change: HistoryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function copy(entry: HistoryEntry): HistoryEntry {
  return { ...entry };
}

/** Valid entries of a stored file, plus how many were dropped (-1: the file itself is unusable). */
export function parseHistoryFile(value: unknown): { entries: HistoryEntry[]; dropped: number } {
  if (!isPlainObject(value) || !Array.isArray(value.entries)) return { entries: [], dropped: -1 };
  const entries: HistoryEntry[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const raw of value.entries) {
    const result = check(validateHistoryEntry, raw);
    if (result.ok && !seen.has(result.value.id)) {
      seen.add(result.value.id);
      entries.push(result.value);
    } else dropped++;
  }
  entries.sort((a, b) => b.createdAt - a.createdAt);
  return { entries, dropped };
}
