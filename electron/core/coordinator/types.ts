// Types at the coordinator's boundaries: the port the dictation controller implements, the
// insertion sink, and what the coordinator reports to the overlay, tray and windows.

import type { HotkeyMode } from '../../common/ipc-contract';

/** What a finished dictation hands back (the controller's FinalTranscript satisfies it). */
export interface FinalResult {
  text: string;
}

/** A live update: `text` is everything settled so far, `appended` what this update added. */
export interface PartialUpdate {
  text: string;
  appended: string;
}

/**
 * The dictation controller as the coordinator drives it. start() resolves once audio is being
 * captured and the engine is ready (it may load the model first); stop() flushes and resolves with
 * the final text; cancel() drops the session without a result. onPartial returns an unsubscribe.
 */
export interface DictationPort {
  start(): Promise<void>;
  stop(): Promise<FinalResult>;
  cancel(): Promise<void> | void;
  onPartial(listener: (update: PartialUpdate) => void): () => void;
  /**
   * True while a dictation the coordinator did not start (one started in the window) is loading,
   * listening or finishing. A hotkey press or toggle then stops it (stop(); its text stays in the
   * window and history) instead of adopting it and inserting its text into another app.
   */
  runningElsewhere?(): boolean;
}

/** How the text reached the target app (or why it did not). */
export interface InsertionOutcome {
  /** 'pasted' | 'typed' | 'clipboard' when it worked; the text is never lost on failure. */
  delivered: 'pasted' | 'typed' | 'clipboard' | 'none';
  /** For people: what happened when it was not the plain case (fallbacks, missing tools). */
  message: string | null;
  /** Set when the text was a spoken command ("scratch that") acted on instead of written. */
  command?: 'scratch';
}

/** One dictation's worth of insertion: live pieces while recording, then the final text. */
export interface InsertionSession {
  /** Everything settled so far; only live typing acts on it. Never blocks. */
  partial(text: string): void;
  /** Delivers the final text (paste, reconcile the live-typed text, or clipboard). */
  finish(finalText: string): Promise<InsertionOutcome>;
  /** Stops typing what is queued; text already typed stays typed. */
  abort(): void;
}

export interface InsertionSink {
  begin(): InsertionSession;
}

export type CoordinatorState = 'idle' | 'arming' | 'recording' | 'finishing' | 'inserting';

export interface CoordinatorSnapshot {
  state: CoordinatorState;
  /** Live text of the current dictation ('' when idle). */
  text: string;
  /** The last error, kept until the next dictation starts. */
  error: string | null;
  /** The last non-error remark (e.g. "Nothing was heard", a fallback used), same lifetime. */
  notice: string | null;
  /** True while recording was latched on by a tap (combined mode) or a toggle. */
  latched: boolean;
}

export interface CoordinatorTiming {
  /** Presses closer than this to the previous edge are contact bounce (Handy uses 30 ms). */
  debounceMs: number;
  /** A release followed by a press within this window counts as one continuous hold. */
  releaseGraceMs: number;
  /** Combined mode: a press shorter than this is a tap (toggle); longer is push-to-talk. */
  tapThresholdMs: number;
}

export const DEFAULT_TIMING: CoordinatorTiming = { debounceMs: 30, releaseGraceMs: 50, tapThresholdMs: 300 };

export interface CoordinatorOptions {
  port: DictationPort;
  insertion: InsertionSink;
  /** Read at each press, so a settings change applies to the next press. */
  hotkeyMode: () => HotkeyMode;
  /**
   * What paste-last inserts: the newest dictation's text (main reads it from History, so a
   * dictation made in the window, or corrected there, counts too), or null when it cannot tell
   * (History off): then the last text this coordinator delivered.
   */
  lastTranscript?: () => string | null;
  timing?: Partial<CoordinatorTiming>;
  now?: () => number;
}
