/**
 * Typed wrapper of the native engine addon (native-models/addon, C API in native-models/include/vxd.h).
 * This is what the app imports; see docs/architecture.md "Engine API".
 *
 * Streaming: `session.push(pcm)` copies 16 kHz mono samples to the session's native thread and
 * returns at once; the thread runs a decoder step per 80 ms of audio and calls `onTokens` with the
 * ids sampled so far (pads included) and the decoder position of the first of them.
 * `flush()` right-pads the stream (spec §6), drains it and resolves with every sampled id after the
 * prompt, up to and including EOS if reached. The stream feeds its last audio position too, so it
 * yields one token more than HF `generate` (which stops at n_audio − 1); the shared ids are identical.
 *
 * Captures (parity tests, small models only): `createSession({ capture: ['mel', 'encoder',
 * 'audio_embeds', 'logits'] })`, then `session.captures()` returns, per name, fp32 row-major
 * `{ data, rows, cols }` with rows in time order:
 *   mel          [T_mel, 128]     frame-major, starting at padded frame 0
 *   encoder      [T_enc, enc_dim] final-norm encoder output rows
 *   audio_embeds [n_audio, dim]   adapter output rows
 *   logits       [n_steps, vocab] full rows for every sampled position, from the prefill's last
 *                                 position (prompt length − 1) on
 * The engine refuses logit captures for vocabularies over 65536.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where cmake-js puts the addon, relative to the repository (or app) root. */
export const ADDON_RELATIVE_PATH = 'native-models/build/Release/vxd_addon.node';

export type BackendId = 'cpu' | 'cuda';
export type ActivationDtype = 'fp32' | 'bf16';
export type CaptureName = 'mel' | 'encoder' | 'audio_embeds' | 'logits';

export type EngineErrorCode =
  | 'INVALID_ARGUMENT'
  | 'IO'
  | 'FORMAT'
  | 'UNSUPPORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'OUT_OF_MEMORY'
  | 'STATE'
  | 'INTERNAL'
  | 'ADDON_MISSING';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A GPU a device backend found, usable or not. */
export interface GpuInfo {
  /** Stable across reboots and device order ("GPU-<uuid>", as `nvidia-smi -L` prints it): what settings keep. */
  id: string;
  /** The runtime's ordinal now; changes with CUDA_VISIBLE_DEVICES or another slot. */
  index: number;
  name: string;
  memoryBytes: number;
  /** Compute capability, "8.6". */
  compute: string;
  usable: boolean;
  reason?: string;
}

export interface BackendInfo {
  id: BackendId;
  available: boolean;
  name: string;
  reason?: string;
  /** A device backend's GPUs; empty for the CPU and where no driver answers. */
  devices: GpuInfo[];
}

/** The model's constant-method configuration (docs/architecture.md "Model files") plus load facts. */
export interface ModelInfo {
  dim: number;
  enc_dim: number;
  vocab_size: number;
  sliding_window: number;
  max_enc_len: number;
  n_layers: number;
  enc_n_layers: number;
  bos_id: number;
  eos_id: number;
  streaming_pad_id: number;
  streaming_word_id: number;
  n_left_pad_tokens: number;
  n_right_pad_tokens: number;
  delay_tokens: number;
  step_samples: number;
  sample_rate: number;
  weight_dtype: 'fp32' | 'bf16';
  quant: 'none' | '8w' | '4w';
  embedding_quant: 'none' | '8w';
  group_size: number;
  backend: BackendId;
  dtype: ActivationDtype;
  weightBytes: number;
  cacheBytesPerSession: number;
  /** The GPU the model runs on (device backends only). */
  deviceId?: string;
  deviceName?: string;
  [key: string]: number | string | undefined;
}

export interface LoadModelOptions {
  pte: string;
  /** Defaults to the .ptd beside the .pte (same stem). */
  ptd?: string;
  backend: BackendId;
  dtype: ActivationDtype;
  /**
   * The GPU (cuda): its id or index; default VXD_CUDA_DEVICE, else the first usable one. A GPU
   * that is absent or cannot run the model is refused (BACKEND_UNAVAILABLE), never swapped.
   */
  gpu?: string;
  /** CPU compute threads; default = all cores. */
  threads?: number;
  /** Refuse to load above this many bytes of weights + one session's caches; default 80 % of RAM. */
  memoryBudgetBytes?: number;
  onProgress?: (fraction: number, stage: string) => void;
}

