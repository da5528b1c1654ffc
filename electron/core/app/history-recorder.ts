// Turns dictation events into history entries: an entry is opened when a session starts, kept
// current as partial text arrives (so an app crash loses nothing) and finished by the final
// transcript. It also stamps the final transcript with the id of the entry it was saved as.

import path from 'node:path';
import type { FinalTranscript, Settings } from '../../common/ipc-contract';
import { resolveBackend as defaultResolveBackend, type BackendResolver } from '../engine/backend-choice';
import type { HistoryStore } from '../history/history-store';
import type { DictationEvent } from './services';

interface OpenEntry {
  entryId: string;
  startedAt: number;
  text: string;
}

export class HistoryRecorder {
  private readonly open = new Map<string, Promise<OpenEntry | null>>();
  private readonly finished = new Map<string, Promise<string | null>>();

  constructor(
    private readonly history: HistoryStore,
    private readonly settings: () => Settings,
    private readonly now: () => number = Date.now,
    /** Told, in words for the user, when a transcript could not be written to History. */
    private readonly onSaveFailed: (message: string) => void = () => undefined,
    /** The backend that runs for the settings' choice ('auto' resolved as the dictation resolves it). */
    private readonly resolveBackend: BackendResolver = defaultResolveBackend,
  ) {}

  /** Handles one event; resolves with the event as it should reach the renderer. */
  async record(event: DictationEvent): Promise<DictationEvent> {
    switch (event.name) {
      case 'state': {
        const { sessionId, state, source } = event.payload;
        if (state === 'listening' && sessionId && source && !this.open.has(sessionId)) this.begin(sessionId, source);
        if (state === 'idle' && sessionId) await this.abandon(sessionId);
        return event;
      }
      case 'partial': {
        const entry = await this.open.get(event.payload.sessionId);
        if (entry) {
          entry.text = event.payload.text;
          this.history.update(entry.entryId, { text: entry.text, durationMs: this.now() - entry.startedAt });
        }
        return event;
      }
      case 'final':
        return { name: 'final', payload: await this.finish(event.payload) };
      case 'error': {
        const { sessionId, keptText } = event.payload;
        if (sessionId && keptText) await this.abandon(sessionId);
        return event;
      }
      default:
        return event;
    }
  }

  /** The final transcript with its history id filled in (for the stopDictation response too). */
  finish(final: FinalTranscript): Promise<FinalTranscript> {
    // The final event and the stop() answer both come here; the entry is written once.
    let saving = this.finished.get(final.sessionId);
    if (!saving) {
      saving = this.save(final);
      this.finished.set(final.sessionId, saving);
      if (this.finished.size > 64) this.finished.delete(this.finished.keys().next().value as string);
    }
    return saving.then((historyId) => ({ ...final, historyId }));
  }

  private async save(final: FinalTranscript): Promise<string | null> {
    const entry = await this.open.get(final.sessionId);
    this.open.delete(final.sessionId);
    try {
      if (entry) return (await this.history.finish(entry.entryId, { text: final.text, durationMs: final.durationMs }))?.id ?? null;
      if (!this.settings().history.enabled || !final.text.trim()) return null;
      return (await this.history.add({ ...this.describeModel(), source: final.source, text: final.text, durationMs: final.durationMs })).id;
    } catch (err) {
      // A full disk must not lose the transcript on its way to the user; they are told it is not in History.
      this.onSaveFailed(saveFailureMessage(err));
      return null;
    }
  }

  private begin(sessionId: string, source: 'mic' | 'file'): void {
    if (!this.settings().history.enabled) return;
    const startedAt = this.now();
    const opening = this.history
      .begin({ ...this.describeModel(), source, createdAt: startedAt })
      .then((entry) => ({ entryId: entry.id, startedAt, text: '' }))
      .catch(() => null); // history must never break dictation
    this.open.set(sessionId, opening);
  }

  /** A session ended without a final transcript: keep what was said, drop empty entries. */
  private async abandon(sessionId: string): Promise<void> {
    const entry = await this.open.get(sessionId);
    this.open.delete(sessionId);
    if (!entry) return;
    try {
      if (entry.text.trim()) await this.history.finish(entry.entryId, { text: entry.text, durationMs: this.now() - entry.startedAt });
      else await this.history.delete(entry.entryId);
    } catch (err) {
      // The entry stays on disk as it was last written.
      this.onSaveFailed(saveFailureMessage(err));
    }
  }

  private describeModel() {
    const { model, engine } = this.settings();
    // No model chosen means the dictation ran on the embedded demo model (electron/core/models).
    return { model: model.pte ? path.basename(model.pte) : 'built-in demo model', backend: this.resolveBackend(engine.backend), dtype: engine.dtype };
  }
}

function saveFailureMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOSPC' ? 'the disk is full'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? "the app's data folder cannot be written"
      : 'the history file could not be written';
  return `This dictation could not be saved to History (${why}). Its text is still on screen; copy it before closing.`;
}
