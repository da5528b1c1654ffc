// The one owner of the dictation lifecycle: hotkey → record → transcribe → insert.
//
// Every input (key edges, toggles, cancel, and the completions of the port's and the inserter's
// promises) becomes a job on one serial queue, and only those jobs change state, so rapid presses
// can never interleave two transitions. Async work is started from a job and reports back as a
// new job tagged with its dictation number; a report for an older dictation is ignored, which is
// how cancel and errors stay safe while a promise is still in flight.
//
// Decisions (docs/architecture.md, "Dictating into other apps"):
// - A release while the model is loading stops the dictation as soon as the engine is ready; if
//   nothing was said by then the result is empty and nothing is inserted.
// - A press while the previous dictation is flushing or inserting is queued, not dropped: the next
//   dictation starts as soon as the text is in. In hold modes it starts only if the key is still
//   held then (or, in combined mode, if the queued press was a tap). A second toggle press while
//   one is queued un-queues it.
// - Errors and cancel always end in Idle with a message; the queue is dropped after an error.
// - A press or toggle while a dictation started elsewhere (the window) runs stops that dictation and
//   starts nothing: users expect the hotkey to stop whatever is listening. Its text stays in the window.
// - Paste last transcript (its own hotkey) inserts the newest dictation's text again, through the
//   same insertion path and queue, only from Idle: while a dictation runs the text would land
//   inside it. A hotkey press during that insertion queues a dictation as after any other.

import type { HotkeyMode } from '../../common/ipc-contract';
import {
  DEFAULT_TIMING,
  type CoordinatorOptions, type CoordinatorSnapshot, type CoordinatorState, type CoordinatorTiming,
  type DictationPort, type FinalResult, type InsertionOutcome, type InsertionSession, type InsertionSink,
  type PartialUpdate,
} from './types';

interface QueuedPress {
  pressAt: number;
  /** Set when the key went up before the queued dictation could start. */
  releasedAfterMs: number | null;
  /** From toggle() or toggle mode: starts latched regardless of the key. */
  latched: boolean;
}

const QUEUED_NOTICE = 'Will start again when the text is in';
const STOP_WHEN_READY_NOTICE = 'Stopping as soon as the model is ready';
const STOPPED_ELSEWHERE_NOTICE = 'Stopped the dictation started in the window; its text is there';
const PASTE_LAST_BUSY_NOTICE = 'Paste last transcript works between dictations';
const NOTHING_TO_PASTE_NOTICE = 'No transcript to paste yet';

type Listener = (snapshot: CoordinatorSnapshot) => void;

export class DictationCoordinator {
  private readonly port: DictationPort;
  private readonly insertion: InsertionSink;
  private readonly hotkeyMode: () => HotkeyMode;
  private readonly lastTranscript: (() => string | null) | undefined;
  private readonly timing: CoordinatorTiming;
  private readonly now: () => number;
  private readonly listeners = new Set<Listener>();

  private readonly jobs: Array<() => void> = [];
  private draining = false;

  private state: CoordinatorState = 'idle';
  private dictation = 0;
  private text = '';
  private error: string | null = null;
  private notice: string | null = null;
  private latched = false;
  private stopWhenReady = false;
  private keyHeld = false;
  private pressAt = 0;
  private lastEdgeAt = Number.NEGATIVE_INFINITY;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;
  private queued: QueuedPress | null = null;
  private session: InsertionSession | null = null;
  private unsubscribePartial: (() => void) | null = null;
  /** The last text a dictation of ours delivered: paste-last's source when none is given. */
  private lastDelivered: string | null = null;

  constructor(options: CoordinatorOptions) {
    this.port = options.port;
    this.insertion = options.insertion;
    this.hotkeyMode = options.hotkeyMode;
    this.lastTranscript = options.lastTranscript;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.now = options.now ?? Date.now;
  }

  // ── Inputs ──────────────────────────────────────────────────────────────────────────────────

