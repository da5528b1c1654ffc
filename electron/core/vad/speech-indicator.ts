// The speech / no-speech flag the views show. It turns on with the first speech window and off only
// after holdMs without speech, so it stays lit across the short gaps between words.

export class SpeechIndicator {
  private lit = false;
  private quietMs = 0;

  constructor(private readonly holdMs: number) {
    if (!(Number.isFinite(holdMs) && holdMs >= 0)) throw new RangeError(`hold must be >= 0 ms, got ${holdMs}`);
  }

  get speaking(): boolean {
    return this.lit;
  }

  /** Feeds one span; returns the new value when it changed, else null. */
  update(speech: boolean, durationMs: number): boolean | null {
    if (speech) {
      this.quietMs = 0;
      if (this.lit) return null;
      this.lit = true;
      return true;
    }
    this.quietMs += durationMs;
    if (!this.lit || this.quietMs < this.holdMs) return null;
    this.lit = false;
    return false;
  }
}
