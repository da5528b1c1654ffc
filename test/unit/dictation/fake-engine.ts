// A scripted stand-in for the native engine that follows its streaming timeline exactly (spec §6,
// native-models/src/session): 40960 samples of left pad, the prefill's id at position 38 once 9000
// real samples (+ the pad) exist, then one id per 1280 samples with 40 of look-ahead, stop at EOS,
// later audio ignored, flush pads to a multiple of 1280 + 17 × 1280 + 40. Ids are delivered
// asynchronously and in order, as the addon's thread-safe callback does, and the flush resolves
// after them. Every sample each session received is recorded, so tests can see what was replayed.

import type { EngineModel, EngineSession, FlushResult, ModelInfo, SessionOptions } from '../../../native-models/js/engine';
import { EngineError } from '../../../native-models/js/engine';

export const EOS = 2;
export const PAD = 32;
const STEP = 1280;
const LEFT_PAD = 32 * STEP;
const LOOK_AHEAD = 40;
const PROMPT = 39;

/** What a session samples at `position`; `seen` = its real (unpadded) samples the step has seen. */
export type Script = (session: number, position: number, seen: Float32Array) => number;

export class FakeSession implements EngineSession {
  readonly received: number[] = [];
  readonly ids: number[] = [];
  private audio: number[] = [];
  private next = 0; // next decoder position to compute; 0 = prefill not done
  private finished = false;
  private eos = false;
  closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly index: number,
    private readonly script: Script,
    private readonly options: SessionOptions,
  ) {}

  push(pcm: Float32Array): void {
    if (this.closed) throw new EngineError('STATE', 'session is closed');
    if (this.finished) throw new EngineError('STATE', 'audio pushed after flush()');
    if (this.eos) return; // the engine ignores audio after EOS
    for (const x of pcm) {
      this.received.push(x);
      this.audio.push(x);
    }
    this.run();
  }

  flush(): Promise<FlushResult> {
    if (this.closed) return Promise.reject(new EngineError('STATE', 'session is closed'));
    if (!this.finished && !this.eos && this.audio.length > 0) {
      const align = (STEP - (this.audio.length % STEP)) % STEP;
      for (let i = 0; i < align + 17 * STEP + LOOK_AHEAD; i++) this.audio.push(0);
    }
    this.finished = true;
    this.run();
    return this.later(() => {
      if (this.closed) throw new EngineError('STATE', 'session closed before flush completed');
      return { tokens: [...this.ids], steps: this.ids.length, msPerStep: 1, prefillMs: 1, reusedPrefixTokens: 0 };
    });
  }

  captures() {
    return {};
  }

  close(): void {
    this.closed = true;
  }

  private run(): void {
    while (!this.eos) {
      const position = this.next === 0 ? PROMPT - 1 : this.next;
      const needed = STEP * (position + 1) + LOOK_AHEAD - LEFT_PAD; // real samples this step reads
      if (this.audio.length < needed) return;
      const id = this.script(this.index, position, Float32Array.from(this.audio.slice(0, needed)));
      this.ids.push(id);
      this.next = position + 1;
      if (id === EOS) this.eos = true;
      void this.later(() => {
        if (!this.closed) this.options.onTokens([id], position);
      });
    }
  }

  /** Runs `fn` on a later turn, after everything queued before it (the addon's event order). */
  private later<T>(fn: () => T): Promise<T> {
    const result = this.queue.then(() => new Promise<T>((resolve, reject) => setImmediate(() => {
      try {
        resolve(fn());
      } catch (err) {
        reject(err);
      }
    })));
    this.queue = result.then(() => undefined, () => undefined);
    return result;
  }
}

export class FakeModel implements EngineModel {
  readonly sessions: FakeSession[] = [];
  /** Make the n-th createSession (0-based) throw. */
  failOnSession: number | null = null;
  readonly info = {
    step_samples: STEP, n_left_pad_tokens: 32, n_right_pad_tokens: 17, delay_tokens: 6, stft_right_lookahead: LOOK_AHEAD,
    bos_id: 1, eos_id: EOS, streaming_pad_id: PAD, streaming_word_id: 33, sample_rate: 16_000,
  } as unknown as ModelInfo;

  constructor(private readonly script: Script) {}

  createSession(options: SessionOptions): EngineSession {
    if (this.failOnSession === this.sessions.length) throw new EngineError('OUT_OF_MEMORY', 'no memory for another session');
    const session = new FakeSession(this.sessions.length, this.script, options);
    this.sessions.push(session);
    return session;
  }

  dispose(): void {}
}

/** Audio whose every sample is its own index in the stream (exact in float32 below 2^24). */
export function rampAudio(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}