  hotkeyDown(): void { this.enqueue(() => this.onKeyDown()); }
  hotkeyUp(): void { this.enqueue(() => this.onKeyUp()); }
  /** Tray menu, CLI, or the globalShortcut fallback (which has no key-up). */
  toggle(): void { this.enqueue(() => this.onToggle()); }
  cancel(): void { this.enqueue(() => this.onCancel()); }
  /** The paste-last hotkey: the newest transcript into the focused app again. */
  pasteLast(): void { this.enqueue(() => this.onPasteLast()); }

  /** What paste-last would put in: History's newest dictation, else the last one delivered; null when none. */
  latestText(): string | null {
    let text: string | null = null;
    try {
      text = this.lastTranscript?.() ?? null;
    } catch {
      // an unreadable history is the same as an empty one here
    }
    text ??= this.lastDelivered;
    return typeof text === 'string' && text.trim() !== '' ? text : null;
  }
  /** Hands-free: the VAD heard enough silence. Ends a recording dictation like a toggle-off; never starts one. */
  silenceStop(): void { this.enqueue(() => { if (this.state === 'recording' || this.state === 'arming') this.requestStop(); }); }
  /** Start-on-speech: the VAD heard speech while armed. Starts a latched dictation from Idle only. */
  speechStart(): void { this.enqueue(() => { if (this.state === 'idle') this.begin(this.now(), true); }); }
  /**
   * The service ended the dictation by itself: stopped or cancelled in the window (which shows a
   * start-on-speech dictation too), the microphone lost, an engine error (`error`). Back to Idle,
   * inserting nothing (its text stays in the window and history); else the coordinator would stay
   * 'recording' and decline every later start-on-speech. Ignored while finishing (its own stop).
   */
  endedElsewhere(error: string | null): void {
    this.enqueue(() => {
      if (this.state !== 'arming' && this.state !== 'recording') return;
      this.dictation += 1; // orphans a pending start or stop of it
      this.session?.abort();
      this.queued = null;
      this.error = error;
      this.goIdle();
    });
  }
  /** An asynchronous engine failure reported by the controller outside start/stop. */
  engineError(message: string): void {
    const dictation = this.dictation;
    this.enqueue(() => this.onEngineError(dictation, new Error(message)));
  }

  // ── Outputs ─────────────────────────────────────────────────────────────────────────────────

  snapshot(): CoordinatorSnapshot {
    return { state: this.state, text: this.text, error: this.error, notice: this.notice, latched: this.latched };
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.clearReleaseTimer();
    this.enqueue(() => this.onCancel());
    this.listeners.clear();
  }

  // ── The serial queue ────────────────────────────────────────────────────────────────────────

