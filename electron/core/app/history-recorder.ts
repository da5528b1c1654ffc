// Turns dictation events into history entries: an entry is opened when a session starts, kept
// current as partial text arrives (so an app crash loses nothing) and finished by the final
// transcript. It also stamps the final transcript with the id of the entry it was saved as.
// Where recordings are kept (Settings.history.keepAudio), the audio the engine heard is written
// beside the entry as it arrives; a dictation whose engine failed before any word keeps its
// entry for that recording, to be transcribed again. A re-transcription of an entry's recording
// replaces its text only once finished, so a failed or cancelled one leaves the entry as it was.

import path from 'node:path';
import type { FinalTranscript, Settings } from '../../common/ipc-contract';
import { resolveBackend as defaultResolveBackend, type BackendResolver } from '../engine/backend-choice';
import type { HistoryStore } from '../history/history-store';
import type { RecordingStore, RecordingWriter } from '../history/recording-store';
import type { WordTimingsStore } from '../history/word-timings-store';
import type { TimedText } from '../../common/subtitles';
import type { DictationEvent } from './services';

/** Audio of a session held until its entry exists (the events reach us after the frames). */
const MAX_BUFFERED_SAMPLES = 120 * 16_000;
/** A recording shorter than this is not worth keeping an empty entry for. */
const MIN_KEPT_RECORDING_S = 0.5;

interface OpenEntry {
  entryId: string;
  startedAt: number;
  text: string;
  /** Replacing the text of an existing entry (a re-transcription): partials leave it alone. */
  replacing: boolean;
}

/** One dictation's recording: frames buffered until the entry exists, then its writer. */
interface SessionAudio {
  buffered: Float32Array[];
  bufferedSamples: number;
  writer: RecordingWriter | null;
  /** Frames are still taken (false once the session ended, or it is not recorded after all). */
  open: boolean;
  /** The writer being started once the entry exists. */
  starting: Promise<void> | null;
}

export interface HistoryRecorderOptions {
  now?: () => number;
  /** Told, in words for the user, when a transcript could not be written to History. */
  onSaveFailed?: (message: string) => void;
  /** The backend that runs for the settings' choice ('auto' resolved as the dictation resolves it). */
  resolveBackend?: BackendResolver;
  /** Where recordings go; none: nothing is recorded. */
  recordings?: RecordingStore | null;
  /** Where a file's word times go (its entry's subtitles); none: not kept. */
  timings?: WordTimingsStore | null;
  log?: (message: string, err?: unknown) => void;
}

