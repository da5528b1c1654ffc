// The dictation controller: implements DictationService on the engine host. One dictation (or
// file job) at a time: load the model (kept warm between dictations), open an engine session, feed
// it the renderer's 16 kHz frames (through the voice-activity monitor when there is one), turn each
// batch of token ids into a partial transcript event, flush on stop and emit the final text.
// Engine errors end the dictation with a clear message; the words decoded so far are kept. A pause
// in which the model samples EOS does not end the transcript: ContinuousSession goes on with the
// later audio on a new engine session (the same logic as file jobs and the CLI).
// Start-on-speech lives in ArmedListener; on speech a dictation starts (through the voice-start
// handler, i.e. the hotkey coordinator, or by itself) and takes over the armed monitor.

import { effectiveModel, type ModelFiles } from '../models/demo-model';
import { randomUUID } from 'node:crypto';
import {
  AUDIO_FRAME_MAX_SAMPLES, AUDIO_SAMPLE_RATE,
  type AppError, type DictationState, type DictationStatus, type FinalTranscript, type Notice, type Settings,
  type TranscriptSource,
} from '../../common/ipc-contract';
import { ContinuousSession, type TimedWord } from '../../../native-models/js/continuation';
import { AppFailure } from '../app/app-failure';
import type { DictationEvent, DictationService } from '../app/services';
import { resolveBackend, type BackendResolver } from '../engine/backend-choice';
import { EngineHost, sameEngineConfig } from '../engine/engine-host';
import { IdleUnloader } from '../engine/idle-unloader';
import type { EngineConfig, LoadedEngine } from '../engine/types';
import { handsFreeConfigFrom, type VoiceActivityEvent, type VoiceActivityMonitor, type VoiceActivityService } from '../vad';
import { ArmedListener, type HeardSpeech } from './armed-listener';
import { FileTranscription } from './file-transcription';
import { LagMonitor } from './lag-monitor';
import { SILENT_INPUT_MESSAGE, SilentInputMonitor } from './silent-input-monitor';
import { TranscriptBuilder } from './transcript-builder';

/** Audio kept while the model loads (frames sent before the session exists are not lost). */
const MAX_PENDING_SAMPLES = 120 * AUDIO_SAMPLE_RATE;
/**
 * On stop, frames still on their way from the renderer are waited for (until its 'end' message, at
 * most this long), so the tail of the last word is not cut off.
 */
const AUDIO_TAIL_WAIT_MS = 300;

export interface DictationControllerOptions {
  settings: () => Settings;
  /** Settings changes: reload the model when its config changed, retune the VAD. */
  onSettingsChange?: (listener: (settings: Settings) => void) => () => void;
  host?: EngineHost;
  /** Voice activity (speech indicator, hands-free stop); null = none. */
  vad?: VoiceActivityService | null;
  /** Sees every frame exactly as it is pushed to the engine session (the history's recordings, tests). */
  audioTap?: (frame: Float32Array, sessionId: string) => void;
  /** A file job's words and their times, just before its final (the history keeps them for subtitles). */
  fileWords?: (jobId: string, words: TimedWord[]) => void;
  /** Load the configured model at startup so the first dictation starts at once. */
  preload?: boolean;
  /** The model used when the user has chosen none (the embedded demo model); default none. */
  fallbackModel?: () => ModelFiles | null;
  now?: () => number;
  /** Settings' backend choice → the backend to load ('auto' resolved); default the app's resolver. */
  resolveBackend?: BackendResolver;
  /** How long the model may sit unused before it is freed; default the setting's minutes (tests: shorter). */
  unloadDelayMs?: (settings: Settings) => number;
  log?: (message: string, err?: unknown) => void;
  /** Tells the user something (e.g. hands-free is unavailable and why). */
  notify?: (notice: Notice) => void;
}

