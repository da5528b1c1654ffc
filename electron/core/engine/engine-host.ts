// Owns the loaded speech model: loads it once, keeps it warm between dictations, reloads when the
// model files, backend, GPU, precision or thread count change, and releases it on quit. Loads are
// serial; a caller asking for the config already loaded (or being loaded) shares that load.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, loadModel as nativeLoadModel } from '../../../native-models/js/engine';
import { ModelFormatError } from '../../../native-models/js/format/errors';
import { loadTekken, type Tekken } from '../../../native-models/js/tokenizer/tekken';
import { AppFailure } from '../app/app-failure';
import type { EngineApi, EngineConfig, LoadedEngine, LoadProgress } from './types';

const TOKENIZER_FILE = 'tekken.json';
/** tekken.json of the real model is ~15 MB; refuse anything absurd before parsing it. */
const MAX_TOKENIZER_BYTES = 64 * 1024 * 1024;

export function sameEngineConfig(a: EngineConfig, b: EngineConfig): boolean {
  return a.pte === b.pte && a.ptd === b.ptd && a.backend === b.backend && a.dtype === b.dtype && a.threads === b.threads && a.gpu === b.gpu;
}

export class EngineHost {
  private current: { config: EngineConfig; loading: Promise<LoadedEngine>; settled: boolean; listeners: Set<LoadProgress> } | null = null;
  private disposed = false;

  constructor(private readonly engine: EngineApi = { loadModel: nativeLoadModel }) {}

  /** The model for `config`, loading it (and dropping any other) if needed. Throws AppFailure. */
  acquire(config: EngineConfig, onProgress?: LoadProgress): Promise<LoadedEngine> {
    if (this.disposed) return Promise.reject(new AppFailure('unavailable', 'The app is closing.'));
    if (this.current && sameEngineConfig(this.current.config, config)) {
      if (onProgress && !this.current.settled) this.current.listeners.add(onProgress);
      return this.current.loading;
    }
    const listeners = new Set<LoadProgress>(onProgress ? [onProgress] : []);
    const previous = this.current?.loading;
    const loading = (async () => {
      // Free the old model first: two 4B models at once may not fit in memory.
      await previous?.then((old) => old.model.dispose(), () => undefined);
      return this.load(config, listeners);
    })();
    const entry = { config, loading, settled: false, listeners };
    this.current = entry;
    // A failed load is forgotten, so the next acquire tries again (the user may have fixed the file).
    loading.then(
      () => { entry.settled = true; },
      () => { entry.settled = true; if (this.current === entry) this.current = null; },
    );
    return loading;
  }

  /** The loaded model if it matches `config` and has finished loading, else null. */
  async peek(config: EngineConfig): Promise<LoadedEngine | null> {
    if (!this.current || !sameEngineConfig(this.current.config, config)) return null;
    return this.current.loading.catch(() => null);
  }

  /**
   * Frees the loaded model, if one has finished loading (a load under way is left alone); the next
   * acquire loads it again. The caller makes sure no session of it is open. Resolves to whether
   * one was freed.
   */
  async release(): Promise<boolean> {
    const entry = this.current;
    if (!entry || !entry.settled) return false;
    this.current = null;
    const loaded = await entry.loading.catch(() => null);
    loaded?.model.dispose();
    return loaded !== null;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const loading = this.current?.loading;
    this.current = null;
    const loaded = await loading?.catch(() => null);
    loaded?.model.dispose();
  }

  private async load(config: EngineConfig, listeners: Set<LoadProgress>): Promise<LoadedEngine> {
    const tokenizer = await readTokenizer(config.pte);
    try {
      const model = await this.engine.loadModel({
        pte: config.pte,
        ...(config.ptd ? { ptd: config.ptd } : {}),
        backend: config.backend,
        dtype: config.dtype,
        ...(config.gpu !== null ? { gpu: config.gpu } : {}),
        ...(config.threads > 0 ? { threads: config.threads } : {}),
        onProgress: (fraction) => { for (const listener of listeners) listener(fraction); },
      });
      if (this.disposed) {
        model.dispose();
        throw new AppFailure('unavailable', 'The app is closing.');
      }
      return { config, model, tokenizer };
    } catch (err) {
      throw engineLoadFailure(err, config);
    }
  }
}

/** The Tekken tokenizer beside the model (`tekken.json`, as `voxtral pack` writes it). */
async function readTokenizer(pte: string): Promise<Tekken> {
  const file = path.join(path.dirname(pte), TOKENIZER_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppFailure('model-invalid', `The tokenizer ${TOKENIZER_FILE} is missing: it must sit beside ${path.basename(pte)} (in ${path.dirname(pte)}).`);
    throw new AppFailure('io', `Could not read ${file}: ${(err as Error).message}`);
  }
  if (bytes.length > MAX_TOKENIZER_BYTES) throw new AppFailure('model-invalid', `${file} is too large to be a tokenizer.`);
  try {
    return loadTekken(JSON.parse(bytes.toString('utf8')));
  } catch (err) {
    const why = err instanceof ModelFormatError || err instanceof SyntaxError ? err.message : String(err);
    throw new AppFailure('model-invalid', `${file} is not a Tekken tokenizer: ${why}`);
  }
}

/** Engine load errors in words the user can act on, with a code the renderer can branch on. */
export function engineLoadFailure(err: unknown, config: EngineConfig): AppFailure {
  if (err instanceof AppFailure) return err;
  if (!(err instanceof EngineError)) return new AppFailure('engine', `The model could not be loaded: ${(err as Error)?.message ?? err}`);
  const name = path.basename(config.pte);
  const notHere = `The ${config.backend.toUpperCase()} engine is not available here: ${err.message}`;
  switch (err.code) {
    case 'IO': return new AppFailure('not-found', `The model ${name} could not be read: ${err.message}`);
    case 'FORMAT': return new AppFailure('model-invalid', `${name} is not a usable Voxtral model: ${err.message}`);
    case 'BACKEND_UNAVAILABLE':
      // An explicit GPU is never swapped for another, so say where to change it.
      return new AppFailure('unavailable', config.gpu !== null
        ? `Cannot load the model on the GPU chosen in Settings: ${err.message}. Choose another GPU, or "First usable GPU", in Settings.`
        : notHere);
    case 'ADDON_MISSING': return new AppFailure('unavailable', notHere);
    case 'OUT_OF_MEMORY': return new AppFailure('engine', `Not enough memory for ${name} (${config.dtype}): ${err.message}`);
    default: return new AppFailure('engine', `The engine could not load ${name}: ${err.message}`);
  }
}
