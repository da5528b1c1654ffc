// A speech flag from per-window probabilities with two thresholds, so it does not chatter around one.

import type { HysteresisThresholds } from './types';

/** Silero's own rule (utils_vad.py, get_speech_timestamps): neg_threshold = threshold − 0.15. */
export function thresholdsFor(threshold: number): HysteresisThresholds {
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`speech threshold must be in (0, 1), got ${threshold}`);
  }
  return { positive: threshold, negative: Math.max(0.01, threshold - 0.15) };
}

export class SpeechHysteresis {
  private speaking = false;

  constructor(private thresholds: HysteresisThresholds) {}

  get speech(): boolean {
    return this.speaking;
  }

  update(probability: number): boolean {
    if (this.speaking) this.speaking = probability >= this.thresholds.negative;
    else this.speaking = probability >= this.thresholds.positive;
    return this.speaking;
  }

  setThresholds(thresholds: HysteresisThresholds): void {
    this.thresholds = thresholds;
  }

  reset(): void {
    this.speaking = false;
  }
}
