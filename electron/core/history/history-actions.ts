// What the History view asks of main beyond the store's own list and delete: entries marked with
// what is kept beside them (a recording, word timings), the user's corrections, and files written
// where the user picks in a save dialog (the history exported, a transcribed file's subtitles).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryEntry, HistoryPage, ReplacementSettings } from '../../common/ipc-contract';
import { formatSubtitles, subtitleCues } from '../../common/subtitles';
import { AppFailure } from '../app/app-failure';
import type { FileChooser, SaveFileRequest } from '../app/services';
import { applyToWords } from '../dictation/replacements';
import { exportFormatOf, formatHistoryExport, HISTORY_EXPORT_FILTERS, localStamp } from './history-export';
import type { HistoryStore } from './history-store';
import type { RecordingStore } from './recording-store';
import type { WordTimingsStore } from './word-timings-store';

export class HistoryActions {
  constructor(
    private readonly history: HistoryStore,
    private readonly recordings: RecordingStore | null,
    private readonly timings: WordTimingsStore,
    private readonly files: FileChooser,
    private readonly replacements: () => Readonly<ReplacementSettings>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The page with each entry marked for what is kept beside it. */
  annotate(page: HistoryPage): HistoryPage {
    return { ...page, entries: page.entries.map((e) => this.annotateEntry(e)) };
  }

  /** The recording of entry `id` to transcribe again; a clear refusal where there is none. */
  recordingFor(id: string): string {
    if (!this.history.get(id)) throw new AppFailure('not-found', 'That History entry no longer exists.');
    const file = this.recordings?.file(id);
    if (!file) throw new AppFailure('not-found', 'This History entry has no recording to transcribe (recordings are kept as Settings → General says).');
    return file;
  }

  async edit(id: string, text: string): Promise<HistoryEntry> {
    const entry = await this.history.edit(id, text);
    if (entry) return this.annotateEntry(entry);
    if (this.history.get(id)) throw new AppFailure('busy', 'This dictation is still running; edit it when it is done.');
    throw new AppFailure('not-found', 'That History entry no longer exists.');
  }

  /** The entries listed (all, or the search's) where the user picks, as Markdown, text or JSON. */
  async export(query: string): Promise<{ path: string | null; count: number }> {
    const all = Number.MAX_SAFE_INTEGER;
    const { entries } = query.trim() ? this.history.search(query, all) : this.history.list(0, all);
    const n = entries.length;
    const now = this.now();
    const file = await this.chooseSave({
      title: n === this.history.list(0, 1).total ? 'Export History' : `Export the ${n} matching transcript${n === 1 ? '' : 's'}`,
      defaultName: `voxtral-history-${localStamp(now).slice(0, 10)}.md`, filters: HISTORY_EXPORT_FILTERS,
    });
    if (!file) return { path: null, count: 0 };
    await writeFile(file, formatHistoryExport(entries, exportFormatOf(file), now), 'utf8');
    return { path: file, count: n };
  }

  /** A transcribed file's entry as SubRip or WebVTT where the user picks, with their replacements and words. */
  async saveSubtitles(id: string): Promise<{ path: string | null }> {
    const entry = this.history.get(id);
    const words = entry ? await this.timings.read(id) : null;
    if (!entry || !words) throw new AppFailure('not-found', 'This History entry has no word times to make subtitles from (only transcribed files have them).');
    const file = await this.chooseSave({
      title: 'Save subtitles', defaultName: `transcript-${localStamp(entry.createdAt).slice(0, 10)}.srt`,
      filters: [{ name: 'SubRip subtitles', extensions: ['srt'] }, { name: 'WebVTT subtitles', extensions: ['vtt'] }],
    });
    if (!file) return { path: null };
    const format = path.extname(file).toLowerCase() === '.vtt' ? 'vtt' : 'srt';
    const { rules, words: listed } = this.replacements();
    await writeFile(file, formatSubtitles(subtitleCues(applyToWords(words, rules, listed ?? [])), format), 'utf8');
    return { path: file };
  }

  private annotateEntry(entry: HistoryEntry): HistoryEntry {
    return { ...entry, audio: this.recordings?.has(entry.id) ?? false, subtitles: this.timings.has(entry.id) };
  }

  private chooseSave(request: SaveFileRequest): Promise<string | null> {
    if (!this.files.chooseSaveFile) throw new AppFailure('unavailable', 'There is no save dialog here.');
    return this.files.chooseSaveFile(request);
  }
}