export class HistoryRecorder {
  private readonly open = new Map<string, Promise<OpenEntry | null>>();
  private readonly finished = new Map<string, Promise<string | null>>();
  private readonly audio = new Map<string, SessionAudio>();
  /** Sessions whose recording ended: frames arriving late are dropped, not started afresh. */
  private readonly audioEnded = new Set<string>();
  /** Sessions whose engine failed: their recording keeps an otherwise empty entry. */
  private readonly failed = new Set<string>();
  /** File jobs that re-transcribe an entry's recording: job id → entry id. */
  private readonly retranscriptions = new Map<string, string>();
  /** A file job's words, from just before its final until its entry is saved. */
  private readonly pendingWords = new Map<string, readonly TimedText[]>();
  private readonly now: () => number;
  private readonly onSaveFailed: (message: string) => void;
  private readonly resolveBackend: BackendResolver;
  private readonly recordings: RecordingStore | null;
  private readonly timings: WordTimingsStore | null;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly history: HistoryStore, private readonly settings: () => Settings, options: HistoryRecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.onSaveFailed = options.onSaveFailed ?? (() => undefined);
    this.resolveBackend = options.resolveBackend ?? defaultResolveBackend;
    this.recordings = options.recordings ?? null;
    this.timings = options.timings ?? null;
    this.log = options.log ?? (() => undefined);
  }

  /** Handles one event; resolves with the event as it should reach the renderer. */
  async record(event: DictationEvent): Promise<DictationEvent> {
    switch (event.name) {
      case 'state': {
        const { sessionId, state, source } = event.payload;
        if (state === 'listening' && sessionId && source && !this.open.has(sessionId)) this.begin(sessionId, source);
        // A file job's errors carry no session id, so its 'error' state ends its entry.
        if (sessionId && (state === 'idle' || (state === 'error' && source === 'file'))) {
          this.retranscriptions.delete(sessionId);
          await this.abandon(sessionId);
        }
        return event;
      }
      case 'partial': {
        const entry = await this.open.get(event.payload.sessionId);
        if (entry && !entry.replacing) {
          entry.text = event.payload.text;
          this.history.update(entry.entryId, { text: entry.text, durationMs: this.now() - entry.startedAt });
        }
        return event;
      }
      case 'final':
        return { name: 'final', payload: await this.finish(event.payload) };
      case 'error': {
        const { sessionId, keptText, code } = event.payload;
        if (!sessionId) return event;
        if (code === 'engine') this.failed.add(sessionId);
        if (!keptText && !this.failed.has(sessionId)) return event;
        const kept = await this.abandon(sessionId);
        // Its recording is in History: the page offers to transcribe it again.
        return kept && this.recordings?.has(kept) ? { name: 'error', payload: { ...event.payload, historyId: kept } } : event;
      }
      default:
        return event;
    }
  }

  /**
   * One frame the engine heard in dictation `sessionId`. Called as frames flow (before the events
   * that open the entry reach record()), so frames wait here until the entry exists.
   */
  audioFrame(frame: Float32Array, sessionId: string): void {
    if (!this.recordings || this.audioEnded.has(sessionId)) return;
    const audio = this.audio.get(sessionId) ?? (this.keepsAudio() ? this.sessionAudio(sessionId) : null);
    if (!audio?.open) return;
    if (audio.writer) return audio.writer.append(frame);
    if (audio.bufferedSamples + frame.length > MAX_BUFFERED_SAMPLES) return;
    audio.buffered.push(frame.slice()); // the sender may reuse its buffer
    audio.bufferedSamples += frame.length;
  }

  /** File job `jobId`'s words and their times; saved with the entry its final makes (or replaces). */
  fileWords(jobId: string, words: readonly TimedText[]): void {
    this.pendingWords.set(jobId, words);
    if (this.pendingWords.size > 4) this.pendingWords.delete(this.pendingWords.keys().next().value as string);
  }

  /**
   * File job `jobId` re-transcribes entry `entryId`: its final replaces that entry's text. Call as
   * soon as the job has started: its 'listening' comes only after its file was read (I/O), and
   * reaches record() through AppCore's event queue, so it always finds this.
   */
  retranscribeAs(jobId: string, entryId: string): void {
    this.retranscriptions.set(jobId, entryId);
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
    await this.endAudio(final.sessionId);
    const words = this.pendingWords.get(final.sessionId);
    this.pendingWords.delete(final.sessionId);
    try {
      let id: string | null;
      if (entry?.replacing) id = await this.replace(entry.entryId, final);
      else if (entry) id = (await this.history.finish(entry.entryId, { text: final.text, durationMs: final.durationMs }))?.id ?? null;
      else if (!this.settings().history.enabled || !final.text.trim()) id = null;
      else id = (await this.history.add({ ...this.describeModel(), source: final.source, text: final.text, durationMs: final.durationMs })).id;
      // An empty re-transcription kept the old text: its old timings (if any) still match it.
      if (id && words && this.timings && final.text.trim()) await this.timings.write(id, words).catch((err) => this.log('word timings not saved', err));
      return id;
    } catch (err) {
      // A full disk must not lose the transcript on its way to the user; they are told it is not in History.
      this.onSaveFailed(saveFailureMessage(err));
      return null;
    }
  }

  /** A re-transcription's text in place of the old one, with the model that made it. */
  private async replace(entryId: string, final: FinalTranscript): Promise<string | null> {
    if (!final.text.trim()) {
      this.onSaveFailed('Transcribing the recording again gave no words, so its History entry keeps its old text.');
      return entryId;
    }
    const saved = await this.history.finish(entryId, { text: final.text, durationMs: final.durationMs, ...this.describeModel() });
    return saved?.id ?? null;
  }

  private begin(sessionId: string, source: 'mic' | 'file'): void {
    const target = this.retranscriptions.get(sessionId);
    this.retranscriptions.delete(sessionId);
    if (target) {
      // The entry exists (it may have been deleted meanwhile: then the final is not saved anywhere).
      const exists = this.history.get(target) !== null;
      this.open.set(sessionId, Promise.resolve(exists ? { entryId: target, startedAt: this.now(), text: '', replacing: true } : null));
      return;
    }
    if (!this.settings().history.enabled) {
      this.dropAudio(sessionId);
      return;
    }
    const startedAt = this.now();
    const opening = this.history
      .begin({ ...this.describeModel(), source, createdAt: startedAt })
      .then((entry) => ({ entryId: entry.id, startedAt, text: '', replacing: false }))
      .catch(() => null); // history must never break dictation
    this.open.set(sessionId, opening);
    if (source !== 'mic') return;
    if (!this.recordings || !this.keepsAudio()) return this.dropAudio(sessionId);
    const audio = this.sessionAudio(sessionId);
    audio.starting = opening.then((entry) => this.startAudio(audio, entry));
  }

  private sessionAudio(sessionId: string): SessionAudio {
    let audio = this.audio.get(sessionId);
    if (!audio) {
      audio = { buffered: [], bufferedSamples: 0, writer: null, open: true, starting: null };
      this.audio.set(sessionId, audio);
    }
    return audio;
  }

  /** The entry exists: its recording starts with the frames that waited for it. */
  private async startAudio(audio: SessionAudio, entry: OpenEntry | null): Promise<void> {
    if (!entry || !this.recordings) {
      audio.open = false;
      audio.buffered = [];
      return;
    }
    try {
      const writer = await this.recordings.start(entry.entryId);
      // Frames that came while the file opened are buffered too: all go in, in order, before any new one.
      for (const frame of audio.buffered) writer.append(frame);
      audio.buffered = [];
      audio.bufferedSamples = 0;
      audio.writer = writer;
    } catch (err) {
      this.log('recording could not start', err);
      audio.open = false;
      audio.buffered = [];
    }
  }

  private dropAudio(sessionId: string): void {
    this.audio.delete(sessionId);
    this.markAudioEnded(sessionId);
  }

  /** Writes the rest of the session's recording; resolves with its length in seconds (0: none). */
  private async endAudio(sessionId: string): Promise<number> {
    const audio = this.audio.get(sessionId);
    this.markAudioEnded(sessionId);
    if (!audio) return 0;
    audio.open = false; // frames after this are too late
    this.audio.delete(sessionId);
    await audio.starting;
    if (!audio.writer) return 0;
    await audio.writer.close();
    return audio.writer.seconds;
  }

  private markAudioEnded(sessionId: string): void {
    this.audioEnded.add(sessionId);
    if (this.audioEnded.size > 64) this.audioEnded.delete(this.audioEnded.keys().next().value as string);
  }

  /** A session ended without a final transcript: keep what was said, drop empty entries. Resolves with the entry kept, if any. */
  private async abandon(sessionId: string): Promise<string | null> {
    const entry = await this.open.get(sessionId);
    this.open.delete(sessionId);
    const recorded = await this.endAudio(sessionId);
    const failed = this.failed.delete(sessionId);
    if (!entry || entry.replacing) return null; // a re-transcription that did not finish changes nothing
    try {
      const durationMs = this.now() - entry.startedAt;
      if (entry.text.trim() || (failed && recorded >= MIN_KEPT_RECORDING_S)) {
        await this.history.finish(entry.entryId, { text: entry.text, durationMs });
        return entry.entryId;
      }
      await this.history.delete(entry.entryId);
      await this.recordings?.delete(entry.entryId);
    } catch (err) {
      // The entry stays on disk as it was last written.
      this.onSaveFailed(saveFailureMessage(err));
    }
    return null;
  }

  private keepsAudio(): boolean {
    const { enabled, keepAudio } = this.settings().history;
    return enabled && keepAudio !== 'off';
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
