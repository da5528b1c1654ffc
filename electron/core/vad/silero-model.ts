// Silero VAD v5/v6 on onnxruntime-node (CPU execution provider). One loaded model (`SileroVad`, the
// ONNX session, stateless) serves any number of streams (`SileroStream`, one per dictation), each with
// its own recurrent state and context, so a new dictation never inherits or disturbs another's state.
// Each run sees the last 64 samples of the stream's previous window in front of the new 512, as
// silero-vad's own OnnxWrapper does.

import { existsSync } from 'node:fs';
import type * as OrtModule from 'onnxruntime-node';
import { VAD_SAMPLE_RATE, VAD_WINDOW_SAMPLES, type SpeechProbabilityModel } from './types';

const CONTEXT_SAMPLES = 64;
const STATE_DIMS = [2, 1, 128] as const;
const STATE_SIZE = STATE_DIMS[0] * STATE_DIMS[1] * STATE_DIMS[2];
const INPUTS = ['input', 'state', 'sr'];
const OUTPUTS = ['output', 'stateN'];

/** The model file is missing, unreadable, not a Silero v5/v6 model, or a run failed. */
export class VadModelError extends Error {
  override readonly name = 'VadModelError';
}

type Ort = typeof OrtModule;
type Tensor = OrtModule.Tensor;

/** Imported on first load, so a platform where onnxruntime's native binding cannot load gets a
 *  VadModelError (hands-free unavailable) instead of a main process that fails to start. */
async function importOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    throw new VadModelError(`onnxruntime-node cannot be loaded on this system: ${messageOf(err)}`);
  }
}

export async function loadSileroModel(modelPath: string): Promise<SileroVad> {
  if (!existsSync(modelPath)) throw new VadModelError(`voice activity model not found: ${modelPath}`);
  const ort = await importOrt();
  let session: OrtModule.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      // One window is ~0.2 ms of work; more threads only add wake-up cost and steal the engine's cores.
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new VadModelError(`cannot load voice activity model ${modelPath}: ${messageOf(err)}`);
  }
  const missing = [...INPUTS.filter((n) => !session.inputNames.includes(n)),
    ...OUTPUTS.filter((n) => !session.outputNames.includes(n))];
  if (missing.length > 0) {
    await session.release().catch(() => undefined);
    throw new VadModelError(`${modelPath} is not a Silero VAD v5/v6 model (missing ${missing.join(', ')})`);
  }
  return new SileroVad(ort, session);
}

export class SileroVad {
  private readonly sampleRate: Tensor;
  /** Runs go one at a time, whichever stream they come from. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly ort: Ort, private readonly session: OrtModule.InferenceSession) {
    this.sampleRate = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
  }

  /** A recurrent state of zeros, the start of every stream. */
  zeroState(): Tensor {
    return new this.ort.Tensor('float32', new Float32Array(STATE_SIZE), [...STATE_DIMS]);
  }

  /** A fresh stream: zero state, zero context. */
  createStream(): SileroStream {
    return new SileroStream(this);
  }

  /** One inference; `input` is context + window. Resolves with the probability and the next state. */
  infer(input: Float32Array, state: Tensor): Promise<{ probability: number; state: Tensor }> {
    const run = this.queue.then(() => this.inferNow(input, state));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.session.release();
  }

  private async inferNow(input: Float32Array, state: Tensor): Promise<{ probability: number; state: Tensor }> {
    if (this.disposed) throw new VadModelError('voice activity model was disposed');
    let out: OrtModule.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run({ input: new this.ort.Tensor('float32', input, [1, input.length]), state, sr: this.sampleRate });
    } catch (err) {
      throw new VadModelError(`voice activity model failed: ${messageOf(err)}`);
    }
    const probability = out.output?.data[0];
    const next = out.stateN;
    if (typeof probability !== 'number' || !Number.isFinite(probability) || !next || next.size !== STATE_SIZE) {
      throw new VadModelError('voice activity model returned an unexpected result');
    }
    return { probability: Math.min(1, Math.max(0, probability)), state: next };
  }
}

/** One audio stream's view of the model: its own recurrent state and 64-sample context. */
export class SileroStream implements SpeechProbabilityModel {
  private readonly input = new Float32Array(CONTEXT_SAMPLES + VAD_WINDOW_SAMPLES);
  private state: Tensor;
  private running = false;

  constructor(private readonly vad: SileroVad) {
    this.state = vad.zeroState();
  }

  async run(window: Float32Array): Promise<number> {
    if (this.running) throw new VadModelError('a voice activity stream runs one window at a time');
    if (window.length !== VAD_WINDOW_SAMPLES) {
      throw new RangeError(`a VAD window is ${VAD_WINDOW_SAMPLES} samples, got ${window.length}`);
    }
    // The context is the tail of the previous window, already at the end of `input`.
    this.input.copyWithin(0, VAD_WINDOW_SAMPLES);
    this.input.set(window, CONTEXT_SAMPLES);
    this.running = true;
    try {
      const { probability, state } = await this.vad.infer(this.input.slice(), this.state);
      this.state = state;
      return probability;
    } finally {
      this.running = false;
    }
  }

  reset(): void {
    this.state = this.vad.zeroState();
    this.input.fill(0);
  }

  /** The model belongs to SileroVad; a stream holds nothing to release. */
  async dispose(): Promise<void> {}
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
