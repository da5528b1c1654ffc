// What AppCore uses until the engine is wired in: every request that needs a model answers a
// clear error instead of pretending to work.

import { stat } from 'node:fs/promises';
import type { BackendInfo, DictationStatus, FinalTranscript, ModelPaths, ModelSummary, Settings } from '../../common/ipc-contract';
import { AppFailure } from './app-failure';
import type { DictationEvent, DictationService, FileChooser, ModelService } from './services';

const NO_ENGINE = 'this build has no speech engine yet';

export class UnavailableDictationService implements DictationService {
  private readonly since = Date.now();

  constructor(private readonly settings: () => Settings) {}

  status(): DictationStatus {
    return { state: 'idle', since: this.since, sessionId: null, source: null, error: null };
  }

  async start(): Promise<DictationStatus> {
    throw this.noModel();
  }

  async stop(): Promise<FinalTranscript | null> {
    return null; // nothing is running
  }

  async cancel(): Promise<DictationStatus> {
    return this.status();
  }

  pushAudio(_samples: Float32Array, _seq: number): void {
    // No session is listening, so frames have nowhere to go; dropping them is correct.
  }

  endAudio(): void {}

  async transcribeFile(): Promise<{ jobId: string }> {
    throw this.noModel();
  }

  async cancelFile(): Promise<boolean> {
    return false;
  }

  onEvent(_listener: (event: DictationEvent) => void): () => void {
    return () => undefined;
  }

  async dispose(): Promise<void> {}

  private noModel(): AppFailure {
    const pte = this.settings().model.pte;
    return new AppFailure('no-model', pte
      ? `No model loaded: ${NO_ENGINE}, so ${pte} cannot be loaded.`
      : 'No model loaded. Choose a model file in Settings.');
  }
}

export class UnavailableModelService implements ModelService {
  async listBackends(): Promise<BackendInfo[]> {
    return [
      { id: 'cpu', available: false, name: 'CPU', reason: `Unavailable: ${NO_ENGINE}.`, devices: [] },
      { id: 'cuda', available: false, name: 'NVIDIA CUDA', reason: `Unavailable: ${NO_ENGINE}.`, devices: [] },
    ];
  }

  async inspect(paths: ModelPaths): Promise<ModelSummary> {
    for (const file of [paths.pte, paths.ptd]) {
      if (file === null) continue;
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new AppFailure('not-found', `Model file not found: ${file}`);
    }
    throw new AppFailure('unavailable', `Cannot inspect the model: ${NO_ENGINE}.`);
  }
}

export class UnavailableFileChooser implements FileChooser {
  async choose(): Promise<string | null> {
    throw new AppFailure('unavailable', 'There is no file dialog here; type the path instead.');
  }
}
