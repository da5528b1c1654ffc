// Notices when decoding falls behind the voice: the engine needs more than 80 ms for each 80 ms of
// audio (the full model on a CPU that is too slow for it), so the text lags further and further
// and the stop then waits for the backlog. Said once per dictation, while it is still useful.
// A backlog that shrinks is not lag: audio kept while the model loaded arrives all at once and
// is caught up by an engine faster than real time. One that stays large is (an engine at about
// real time never catches up on it).

export interface LagMonitorOptions {
  now: () => number;
  sampleRate: number;
  /** Told once, with the backlog in seconds, when it is over `thresholdS` and has not shrunk over a window. */
  onBehind: (backlogS: number) => void;
  thresholdS?: number;
  /** Whether the backlog shrinks is judged over this much wall time. */
  windowMs?: number;
}

/** A backlog this large that does not shrink is noticeable: the words appear seconds after they are said. */
export const LAG_THRESHOLD_S = 3;
const WINDOW_MS = 4000;

export class LagMonitor {
  private pushed = 0;
  private seenTo = 0;
  private told = false;
  /** (time, backlog) samples of the last window, oldest first. */
  private readonly history: { at: number; backlogS: number }[] = [];

  constructor(private readonly options: LagMonitorOptions) {}

  /** Audio handed to the engine. */
  audio(samples: number): void {
    this.pushed += samples;
    this.check();
  }

  /** How far into the audio the engine's latest id had seen (ContinuousSession's samplesSeen). */
  seen(samples: number): void {
    this.seenTo = Math.max(this.seenTo, samples);
    this.check();
  }

  /** Seconds of audio handed over but not yet decoded. */
  get backlogS(): number {
    return Math.max(0, this.pushed - this.seenTo) / this.options.sampleRate;
  }

  private check(): void {
    if (this.told) return;
    const now = this.options.now();
    const backlogS = this.backlogS;
    const windowMs = this.options.windowMs ?? WINDOW_MS;
    this.history.push({ at: now, backlogS });
    while (this.history.length > 1 && this.history[1].at <= now - windowMs) this.history.shift();
    const oldest = this.history[0];
    if (now - oldest.at < windowMs) return; // not a whole window seen yet
    // Large and not shrinking over a whole window: it will not catch up while the user speaks.
    if (backlogS >= (this.options.thresholdS ?? LAG_THRESHOLD_S) && backlogS >= oldest.backlogS) {
      this.told = true;
      this.options.onBehind(backlogS);
    }
  }
}
