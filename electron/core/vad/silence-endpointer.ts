// When to start and stop a hands-free dictation, from a sequence of speech / no-speech spans.
// Pure and clock-free: time is the sum of the spans it is fed, so tests drive it with synthetic input.
//
// Rules: speech counts once it lasts minSpeechMs without a break (clicks and coughs do not); after
// that, silenceMs of unbroken silence stops; any speech in a pause restarts the count, so a pause
// shorter than silenceMs never stops. Silence before any speech does not count as a pause (the user
// has not spoken yet); only the optional noSpeechTimeoutMs ends a dictation in which nothing was said.

import type { EndpointerConfig, EndpointerEvent, EndpointerPhase } from './types';

export function validateEndpointerConfig(config: EndpointerConfig): EndpointerConfig {
  const { silenceMs, minSpeechMs } = config;
  const noSpeechTimeoutMs = config.noSpeechTimeoutMs ?? null;
  if (!(Number.isFinite(silenceMs) && silenceMs > 0)) {
    throw new RangeError(`silenceMs must be a positive number of milliseconds, got ${silenceMs}`);
  }
  if (!(Number.isFinite(minSpeechMs) && minSpeechMs >= 0)) {
    throw new RangeError(`minSpeechMs must be zero or more milliseconds, got ${minSpeechMs}`);
  }
  if (noSpeechTimeoutMs !== null && !(Number.isFinite(noSpeechTimeoutMs) && noSpeechTimeoutMs > 0)) {
    throw new RangeError(`noSpeechTimeoutMs must be a positive number of milliseconds or null, got ${noSpeechTimeoutMs}`);
  }
  return { silenceMs, minSpeechMs, noSpeechTimeoutMs };
}

export class SilenceEndpointer {
  private config: EndpointerConfig;
  private state: EndpointerPhase;
  private clockMs = 0;
  /** Unbroken speech so far, while armed or waiting. */
  private speechRunMs = 0;
  /** Unbroken silence so far, while pausing. */
  private silenceRunMs = 0;

  constructor(config: EndpointerConfig, options: { armed?: boolean } = {}) {
    this.config = validateEndpointerConfig(config);
    this.state = options.armed ? 'armed' : 'waiting';
  }

  get phase(): EndpointerPhase {
    return this.state;
  }

  /** Whether qualifying speech has been heard (so silence can now stop the dictation). */
  get heardSpeech(): boolean {
    return this.state === 'speaking' || this.state === 'pausing' || this.state === 'stopped';
  }

  get minSpeechMs(): number {
    return this.config.minSpeechMs;
  }

  /** Stream time fed so far, in ms. */
  get elapsedMs(): number {
    return this.clockMs;
  }

  /** Takes effect from the next span; what was heard and counted so far is kept. */
  setConfig(config: EndpointerConfig): void {
    this.config = validateEndpointerConfig(config);
  }

  /** Feeds one span of audio; returns the event it caused, if any. Ignores input once stopped. */
  observe(speech: boolean, durationMs: number): EndpointerEvent | null {
    if (!(Number.isFinite(durationMs) && durationMs >= 0)) {
      throw new RangeError(`span duration must be zero or more milliseconds, got ${durationMs}`);
    }
    if (this.state === 'stopped') return null;
    this.clockMs += durationMs;
    switch (this.state) {
      case 'armed':
      case 'waiting':
        return this.observeBeforeSpeech(speech, durationMs);
      case 'speaking':
      case 'pausing':
        return this.observeAfterSpeech(speech, durationMs);
    }
  }

  private observeBeforeSpeech(speech: boolean, durationMs: number): EndpointerEvent | null {
    this.speechRunMs = speech ? this.speechRunMs + durationMs : 0;
    if (!speech || this.speechRunMs < this.config.minSpeechMs) return this.checkNoSpeechTimeout();
    const wasArmed = this.state === 'armed';
    this.state = 'speaking';
    return wasArmed ? { type: 'start', atMs: this.clockMs, speechStartMs: this.clockMs - this.speechRunMs } : null;
  }

  private checkNoSpeechTimeout(): EndpointerEvent | null {
    const timeout = this.config.noSpeechTimeoutMs;
    if (this.state !== 'waiting' || timeout == null || this.clockMs < timeout) return null;
    this.state = 'stopped';
    return { type: 'stop', reason: 'no-speech', atMs: this.clockMs, silenceMs: this.clockMs };
  }

  private observeAfterSpeech(speech: boolean, durationMs: number): EndpointerEvent | null {
    if (speech) {
      this.state = 'speaking';
      this.silenceRunMs = 0;
      return null;
    }
    this.state = 'pausing';
    this.silenceRunMs += durationMs;
    if (this.silenceRunMs < this.config.silenceMs) return null;
    this.state = 'stopped';
    return { type: 'stop', reason: 'silence', atMs: this.clockMs, silenceMs: this.silenceRunMs };
  }
}
