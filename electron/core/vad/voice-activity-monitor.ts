// One per dictation (or per armed period): the dictation controller pushes every 16 kHz frame here
// instead of straight to the engine. The frame is forwarded at once, unchanged and in order; a copy is
// analysed afterwards, off the forwarding path, and the results come back as events (speech indicator,
// start, stop, error). Analysis can only decide; it can never hold back or drop a frame.
//
// The monitor has no notion of a microphone: when the user switches mics the controller keeps pushing
// into the same monitor, so speech heard, silence counted and the model state all carry over.

import { AUDIO_FRAME_MAX_SAMPLES } from '../../common/ipc-contract';
import { PreRollBuffer } from './pre-roll-buffer';
import { SilenceEndpointer } from './silence-endpointer';
import { SpeechIndicator } from './speech-indicator';
import {
  VAD_SAMPLE_RATE, type FrameAnalyzer, type HandsFreeConfig, type EndpointerPhase, type VoiceActivityEvent,
} from './types';

/**
 * indicator: only the speech flag (push-to-talk and toggle dictation);
 * auto-stop: hands-free, stops after the configured silence once speech was heard;
 * armed: start-on-speech; frames are kept (not forwarded) until speech starts and the controller calls
 *        startForwarding(), then it behaves as auto-stop.
 */
export type MonitorMode = 'indicator' | 'auto-stop' | 'armed';

export interface VoiceActivityMonitorOptions {
  mode: MonitorMode;
  config: HandsFreeConfig;
  analyzer: FrameAnalyzer;
  /** Receives every frame synchronously, in order: the engine session's push. */
  forward: (frame: Float32Array) => void;
  onEvent: (event: VoiceActivityEvent) => void;
  /** How long the indicator stays lit through silence. */
  indicatorHoldMs?: number;
  /** Audio kept in front of the speech onset when starting on speech (cut-off first words are the
   *  most common dictation complaint; OpenWhispr went from 300 to 500 ms for the same reason). */
  preRollPadMs?: number;
  /** Frames queued for analysis before the VAD gives up as too slow (the audio still flows). */
  maxPendingFrames?: number;
  /** Bound on the audio kept while armed or between 'start' and startForwarding(). */
  maxBufferedFrames?: number;
}

// maxBufferedFrames: 120 s of 80 ms frames, what the controller keeps for any dictation whose model
// is still loading (MAX_PENDING_SAMPLES); one started on speech during a cold load needs as much.
// While armed the kept audio is trimmed to the onset window, so this binds only after 'start'.
const DEFAULTS = { indicatorHoldMs: 250, preRollPadMs: 500, maxPendingFrames: 100, maxBufferedFrames: 1500 };

export class VoiceActivityMonitor {
  private readonly options: Required<VoiceActivityMonitorOptions>;
  private readonly endpointer: SilenceEndpointer;
  private readonly indicator: SpeechIndicator;
  private readonly preRoll: PreRollBuffer;
  private forwarding: boolean;
  private pushedSamples = 0;
  /** Stream time analysed so far (the end of the last window), in ms. */
  private analysedMs = 0;
  private pending = 0;
  private queue: Promise<void> = Promise.resolve();
  private failed = false;
  private closed = false;

  constructor(options: VoiceActivityMonitorOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.endpointer = new SilenceEndpointer(options.config, { armed: options.mode === 'armed' });
    this.options.analyzer.setThreshold(options.config.threshold);
    this.indicator = new SpeechIndicator(this.options.indicatorHoldMs);
    this.preRoll = new PreRollBuffer(this.options.maxBufferedFrames);
    this.forwarding = options.mode !== 'armed';
  }

  get phase(): EndpointerPhase {
    return this.endpointer.phase;
  }

  get speaking(): boolean {
    return this.indicator.speaking;
  }

  /** False after an error: no more start/stop decisions this dictation (audio still flows). */
  get deciding(): boolean {
    return !this.failed && !this.closed;
  }

