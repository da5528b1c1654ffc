// Types at the voice-activity boundary: what the dictation controller configures, feeds and hears back.
// The VAD only observes audio and decides when to start or stop; it never holds back or drops a frame
// the engine needs (docs/architecture.md, "Voice activity").

/** Sample rate of every frame the VAD sees: the same 16 kHz mono float32 frames the engine gets. */
export const VAD_SAMPLE_RATE = 16_000;
/** Silero v5/v6 classify 512-sample (32 ms) windows at 16 kHz. */
export const VAD_WINDOW_SAMPLES = 512;
export const VAD_WINDOW_MS = (VAD_WINDOW_SAMPLES * 1000) / VAD_SAMPLE_RATE;

/** Turns audio windows into speech probabilities; one window at a time, in stream order. */
export interface SpeechProbabilityModel {
  /** Probability in [0, 1] that the 512-sample window holds speech. Never called concurrently. */
  run(window: Float32Array): Promise<number>;
  /** Forget the recurrent state (a new, unrelated stream follows). */
  reset(): void;
  dispose(): Promise<void>;
}

export interface HysteresisThresholds {
  /** Speech starts when a window's probability reaches this. */
  positive: number;
  /** Speech ends when a window's probability falls below this (< positive, so the flag does not chatter). */
  negative: number;
}

/** One analysed 32 ms window. `endMs` is stream time: the audio analysed so far, in ms. */
export interface WindowActivity {
  probability: number;
  speech: boolean;
  endMs: number;
}

/** What the detector made of one engine frame: every window it completed (0 to a few). */
export interface FrameActivity {
  windows: WindowActivity[];
  /** Hysteresis state after the frame. */
  speech: boolean;
}

/** Analyses engine frames of any length; one call at a time, in stream order. */
export interface FrameAnalyzer {
  analyze(frame: Float32Array): Promise<FrameActivity>;
  /** Changes the speech threshold from the next window on. */
  setThreshold(threshold: number): void;
}

export interface EndpointerConfig {
  /** Stop once this much silence follows speech. */
  silenceMs: number;
  /** Speech shorter than this (a click, a cough) neither counts as "heard" nor starts a dictation. */
  minSpeechMs: number;
  /**
   * Stop a dictation in which nothing was said for this long from its start, so a forgotten
   * hands-free dictation does not keep the mic open. Absent or null: never. Not applied while armed.
   */
  noSpeechTimeoutMs?: number | null;
}

/**
 * armed: waiting for speech to start a dictation (start-on-speech);
 * waiting: dictating, no qualifying speech heard yet (only noSpeechTimeoutMs stops it);
 * speaking / pausing: speech heard, silence being counted in pausing;
 * stopped: a limit was reached; terminal.
 */
export type EndpointerPhase = 'armed' | 'waiting' | 'speaking' | 'pausing' | 'stopped';

export type EndpointerEvent =
  | { type: 'start'; atMs: number; speechStartMs: number }
  | { type: 'stop'; reason: StopReason; atMs: number; silenceMs: number };

/** silence: silenceMs after speech; no-speech: noSpeechTimeoutMs passed with nothing said. */
export type StopReason = 'silence' | 'no-speech';

/** Settings the app exposes (Settings['handsFree'] plus start-on-speech). */
export interface HandsFreeConfig extends EndpointerConfig {
  /** Positive speech threshold in (0, 1); the negative one is derived (Silero's threshold − 0.15). */
  threshold: number;
}

export type VoiceActivityEvent =
  /** The speech indicator changed (held a little so it does not flicker between syllables). */
  | { type: 'speech'; speaking: boolean; atMs: number }
  /**
   * Speech started while armed. The monitor keeps the audio from just before the onset; the controller
   * opens an engine session and calls startForwarding(), which pushes that audio first, then the rest.
   */
  | { type: 'start'; atMs: number; speechStartMs: number }
  /** Silence reached the limit after speech (or nothing was said): flush and insert as usual. */
  | { type: 'stop'; reason: StopReason; atMs: number; silenceMs: number }
  /** The VAD failed or fell behind; it stops deciding, audio still flows, the user stops by hand. */
  | { type: 'error'; message: string };