export interface CapturedArray {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface SessionOptions {
  onTokens(ids: number[], firstPosition: number): void;
  onError(err: EngineError): void;
  capture?: CaptureName[];
}

export interface FlushResult {
  tokens: number[];
  steps: number;
  /** Mean wall time of a steady-state step (the prefill excluded) in milliseconds. */
  msPerStep: number;
  /** Wall time of the prompt's prefill in milliseconds (0 when no audio came). */
  prefillMs: number;
  /** Prompt tokens copied from the model's silent prefix rather than computed: 0 for the model's
   *  first session (which computes and keeps it) and for sessions with captures. */
  reusedPrefixTokens: number;
}

export interface EngineSession {
  push(pcm: Float32Array): void;
  flush(): Promise<FlushResult>;
  captures(): Partial<Record<CaptureName, CapturedArray>>;
  close(): void;
}

export interface EngineModel {
  readonly info: ModelInfo;
  createSession(options: SessionOptions): EngineSession;
  dispose(): void;
}

// ---- the raw addon surface (native-models/addon) ----
interface RawSession {
  push(pcm: Float32Array): void;
  flush(): Promise<FlushResult>;
  captures(): Partial<Record<CaptureName, CapturedArray>>;
  close(): void;
}
interface RawModel {
  readonly infoJson: string;
  createSession(onTokens: (ids: number[], first: number) => void, onError: (e: Error) => void, opts: { capture?: string[] }): RawSession;
  dispose(): void;
}
interface RawAddon {
  listBackends(): BackendInfo[];
  loadModel(opts: Record<string, unknown>, onProgress?: (f: number, stage: string) => void): Promise<RawModel>;
}

const KNOWN_CODES = new Set<EngineErrorCode>(['INVALID_ARGUMENT', 'IO', 'FORMAT', 'UNSUPPORTED', 'BACKEND_UNAVAILABLE', 'OUT_OF_MEMORY', 'STATE', 'INTERNAL']);

/** Converts whatever the addon threw into an EngineError (keeping its code). */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(typeof code === 'string' && KNOWN_CODES.has(code as EngineErrorCode) ? (code as EngineErrorCode) : 'INTERNAL', message);
}

function wrapSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toEngineError(err);
  }
}

/** Finds the addon: $VXD_ADDON_PATH, else ADDON_RELATIVE_PATH under the first ancestor that has it. */
export function findAddon(startDirs: string[] = defaultStartDirs()): string {
  const override = process.env.VXD_ADDON_PATH;
  if (override) return override;
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, ADDON_RELATIVE_PATH);
      if (existsSync(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new EngineError('ADDON_MISSING', `the native engine is not built (${ADDON_RELATIVE_PATH} not found); run "npm run build:native"`);
}

function defaultStartDirs(): string[] {
  const dirs = [process.cwd()];
  if (typeof __dirname === 'string') dirs.unshift(__dirname);
  if (process.argv[1]) dirs.push(path.dirname(process.argv[1]));
  return dirs;
}

let cachedAddon: RawAddon | undefined;
function addon(): RawAddon {
  if (!cachedAddon) {
    const file = findAddon();
    cachedAddon = wrapSync(() => createRequire(file)(file) as RawAddon);
  }
  return cachedAddon;
}

export function listBackends(): BackendInfo[] {
  return wrapSync(() => addon().listBackends());
}

export async function loadModel(options: LoadModelOptions): Promise<EngineModel> {
  const { onProgress, ...rest } = options;
  let raw: RawModel;
  try {
    raw = await addon().loadModel({ ...rest }, onProgress);
  } catch (err) {
    throw toEngineError(err);
  }
  return new NativeModel(raw);
}

class NativeModel implements EngineModel {
  readonly info: ModelInfo;
  constructor(private readonly raw: RawModel) {
    this.info = JSON.parse(raw.infoJson) as ModelInfo;
  }

  createSession(options: SessionOptions): EngineSession {
    const raw = wrapSync(() =>
      this.raw.createSession(
        (ids, first) => options.onTokens(ids, first),
        (err) => options.onError(toEngineError(err)),
        { capture: options.capture },
      ),
    );
    return {
      push: (pcm) => wrapSync(() => raw.push(pcm)),
      flush: () => raw.flush().catch((err: unknown) => Promise.reject(toEngineError(err))),
      captures: () => wrapSync(() => raw.captures()),
      close: () => wrapSync(() => raw.close()),
    };
  }

  dispose(): void {
    wrapSync(() => this.raw.dispose());
  }
}
