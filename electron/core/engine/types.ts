// Types at the engine-host boundary: what the dictation controller asks for and gets back.
// The engine itself is native-models/js/engine.ts; only the parts the host uses are named here,
// so tests can hand in a failing fake engine.

import type { BackendId, WeightDtype } from '../../common/ipc-contract';
import type { EngineModel, LoadModelOptions } from '../../../native-models/js/engine';
import type { Tekken } from '../../../native-models/js/tokenizer/tekken';

/** Everything that decides which model is loaded; a change in any of it means a reload. */
export interface EngineConfig {
  pte: string;
  /** null = the model.ptd beside the .pte. */
  ptd: string | null;
  backend: BackendId;
  dtype: WeightDtype;
  /** 0 = all cores. */
  threads: number;
  /** The CUDA GPU's id; null = the first usable one (and always null on the CPU). */
  gpu: string | null;
}

/** A model ready for sessions, with the tokenizer that turns its ids into text. */
export interface LoadedEngine {
  readonly config: EngineConfig;
  readonly model: EngineModel;
  readonly tokenizer: Tekken;
}

/** The engine entry points the host uses (the real addon wrapper, or a fake in tests). */
export interface EngineApi {
  loadModel(options: LoadModelOptions): Promise<EngineModel>;
}

/** Load progress: fraction 0..1 and the engine's stage name. */
export type LoadProgress = (fraction: number) => void;