  /**
   * Forwards the frame (or keeps it while armed) and queues its analysis. Throws, forwarding nothing,
   * for a frame that is not a Float32Array of at most AUDIO_FRAME_MAX_SAMPLES samples; an error thrown
   * by `forward` itself reaches the caller too (the frame is still analysed).
   */
  push(frame: Float32Array): void {
    if (!(frame instanceof Float32Array)) throw new TypeError('an audio frame must be a Float32Array');
    if (frame.length > AUDIO_FRAME_MAX_SAMPLES) {
      throw new RangeError(`an audio frame holds at most ${AUDIO_FRAME_MAX_SAMPLES} samples, got ${frame.length}`);
    }
    this.pushedSamples += frame.length;
    try {
      if (this.forwarding) this.options.forward(frame);
      else this.keep(frame);
    } finally {
      // Even if the engine refused the frame, the VAD's clock must keep pace with the stream.
      this.queueAnalysis(frame);
    }
  }

  /** After a 'start' event: pushes the kept audio to `forward`, oldest first; later frames go straight on. */
  startForwarding(): void {
    if (this.forwarding) return;
    this.forwarding = true;
    for (const frame of this.preRoll.drain()) this.options.forward(frame);
  }

  /**
   * Armed and not started: hands over (and forgets) the newest `maxFrames` frames kept, so a dictation
   * started by hand meanwhile still gets the moment before the press. Empty once forwarding.
   */
  takeKept(maxFrames: number): Float32Array[] {
    return this.forwarding ? [] : this.preRoll.drain(maxFrames);
  }

  /** Applies changed settings without losing what was heard or counted. */
  setConfig(config: HandsFreeConfig): void {
    this.endpointer.setConfig(config);
    this.options.analyzer.setThreshold(config.threshold);
  }

  /** Resolves once every frame pushed so far has been analysed (or skipped). */
  whenIdle(): Promise<void> {
    return this.queue;
  }

  /** Stops analysing; frames already queued are skipped. Pushes still forward. */
  close(): Promise<void> {
    this.closed = true;
    return this.queue;
  }

  private queueAnalysis(frame: Float32Array): void {
    if (this.closed || this.failed || this.endpointer.phase === 'stopped') return;
    if (this.pending >= this.options.maxPendingFrames) {
      this.fail(`voice activity detection fell behind by ${this.pending} frames; hands-free stop is off for this dictation`);
      return;
    }
    const copy = frame.slice();
    this.pending += 1;
    this.queue = this.queue.then(() => this.analyze(copy)).finally(() => { this.pending -= 1; });
  }

  private keep(frame: Float32Array): void {
    const endMs = (this.pushedSamples * 1000) / VAD_SAMPLE_RATE;
    if (this.preRoll.push(frame, endMs) && this.endpointer.phase !== 'armed') {
      this.fail('the dictation did not start in time; the oldest audio kept for it was dropped');
    }
  }

  private async analyze(frame: Float32Array): Promise<void> {
    if (this.closed || this.failed || this.endpointer.phase === 'stopped') return;
    let activity;
    try {
      activity = await this.options.analyzer.analyze(frame);
    } catch (err) {
      this.fail(`voice activity detection failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.closed) return;
    for (const window of activity.windows) {
      const durationMs = window.endMs - this.analysedMs;
      this.analysedMs = window.endMs;
      const lit = this.indicator.update(window.speech, durationMs);
      if (lit !== null) this.emit({ type: 'speech', speaking: lit, atMs: window.endMs });
      if (this.options.mode === 'indicator') continue;
      const event = this.endpointer.observe(window.speech, durationMs);
      if (event?.type === 'start') this.preRoll.dropEndingBefore(event.speechStartMs - this.options.preRollPadMs);
      if (event) this.emit(event);
      if (event?.type === 'stop') return;
    }
    if (this.endpointer.phase === 'armed') {
      // Any later onset is at most minSpeechMs before the audio analysed so far; older audio can go.
      this.preRoll.dropEndingBefore(this.analysedMs - this.endpointer.minSpeechMs - this.options.preRollPadMs);
    }
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.emit({ type: 'error', message });
  }

  private emit(event: VoiceActivityEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's bug must not stop the analysis of later frames.
    }
  }
}
