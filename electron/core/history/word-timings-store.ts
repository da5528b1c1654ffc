// When each word of a transcribed file was said, kept beside its History entry
// (<configDir>/timings/<entry id>.json) so the entry can be saved as subtitles. Only file
// transcriptions have them (a dictation's text goes into another app as it is said). Small
// (~35 bytes a word) and kept as long as their entry: RecordingRetention sweeps the ones whose
// entry is gone. A damaged file reads as none.

import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TimedText } from '../../common/subtitles';
import { readJsonFile, writeJsonAtomic } from '../app/json-file';

export const TIMINGS_DIR = 'timings';
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class WordTimingsStore {
  private constructor(readonly dir: string, private readonly ids: Set<string>) {}

  static async open(configDir: string): Promise<WordTimingsStore> {
    const dir = path.join(configDir, TIMINGS_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    const ids = new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((id) => ID_PATTERN.test(id)));
    return new WordTimingsStore(dir, ids);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  async write(id: string, words: readonly TimedText[]): Promise<void> {
    if (!ID_PATTERN.test(id)) throw new Error(`not an entry id: ${id}`);
    // [text, start, end] triples: a third of the size of objects.
    await writeJsonAtomic(path.join(this.dir, `${id}.json`), { words: words.map((w) => [w.text, Math.round(w.startMs), Math.round(w.endMs)]) });
    this.ids.add(id);
  }

  /** The words, or null where there are none (or the file is damaged). */
  async read(id: string): Promise<TimedText[] | null> {
    if (!this.ids.has(id)) return null;
    const read = await readJsonFile(path.join(this.dir, `${id}.json`)).catch(() => null);
    const words = read?.kind === 'ok' ? (read.value as { words?: unknown }).words : null;
    if (!Array.isArray(words)) return null;
    const valid = words.every((w) => Array.isArray(w) && typeof w[0] === 'string' && Number.isFinite(w[1]) && Number.isFinite(w[2]));
    return valid ? words.map(([text, startMs, endMs]) => ({ text, startMs, endMs })) : null;
  }

  async delete(id: string): Promise<void> {
    if (!this.ids.delete(id)) return;
    await rm(path.join(this.dir, `${id}.json`), { force: true });
  }

  /** Deletes the timings of entries not in `keep`; resolves with how many went. */
  async sweep(keep: ReadonlySet<string>): Promise<number> {
    const doomed = [...this.ids].filter((id) => !keep.has(id));
    for (const id of doomed) await this.delete(id);
    return doomed.length;
  }
}