  private enqueue(job: () => void): void {
    this.jobs.push(job);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.jobs.length > 0) this.jobs.shift()!();
    } finally {
      this.draining = false;
    }
  }

  /** Runs async work and feeds its outcome back as a job for the same dictation. */
  private track<T>(
    work: () => Promise<T>,
    done: (dictation: number, value: T) => void,
    failed: (dictation: number, err: unknown) => void = (d, err) => this.onEngineError(d, err),
  ): void {
    const dictation = this.dictation;
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(work());
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (value) => this.enqueue(() => done(dictation, value)),
      (err: unknown) => this.enqueue(() => failed(dictation, err)),
    );
  }

  // ── Key edges ───────────────────────────────────────────────────────────────────────────────

  private onKeyDown(): void {
    if (this.keyHeld) return; // auto-repeat or a duplicate event
    const now = this.now();
    if (this.releaseTimer) {
      // Released and pressed again within the grace window: one continuous hold.
      this.clearReleaseTimer();
      this.keyHeld = true;
      return;
    }
    if (now - this.lastEdgeAt < this.timing.debounceMs) return;
    this.keyHeld = true;
    this.lastEdgeAt = now;
    const mode = this.hotkeyMode();
    switch (this.state) {
      case 'idle':
        if (this.stopElsewhere()) return;
        this.begin(now, mode === 'toggle');
        return;
      case 'arming':
      case 'recording':
        // A fresh press while latched (tap-started or toggle mode) ends the dictation.
        if (this.latched) this.requestStop();
        return;
      case 'finishing':
      case 'inserting':
        this.queuePress(now, mode === 'toggle');
        return;
    }
  }

  private onKeyUp(): void {
    if (!this.keyHeld) return;
    this.keyHeld = false;
    const releasedAt = this.now();
    this.lastEdgeAt = releasedAt;
    const mode = this.hotkeyMode();
    if (mode === 'toggle') return;
    if (this.timing.releaseGraceMs <= 0) {
      this.onRelease(releasedAt, mode);
      return;
    }
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = null;
      this.enqueue(() => this.onRelease(releasedAt, mode));
    }, this.timing.releaseGraceMs);
  }

  private onRelease(releasedAt: number, mode: HotkeyMode): void {
    const queued = this.queued;
    if (queued && !queued.latched) {
      const heldMs = releasedAt - queued.pressAt;
      if (mode === 'both' && heldMs < this.timing.tapThresholdMs) queued.releasedAfterMs = heldMs;
      else this.queued = null; // a hold that ended before its dictation could start
      return;
    }
    if (this.state !== 'arming' && this.state !== 'recording') return;
    if (this.latched) return;
    if (mode === 'both' && releasedAt - this.pressAt < this.timing.tapThresholdMs) {
      this.latched = true; // a tap: keep listening until the next press
      this.emit();
      return;
    }
    this.requestStop();
  }

  private onToggle(): void {
    switch (this.state) {
      case 'idle':
        if (this.stopElsewhere()) return;
        this.begin(this.now(), true);
        return;
      case 'arming':
      case 'recording':
        this.requestStop();
        return;
      case 'finishing':
      case 'inserting':
        this.queuePress(this.now(), true);
        return;
    }
  }

  /** Stops a dictation started in the window, if one runs; true when it did (nothing else to do). */
  private stopElsewhere(): boolean {
    let running = false;
    try {
      running = this.port.runningElsewhere?.() ?? false;
    } catch {
      // a broken status query must not block the hotkey: start as usual
    }
    if (!running) return false;
    this.error = null;
    this.notice = STOPPED_ELSEWHERE_NOTICE;
    this.emit();
    // Its final (or error) goes to the window and history through the service's own events.
    try {
      Promise.resolve(this.port.stop()).catch(() => undefined);
    } catch {
      // the window shows the service's error
    }
    return true;
  }

  private queuePress(pressAt: number, latched: boolean): void {
    if (latched && this.queued?.latched) {
      this.queued = null; // pressed again: the user changed their mind
      this.notice = null;
    } else {
      this.queued = { pressAt, releasedAfterMs: null, latched };
      this.notice = QUEUED_NOTICE;
    }
    this.emit();
  }

  private onPasteLast(): void {
    if (this.state !== 'idle') {
      this.notice = PASTE_LAST_BUSY_NOTICE;
      this.emit();
      return;
    }
    const text = this.latestText();
    this.error = null;
    if (text === null) {
      this.notice = NOTHING_TO_PASTE_NOTICE;
      this.emit();
      return;
    }
    this.dictation += 1;
    this.text = text;
    this.notice = null;
    this.latched = false;
    this.state = 'inserting';
    let session: InsertionSession;
    try {
      session = this.insertion.begin();
    } catch (err) {
      this.error = `The text could not be inserted: ${messageOf(err)}`;
      this.goIdle();
      return;
    }
    this.session = session;
    this.emit();
    const pasted = text;
    this.track(() => session.finish(pasted), (d, outcome) => this.onInserted(d, outcome), (d, err) => this.onInsertFailed(d, err));
  }

  // ── Lifecycle ───────────────────────────────────────────────────────────────────────────────

  private begin(pressAt: number, latched: boolean): void {
    this.dictation += 1;
    const dictation = this.dictation;
    this.state = 'arming';
    this.text = '';
    this.error = null;
    this.notice = null;
    this.latched = latched;
    this.stopWhenReady = false;
    this.pressAt = pressAt;
    try {
      this.session = this.insertion.begin();
      this.unsubscribePartial = this.port.onPartial((update) =>
        this.enqueue(() => this.onPartial(dictation, update)));
    } catch (err) {
      this.onEngineError(dictation, err);
      return;
    }
    this.emit();
    this.track(() => this.port.start(), (d) => this.onEngineReady(d));
  }

  private requestStop(): void {
    if (this.state === 'arming') {
      this.stopWhenReady = true;
      this.notice = STOP_WHEN_READY_NOTICE;
      this.emit();
    } else if (this.state === 'recording') {
      this.finish();
    }
  }

  private onEngineReady(dictation: number): void {
    if (dictation !== this.dictation || this.state !== 'arming') return;
    this.state = 'recording';
    if (this.notice === STOP_WHEN_READY_NOTICE) this.notice = null;
    if (this.stopWhenReady) {
      this.finish();
      return;
    }
    this.emit();
  }

  private onPartial(dictation: number, update: PartialUpdate): void {
    if (dictation !== this.dictation || this.state === 'idle' || this.state === 'inserting') return;
    this.text = update.text;
    this.session?.partial(update.text);
    this.emit();
  }

  private finish(): void {
    this.state = 'finishing';
    this.emit();
    this.track(() => this.port.stop(), (d, result) => this.onFinished(d, result));
  }

  private onFinished(dictation: number, result: FinalResult): void {
    if (dictation !== this.dictation || this.state !== 'finishing') return;
    this.detachPartials();
    this.text = typeof result?.text === 'string' ? result.text : '';
    this.state = 'inserting';
    this.emit();
    const session = this.session;
    if (!session) {
      this.goIdle();
      return;
    }
    const text = this.text;
    this.track(() => session.finish(text), (d, outcome) => this.onInserted(d, outcome),
      (d, err) => this.onInsertFailed(d, err));
  }

  private onInserted(dictation: number, outcome: InsertionOutcome): void {
    if (dictation !== this.dictation || this.state !== 'inserting') return;
    if (this.text.trim() === '') this.notice = 'Nothing was heard';
    else if (outcome.delivered === 'none') this.error = outcome.message ?? 'The text could not be inserted';
    else this.notice = outcome.message;
    if (this.text.trim() !== '' && !outcome.command) this.lastDelivered = this.text;
    this.goIdle();
  }

  private onInsertFailed(dictation: number, err: unknown): void {
    if (dictation !== this.dictation || this.state !== 'inserting') return;
    this.error = `The text could not be inserted: ${messageOf(err)}`;
    this.goIdle();
  }

  private onEngineError(dictation: number, err: unknown): void {
    if (dictation !== this.dictation || this.state === 'idle') return;
    this.error = messageOf(err);
    this.abortActive();
    this.queued = null;
    this.goIdle();
  }

  private onCancel(): void {
    if (this.state === 'idle') {
      if (this.queued) {
        this.queued = null;
        this.emit();
      }
      return;
    }
    this.queued = null;
    this.abortActive();
    this.notice = 'Cancelled';
    this.goIdle();
  }

  /** Tells the port and the inserter to drop the current dictation, and orphans its promises. */
  private abortActive(): void {
    const wasCapturing = this.state !== 'inserting';
    this.dictation += 1;
    this.detachPartials();
    this.session?.abort();
    if (wasCapturing) {
      try {
        Promise.resolve(this.port.cancel()).catch(() => undefined);
      } catch {
        // cancel is best effort: the dictation is already orphaned
      }
    }
  }

  private goIdle(): void {
    this.detachPartials();
    this.session = null;
    this.state = 'idle';
    this.latched = false;
    this.stopWhenReady = false;
    const queued = this.queued;
    this.queued = null;
    if (this.notice === QUEUED_NOTICE) this.notice = null;
    this.emit();
    if (queued && this.shouldStartQueued(queued)) {
      this.begin(queued.pressAt, queued.latched || queued.releasedAfterMs !== null);
    }
  }

  private shouldStartQueued(queued: QueuedPress): boolean {
    if (queued.latched) return true;
    if (queued.releasedAfterMs !== null) return true; // a combined-mode tap: start latched
    return this.keyHeld; // a hold: only while the key is still down
  }

  private detachPartials(): void {
    const unsubscribe = this.unsubscribePartial;
    this.unsubscribePartial = null;
    try {
      unsubscribe?.();
    } catch {
      // an unsubscribe that throws must not wedge the state machine
    }
  }

  private clearReleaseTimer(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // a broken view must not break dictation
      }
    }
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  if (typeof err === 'string' && err) return err;
  return 'Unknown error';
}
