// Keeps the recordings in step with History and the user's choice: a recording goes with its entry
// (deleted, cleared, or pruned past the entry limit), after the kept time (a week, a month), at
// once when recordings are turned off, and oldest first past the size cap. A file's word timings
// (word-timings-store.ts) go with their entry only. Sweeps run one at a time: at start, when the
// history shrinks or the setting changes, and hourly for age.

import type { HistoryChange, KeepAudio, Settings } from '../../common/ipc-contract';
import { SerialQueue } from '../app/json-file';
import type { HistoryStore } from './history-store';
import type { RecordingStore } from './recording-store';
import type { WordTimingsStore } from './word-timings-store';

const DAY_MS = 24 * 3600 * 1000;
const SWEEP_EVERY_MS = 3600 * 1000;

/** How long a recording is kept for each setting; null: until its entry goes. */
export const KEEP_AUDIO_MS: Record<KeepAudio, number | null> = { off: 0, week: 7 * DAY_MS, month: 30 * DAY_MS, forever: null };

export class RecordingRetention {
  private readonly sweeps = new SerialQueue();
  private readonly timer: NodeJS.Timeout;
  private keepAudio: KeepAudio;

  constructor(
    private readonly recordings: RecordingStore | null,
    private readonly timings: WordTimingsStore | null,
    private readonly history: HistoryStore,
    settings: Settings,
    private readonly log: (message: string, err?: unknown) => void,
    private readonly maxBytes?: number,
  ) {
    this.keepAudio = settings.history.keepAudio;
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref?.();
  }

  /** Deletes what is no longer kept; resolves with how many files (recordings, timings) went. */
  sweep(): Promise<number> {
    return this.sweeps.run(async () => {
      const entries = this.history.ids();
      const timings = (await this.timings?.sweep(entries)) ?? 0;
      const keep = this.keepAudio === 'off' ? new Set<string>() : entries;
      return timings + ((await this.recordings?.sweep({ keep, maxAgeMs: KEEP_AUDIO_MS[this.keepAudio], maxBytes: this.maxBytes })) ?? 0);
    }).catch((err) => {
      this.log('recordings sweep failed', err);
      return 0;
    });
  }

  historyChanged(change: HistoryChange): void {
    // 'added' may have pruned the oldest entries past the limit; 'updated' never removes one.
    if (change.change !== 'updated') void this.sweep();
  }

  settingsChanged(settings: Settings): void {
    if (settings.history.keepAudio === this.keepAudio) return;
    this.keepAudio = settings.history.keepAudio;
    void this.sweep();
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
