// One file transcription job: read an audio file (WAV, MP3, FLAC, Ogg Vorbis/Opus here, other
// formats through ffmpeg where the user has it; any rate and channel count, resampled to 16 kHz
// mono by the engine's audio tools), stream it through an engine session exactly as live audio goes, and
// report progress as the decoder advances through the file. Runs as fast as the engine
// can; the final transcript goes to history like a dictation's. An early EOS (a pause) does not end
// it: ContinuousSession goes on with the rest of the file, as live dictation and the CLI do.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AUDIO_SAMPLE_RATE, type AppError, type DictationState, type FinalTranscript, type Notice, type ReplacementRule } from '../../common/ipc-contract';
import { AudioFileError, readAudioFile, type AudioFile, type AudioFileProblem } from '../../../native-models/js/audio/read-audio-file';
import { ContinuousSession, timedWords, type TimedWord } from '../../../native-models/js/continuation';
import { AppFailure } from '../app/app-failure';
import type { DictationEvent } from '../app/services';
import type { LoadedEngine } from '../engine/types';
import { TranscriptBuilder } from './transcript-builder';

/** Progress events at most every this fraction of the file. */
const PROGRESS_STEP = 0.01;

export interface FileTranscriptionOptions {
  path: string;
  /** The user's replacements and words, as when the job started. */
  replacements?: readonly ReplacementRule[];
  words?: readonly string[];
  acquire: () => Promise<LoadedEngine>;
  emit: (event: DictationEvent) => void;
  setState: (state: DictationState, error?: AppError | null) => void;
  /** What the user should know that is not an error (damaged frames skipped). */
  notify?: (notice: Notice) => void;
  /** ffmpeg for formats not read directly: a path, null for none; default: found on PATH. */
  ffmpeg?: string | null;
  /** When each word was said (for subtitles), told just before the final transcript. */
  onWords?: (jobId: string, words: TimedWord[]) => void;
}

export class FileTranscription {
  readonly jobId = randomUUID();
  private session: ContinuousSession | null = null;
  private cancelled = false;
  private finished = false;
  /** Stops a decode still running when the job is cancelled. */
  private readonly reading = new AbortController();

  constructor(private readonly options: FileTranscriptionOptions) {}

  /** Runs to the final transcript, an error event or cancellation; never rejects. */
  async run(): Promise<void> {
    const { emit, setState } = this.options;
    setState('loading');
    try {
      const audio = await this.read();
      if (audio.skippedFrames > 0) {
        this.options.notify?.({ kind: 'info', message: `${path.basename(this.options.path)}: ${audio.skippedFrames} damaged ${audio.skippedFrames === 1 ? 'frame was' : 'frames were'} skipped; the rest is transcribed.` });
      }
      const samples = audio.samples;
      const engine = await this.options.acquire();
      if (this.cancelled) return;
      const final = await this.transcribe(engine, samples);
      if (this.cancelled) return;
      this.finished = true;
      emit({ name: 'final', payload: final }); // before 'idle', so history finishes the open entry
      setState('idle');
    } catch (err) {
      if (this.cancelled) return;
      this.finished = true;
      const failure = err instanceof AppFailure ? err : new AppFailure('engine', `The file could not be transcribed: ${(err as Error)?.message ?? err}`);
      setState('error', failure.toAppError());
      // sessionId null: the renderer ties errors without a session to the file job it started.
      emit({ name: 'error', payload: { ...failure.toAppError(), keptText: false, sessionId: null } });
    } finally {
      this.closeSession();
    }
  }

  async cancel(): Promise<boolean> {
    if (this.cancelled || this.finished) return false;
    this.cancelled = true;
    this.reading.abort();
    this.closeSession();
    this.options.setState('idle');
    return true;
  }

  private async transcribe(engine: LoadedEngine, samples: Float32Array): Promise<FinalTranscript> {
    const { emit, setState } = this.options;
    const sessionId = this.jobId; // the controller reports a file job's state under its job id
    const transcript = new TranscriptBuilder(engine.tokenizer, this.options.replacements, this.options.words);
    const total = Math.max(1, samples.length);
    let reported = 0;
    let engineError: Error | null = null;
    // The whole file is held anyway, so the replay buffer may reference all of it.
    this.session = new ContinuousSession(engine.model, {
      maxHistorySamples: Math.max(1, samples.length),
      onTokens: (ids, { segment, samplesSeen }) => {
        if (this.cancelled || ids.length === 0) return;
        emit({ name: 'partial', payload: { sessionId, ...transcript.push(ids, segment) } });
        const fraction = Math.min(0.99, samplesSeen / total);
        if (fraction - reported >= PROGRESS_STEP) {
          reported = fraction;
          emit({ name: 'progress', payload: { stage: 'transcribing-file', fraction, jobId: this.jobId } });
        }
      },
      onError: (err) => { engineError = err; },
    });
    setState('listening');
    emit({ name: 'progress', payload: { stage: 'transcribing-file', fraction: 0, jobId: this.jobId } });
    this.session.push(samples);
    const flushed = await this.session.flush(); // every id has come through onTokens by now
    if (engineError) throw new AppFailure('engine', `The speech engine failed: ${(engineError as Error).message}`);
    this.options.onWords?.(this.jobId, timedWords(engine.tokenizer, flushed.tokens, flushed.segments));
    const tail = transcript.finish();
    if (tail.appended) emit({ name: 'partial', payload: { sessionId, ...tail } });
    emit({ name: 'progress', payload: { stage: 'transcribing-file', fraction: 1, jobId: this.jobId } });
    return {
      sessionId, text: transcript.text, source: 'file',
      durationMs: Math.round((samples.length * 1000) / AUDIO_SAMPLE_RATE), historyId: null, jobId: this.jobId,
    };
  }

  private closeSession(): void {
    try {
      this.session?.close();
    } catch {
      // already closed
    }
    this.session = null;
  }

  private async read(): Promise<AudioFile> {
    const { path: file, ffmpeg } = this.options;
    try {
      return await readAudioFile(file, { signal: this.reading.signal, ...(ffmpeg !== undefined ? { ffmpeg } : {}) });
    } catch (err) {
      if (err instanceof AudioFileError) throw new AppFailure(APP_CODES[err.problem], err.message);
      throw err;
    }
  }
}

const APP_CODES: Record<AudioFileProblem, AppError['code']> = {
  'not-found': 'not-found', io: 'io',
  'too-large': 'invalid-request', 'too-long': 'invalid-request', unsupported: 'invalid-request',
  'needs-ffmpeg': 'invalid-request', corrupt: 'invalid-request', 'no-audio': 'invalid-request',
};
