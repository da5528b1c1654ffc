// Settings' backend choice → the backend a model loads on. 'auto' is CUDA where the engine finds a
// usable GPU, else the CPU: the full model runs live on a GPU and several times slower than real
// time on most CPUs, so a user who never opens Settings must not be left on the CPU.

import { listBackends } from '../../../native-models/js/engine';
import type { BackendChoice, BackendId } from '../../common/ipc-contract';

/** Whether each backend can run here (the engine addon's listBackends). */
export type BackendProbe = () => readonly { id: string; available: boolean }[];

export type BackendResolver = (choice: BackendChoice) => BackendId;

/**
 * Resolves choices with `probe`, asked once (on the first 'auto'): GPUs do not come and go while
 * the app runs, and an explicit choice that stopped working still says why when it loads. A probe
 * that throws (no addon) resolves 'auto' to the CPU, whose load then says what is missing.
 */
export function backendResolver(probe: BackendProbe = listBackends): BackendResolver {
  let auto: BackendId | undefined;
  return (choice) => {
    if (choice !== 'auto') return choice;
    if (auto === undefined) {
      try {
        auto = probe().some((b) => b.id === 'cuda' && b.available) ? 'cuda' : 'cpu';
      } catch {
        auto = 'cpu';
      }
    }
    return auto;
  };
}

/** The app's one resolver (the dictation controller and the history it writes agree). */
export const resolveBackend: BackendResolver = backendResolver();
