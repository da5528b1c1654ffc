// Where the bundled Silero model lives: `resources/app.asar.unpacked/native-models/vad/` in a packaged
// app (electron-builder unpacks *.onnx, because onnxruntime's native code cannot read inside an asar),
// `native-models/vad/` in a checkout (see electron/core/app/bundled-file.ts).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundledFileCandidates, defaultBundledSearch, type BundledSearch } from '../app/bundled-file';

export const SILERO_MODEL_FILE = 'silero_vad_v6.onnx';

export type ModelSearch = BundledSearch;

/** The candidate paths, in the order they are tried. */
export function sileroModelCandidates(search: ModelSearch = defaultBundledSearch()): string[] {
  const legacy = search.resourcesPath ? [path.join(search.resourcesPath, 'vad', SILERO_MODEL_FILE)] : [];
  return bundledFileCandidates(path.join('native-models', 'vad', SILERO_MODEL_FILE), search, legacy);
}

/** The first candidate that exists, or null (the caller reports hands-free as unavailable). */
export function findSileroModel(search?: ModelSearch): string | null {
  return sileroModelCandidates(search).find((p) => existsSync(p)) ?? null;
}