/** One dictation from start() to its final transcript, error or cancel. */
interface Dictation {
  id: string;
  source: 'mic';
  config: EngineConfig;
  /** The engine stream: goes on past an early EOS (a pause) on a new engine session. */
  session: ContinuousSession | null;
  monitor: VoiceActivityMonitor | null;
  transcript: TranscriptBuilder | null;
  pending: Float32Array[];
  pendingSamples: number;
  pushedSamples: number;
  /** Resolves once the session is open (or the dictation ended before it could be). */
  opened: Promise<boolean>;
  /** Where frames go once the session is open: the VAD monitor, or the session itself. */
  feed: ((frame: Float32Array) => void) | null;
  stopping: Promise<FinalTranscript | null> | null;
  /** The session is being flushed: later frames are too late. */
  flushing: boolean;
  /** The renderer sent 'end' (its last frame came before it). */
  audioEnded: boolean;
  /** Set while a stop waits for the renderer's last frames. */
  onAudioEnd: (() => void) | null;
  ended: boolean;
  /** Started on speech: the armed monitor it took over. */
  heard: HeardSpeech | null;
}

export class DictationController implements DictationService {
  private readonly listeners = new Set<(event: DictationEvent) => void>();
  private readonly host: EngineHost;
  private readonly now: () => number;
  private readonly log: (message: string, err?: unknown) => void;
  private readonly disposers: (() => void)[] = [];
  private current: DictationStatus;
  private dictation: Dictation | null = null;
  private file: FileTranscription | null = null;
  private voiceStopHandler: (() => boolean) | null = null;
  private voiceStartHandler: (() => boolean) | null = null;
  /** Start-on-speech and the hands-free status; null without a VAD. */
  private readonly armed: ArmedListener | null;
  private readonly unloader: IdleUnloader;
  /** The config freed for being unused: a settings change does not load it again by itself. */
  private idleUnloaded: EngineConfig | null = null;

