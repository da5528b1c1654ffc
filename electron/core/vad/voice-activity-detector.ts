// Engine frames in, per-window speech decisions out: splits frames into Silero windows (with a carry),
// runs the model on each and applies hysteresis. Reads frames, never changes or keeps them.

import { SpeechHysteresis, thresholdsFor } from './hysteresis';
import {
  VAD_WINDOW_MS, VAD_WINDOW_SAMPLES, type FrameActivity, type FrameAnalyzer, type SpeechProbabilityModel,
  type WindowActivity,
} from './types';
import { WindowSplitter } from './window-splitter';

export class VoiceActivityDetector implements FrameAnalyzer {
  private readonly splitter = new WindowSplitter(VAD_WINDOW_SAMPLES);
  private readonly hysteresis: SpeechHysteresis;
  private windowsDone = 0;

  constructor(private readonly model: SpeechProbabilityModel, threshold: number) {
    this.hysteresis = new SpeechHysteresis(thresholdsFor(threshold));
  }

  async analyze(frame: Float32Array): Promise<FrameActivity> {
    const windows: WindowActivity[] = [];
    for (const window of this.splitter.push(frame)) {
      sanitize(window);
      const probability = await this.model.run(window);
      this.windowsDone += 1;
      windows.push({ probability, speech: this.hysteresis.update(probability), endMs: this.windowsDone * VAD_WINDOW_MS });
    }
    return { windows, speech: this.hysteresis.speech };
  }

  setThreshold(threshold: number): void {
    this.hysteresis.setThresholds(thresholdsFor(threshold));
  }

  /** Start over for an unrelated stream (stream time restarts at 0). */
  reset(): void {
    this.splitter.reset();
    this.hysteresis.reset();
    this.model.reset();
    this.windowsDone = 0;
  }
}

/**
 * A broken capture path can yield NaN, Inf or wild values, which saturate the model's recurrent state
 * (measured: every state value at ±tanh(1)) and skew the windows after. NaN reads as silence;
 * everything else is clipped to full scale, as a sound card would.
 */
function sanitize(window: Float32Array): void {
  for (let i = 0; i < window.length; i++) {
    const x = window[i];
    window[i] = x > 1 ? 1 : x < -1 ? -1 : x === x ? x : 0;
  }
}