  constructor(private readonly options: DictationControllerOptions) {
    this.host = options.host ?? new EngineHost();
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message, err) => console.error(`[dictation] ${message}`, err ?? ''));
    this.current = { state: 'idle', since: this.now(), sessionId: null, source: null, error: null };
    this.armed = options.vad ? new ArmedListener({
      vad: options.vad,
      settings: options.settings,
      canArm: () => this.canArm(),
      startOnSpeech: () => this.startOnSpeech(),
      announce: () => this.emit({ name: 'state', payload: this.status() }),
      log: this.log,
      notify: options.notify,
    }) : null;
    const unloadDelayMs = options.unloadDelayMs ?? ((s: Settings) => s.engine.unloadAfterMinutes * 60_000);
    this.unloader = new IdleUnloader({ delayMs: () => unloadDelayMs(options.settings()), unload: () => this.unloadIdle() });
    if (options.onSettingsChange) this.disposers.push(options.onSettingsChange((s) => this.followSettings(s)));
    if (options.preload) this.warmUp();
  }

  status(): DictationStatus {
    return this.armed ? { ...this.current, handsFree: this.armed.status() } : { ...this.current };
  }

  onEvent(listener: (event: DictationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<DictationStatus> {
    const running = this.dictation;
    if (running && !running.ended) return this.status(); // already dictating: a second start is a no-op
    if (this.file) throw new AppFailure('busy', 'A file is being transcribed; wait for it or cancel it first.');
    const config = this.engineConfig();
    let markOpened!: (open: boolean) => void;
    const d: Dictation = {
      id: randomUUID(), source: 'mic', config, session: null, monitor: null, transcript: null,
      pending: [], pendingSamples: 0, pushedSamples: 0, feed: null, stopping: null, flushing: false, audioEnded: false, onAudioEnd: null, ended: false, heard: null,
      opened: new Promise((resolve) => { markOpened = resolve; }),
    };
    this.dictation = d;
    const handOff = this.armed?.take((event) => this.onVoiceEvent(d, event)) ?? null;
    if (handOff?.kind === 'speech') {
      // Started on speech: frames keep going to the armed monitor (it keeps them, after the onset's
      // pre-roll) until the session opens.
      const { monitor } = handOff.speech;
      d.monitor = monitor;
      d.feed = (frame) => monitor.push(frame);
      d.heard = handOff.speech;
    } else if (handOff) {
      // Started by hand while armed: the moment before the press, then a fresh monitor as usual.
      for (const frame of handOff.prePress) {
        d.pending.push(frame);
        d.pendingSamples += frame.length;
      }
    }
    this.setState('loading', d.id, 'mic');
    let engine: LoadedEngine;
    try {
      engine = await this.host.acquire(config, (fraction) => this.progress(fraction));
      this.progress(1);
    } catch (err) {
      markOpened(false);
      const failure = toFailure(err);
      if (!d.ended) this.fail(d, failure, false);
      throw failure;
    }
    if (d.ended) { markOpened(false); return this.status(); } // cancelled while the model loaded
    try {
      this.open(d, engine);
    } catch (err) {
      markOpened(false);
      const failure = new AppFailure('engine', `The engine could not start a session: ${(err as Error)?.message ?? err}`);
      this.fail(d, failure, false);
      throw failure;
    }
    this.setState('listening', d.id, 'mic');
    markOpened(true);
    this.drainPending(d);
    // The microphone's stream ended while the model loaded (unplugged): end as endAudio would
    // have, instead of listening to nothing until the user presses Stop.
    if (d.audioEnded && !d.stopping) this.endAudio();
    return this.status();
  }

  async stop(): Promise<FinalTranscript | null> {
    const d = this.dictation;
    if (!d || d.ended) return null;
    d.stopping ??= this.finish(d);
    return d.stopping;
  }

  async cancel(): Promise<DictationStatus> {
    const d = this.dictation;
    if (d && !d.ended) {
      this.end(d);
      this.setState('idle', d.id, 'mic');
    }
    return this.status();
  }

  pushAudio(samples: Float32Array, _seq: number): void {
    if (!(samples instanceof Float32Array) || samples.length === 0 || samples.length > AUDIO_FRAME_MAX_SAMPLES) return;
    const d = this.dictation;
    if (!d || d.ended) {
      this.armed?.push(samples); // armed: the VAD listens for speech; otherwise nothing listens
      return;
    }
    if (d.flushing) return; // too late for this dictation
    if (!d.session && !d.heard) {
      if (d.pendingSamples + samples.length > MAX_PENDING_SAMPLES) return; // a two-minute load: keep the start
      d.pending.push(samples);
      d.pendingSamples += samples.length;
      return;
    }
    this.feed(d, samples);
  }

  endAudio(): void {
    // The renderer closes its stream once the state has left 'listening' (stop, cancel). While still
    // listening, the stream ended by itself (microphone unplugged, page reloaded): finish the
    // dictation as a stop would, so its words are kept, and say what happened.
    const d = this.dictation;
    if (!d || d.ended) return;
    d.audioEnded = true;
    if (d.onAudioEnd) return d.onAudioEnd(); // a stop was waiting for these last frames
    if (d.stopping || this.current.state !== 'listening') return;
    void this.stop().then((final) => {
      if (!final) return;
      this.emit({ name: 'error', payload: {
        code: 'io', keptText: final.text.trim().length > 0, sessionId: d.id,
        message: 'The microphone stopped sending audio (unplugged, or taken by another app), so the dictation ended. The words so far are kept.',
      } });
    }, () => undefined); // a failing flush already reported itself
  }

  async transcribeFile(filePath: string): Promise<{ jobId: string }> {
    if (this.file || (this.dictation && !this.dictation.ended)) throw new AppFailure('busy', 'Another dictation or file is running; wait for it or cancel it first.');
    const config = this.engineConfig();
    this.armed?.disarm();
    const job = new FileTranscription({
      path: filePath,
      replacements: this.options.settings().replacements.rules,
      words: this.options.settings().replacements.words ?? [],
      acquire: () => this.host.acquire(config, (fraction) => this.progress(fraction)),
      emit: (event) => this.emit(event),
      setState: (state, error) => this.setState(state, job.jobId, 'file', error),
      notify: this.options.notify,
      onWords: this.options.fileWords,
    });
    this.file = job;
    void job.run().finally(() => {
      if (this.file === job) this.file = null;
      this.armed?.rearm();
    });
    return { jobId: job.jobId };
  }

  async cancelFile(jobId: string): Promise<boolean> {
    const job = this.file;
    if (!job || job.jobId !== jobId) return false;
    const cancelled = await job.cancel();
    // A cancelled job emits nothing more: free the slot now, not when its load or flush returns,
    // so a dictation can start at once.
    if (cancelled && this.file === job) {
      this.file = null;
      this.armed?.rearm();
    }
    return cancelled;
  }

  setVoiceStopHandler(handler: (() => boolean) | null): void {
    this.voiceStopHandler = handler;
  }

  setVoiceStartHandler(handler: (() => boolean) | null): void {
    this.voiceStartHandler = handler;
  }

  async dispose(): Promise<void> {
    this.unloader.dispose();
    this.armed?.dispose();
    for (const dispose of this.disposers) dispose();
    const d = this.dictation;
    // Quitting mid-dictation: the history entry already holds every partial; close without flushing.
    if (d && !d.ended) this.end(d);
    await this.file?.cancel();
    await this.host.dispose();
    await this.options.vad?.dispose();
  }

  private open(d: Dictation, engine: LoadedEngine): void {
    const { rules, words } = this.options.settings().replacements;
    const transcript = new TranscriptBuilder(engine.tokenizer, rules, words ?? []);
    d.transcript = transcript;
    const lag = new LagMonitor({
      now: this.now,
      sampleRate: AUDIO_SAMPLE_RATE,
      onBehind: (backlogS) => this.options.notify?.({ kind: 'info', message: behindMessage(backlogS, d.config.backend) }),
    });
    d.session = new ContinuousSession(engine.model, {
      onTokens: (ids, { segment, samplesSeen }) => {
        if (d.ended || ids.length === 0) return;
        lag.seen(samplesSeen);
        this.emit({ name: 'partial', payload: { sessionId: d.id, ...transcript.push(ids, segment) } });
      },
      onError: (err) => {
        if (!d.ended) this.fail(d, new AppFailure('engine', `The speech engine failed: ${err.message}`), true);
      },
    });
    const session = d.session;
    const silent = new SilentInputMonitor(AUDIO_SAMPLE_RATE, () => this.options.notify?.({ kind: 'info', message: SILENT_INPUT_MESSAGE }));
    const forward = (frame: Float32Array) => {
      session.push(frame);
      lag.audio(frame.length);
      silent.audio(frame);
      d.pushedSamples += frame.length;
      this.options.audioTap?.(frame, d.id);
    };
    if (d.heard) return d.heard.forwardTo(forward);
    d.monitor = this.options.vad?.monitor({
      handsFree: this.options.settings().handsFree,
      forward,
      onEvent: (event) => this.onVoiceEvent(d, event),
    }) ?? null;
    d.feed = d.monitor ? (frame) => d.monitor!.push(frame) : forward;
  }

  private onVoiceEvent(d: Dictation, event: VoiceActivityEvent): void {
    if (d.ended) return;
    if (event.type === 'speech') this.emit({ name: 'speech', payload: { sessionId: d.id, speaking: event.speaking } });
    else if (event.type === 'stop' && !this.voiceStopHandler?.()) void this.stop().catch(() => undefined);
    else if (event.type === 'error') this.log(`voice activity: ${event.message}`);
  }

  /** The controller's side of start-on-speech: ready to start a dictation now. */
  private canArm(): boolean {
    // Not after an error (a failing model would restart on every word) nor during anything else.
    if (this.current.state !== 'idle' || this.file || (this.dictation && !this.dictation.ended)) return false;
    try {
      this.engineConfig();
      return true;
    } catch {
      return false; // no model to dictate with
    }
  }

  /** Speech heard while armed: the voice-start handler starts the dictation, or the controller does. */
  private startOnSpeech(): boolean {
    return this.voiceStartHandler ? this.voiceStartHandler() : (void this.start().catch(() => undefined), true);
  }

  private feed(d: Dictation, frame: Float32Array): void {
    try {
      d.feed?.(frame);
    } catch (err) {
      this.fail(d, new AppFailure('engine', `The speech engine refused audio: ${(err as Error)?.message ?? err}`), true);
    }
  }

  private drainPending(d: Dictation): void {
    const frames = d.pending;
    d.pending = [];
    d.pendingSamples = 0;
    for (const frame of frames) {
      if (d.ended) return;
      this.feed(d, frame);
    }
  }

  private async finish(d: Dictation): Promise<FinalTranscript | null> {
    if (!(await d.opened) || d.ended) return null; // the load failed or it was cancelled meanwhile
    this.setState('finishing', d.id, 'mic');
    // 'finishing' tells the renderer to stop capturing; its 'end' follows the frames still in flight.
    if (!d.audioEnded) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, AUDIO_TAIL_WAIT_MS);
        d.onAudioEnd = () => { clearTimeout(timer); resolve(); };
      });
      d.onAudioEnd = null;
    }
    if (d.ended) return null;
    d.flushing = true;
    await d.monitor?.close();
    try {
      await d.session!.flush(); // every id has come through onTokens by now
    } catch (err) {
      const failure = new AppFailure('engine', `The speech engine failed while finishing: ${(err as Error)?.message ?? err}`);
      if (!d.ended) this.fail(d, failure, true);
      throw failure;
    }
    if (d.ended) return null;
    const transcript = d.transcript!;
    const tail = transcript.finish();
    if (tail.appended) this.emit({ name: 'partial', payload: { sessionId: d.id, ...tail } });
    this.end(d);
    const final: FinalTranscript = {
      sessionId: d.id, text: transcript.text, source: 'mic',
      durationMs: Math.round((d.pushedSamples * 1000) / AUDIO_SAMPLE_RATE), historyId: null, jobId: null,
    };
    // The final before 'idle': history finishes the open entry on 'final' (on 'idle' it would close
    // it as abandoned and the final would open a second one).
    this.emit({ name: 'final', payload: final });
    this.setState('idle', d.id, 'mic');
    return final;
  }

  /** Ends a dictation with an error; what was decoded stays (the history entry keeps it). */
  private fail(d: Dictation, failure: AppFailure, sessionRan: boolean): void {
    // Words held for a replacement that might still have matched are kept too.
    const tail = !d.ended && d.transcript ? d.transcript.finish() : null;
    if (tail?.appended) this.emit({ name: 'partial', payload: { sessionId: d.id, ...tail } });
    const keptText = sessionRan && (d.transcript?.text.trim().length ?? 0) > 0;
    this.end(d);
    const error: AppError = failure.toAppError();
    this.setState('error', d.id, 'mic', error);
    this.emit({ name: 'error', payload: { ...error, keptText, sessionId: d.id } });
  }

  private end(d: Dictation): void {
    if (d.ended) return;
    d.ended = true;
    d.pending = [];
    void d.monitor?.close();
    try {
      d.session?.close();
    } catch (err) {
      this.log('closing the engine session failed', err);
    }
  }

  private engineConfig(): EngineConfig {
    const { model, engine } = this.options.settings();
    const files = effectiveModel(model, this.options.fallbackModel ?? (() => null));
    if (!files) throw new AppFailure('no-model', 'No model chosen. Pick the model files in Settings.');
    const backend = (this.options.resolveBackend ?? resolveBackend)(engine.backend);
    // The GPU matters only on CUDA: changing it while on the CPU must not reload the model.
    const gpu = backend === 'cuda' ? engine.gpu : null;
    return { pte: files.pte, ptd: files.ptd, backend, dtype: engine.dtype, threads: engine.threads, gpu };
  }

  private followSettings(settings: Settings): void {
    this.armed?.followSettings(settings);
    const d = this.dictation;
    if (d && !d.ended) d.monitor?.setConfig(handsFreeConfigFrom(settings.handsFree));
    // A changed model/backend/precision is loaded now, so the next dictation starts warm (the host
    // does nothing when the config is the one already loaded).
    const busy = (d && !d.ended) || this.file;
    if (this.options.preload && !busy) this.warmUp(); // warmUp does nothing without a model
    if (!busy) this.unloader.idle(); // a changed delay counts from now
  }

  /** Nothing runs and nothing ran for the chosen time: free the model until the next use. */
  private unloadIdle(): void {
    if (this.running()) return;
    let config: EngineConfig | null = null;
    try {
      config = this.engineConfig();
    } catch {
      // no model chosen any more: free whatever is loaded all the same
    }
    this.idleUnloaded = config;
    void this.host.release().then((freed) => { if (freed) this.log('the model was unused for the chosen time: freed its memory'); });
  }

  private running(): boolean {
    return (this.dictation !== null && !this.dictation.ended) || this.file !== null;
  }

  private warmUp(): void {
    let config: EngineConfig;
    try {
      config = this.engineConfig();
    } catch {
      return; // no model chosen yet
    }
    // Freed for being unused: stays freed until a dictation needs it, unless the user now keeps it.
    const keep = this.options.settings().engine.unloadAfterMinutes === 0;
    if (this.idleUnloaded && sameEngineConfig(config, this.idleUnloaded) && !keep) return;
    this.idleUnloaded = null;
    this.host.acquire(config, (fraction) => this.progress(fraction))
      .then(() => {
        this.progress(1);
        if (!this.running()) this.unloader.idle(); // preloaded and not yet used: counts as unused
      })
      .catch((err: unknown) => {
        const failure = toFailure(err);
        this.emit({ name: 'error', payload: { ...failure.toAppError(), keptText: false, sessionId: null } });
      });
  }

  private progress(fraction: number): void {
    this.emit({ name: 'progress', payload: { stage: 'loading-model', fraction: clamp01(fraction), jobId: null } });
  }

  private setState(state: DictationState, sessionId: string, source: TranscriptSource, error: AppError | null = null): void {
    this.current = { state, since: this.now(), sessionId, source, error };
    if (state === 'idle' || state === 'error') this.unloader.idle();
    else {
      this.unloader.busy();
      this.idleUnloaded = null; // loading it again now
    }
    this.emit({ name: 'state', payload: this.status() });
    if (state === 'idle') this.armed?.rearm(); // a dictation or file ended: listen for speech again
  }

  private emit(event: DictationEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log(`listener failed on ${event.name}`, err);
      }
    }
  }
}

function toFailure(err: unknown): AppFailure {
  return err instanceof AppFailure ? err : new AppFailure('engine', `The model could not be loaded: ${(err as Error)?.message ?? err}`);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** What to tell a user whose text falls behind their voice, and what would help. */
function behindMessage(backlogS: number, backend: EngineConfig['backend']): string {
  const help = backend === 'cpu'
    ? 'An NVIDIA GPU (Settings → Run on) keeps up; on the CPU a 4-bit model is the fastest.'
    : 'A 4-bit model, or closing what else uses the GPU, helps it keep up.';
  return `Transcription is ${Math.round(backlogS)} s behind your voice: this computer runs the model more slowly than you speak. ` +
    `Nothing is lost; the text catches up after you stop. ${help}`;
}
