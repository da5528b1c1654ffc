// ModelService backed by the model tooling in native-models/js: the .pte/.ptd inspector (reads
// the program and the weight index, never the weights) and the engine addon's backend list.

import { stat } from 'node:fs/promises';
import { listBackends } from '../../../native-models/js/engine';
import { ModelFormatError } from '../../../native-models/js/format/errors';
import { inspectFiles } from '../../../native-models/js/inspect/inspect';
import { BACKENDS, WEIGHT_DTYPES, type BackendInfo, type ModelPaths, type ModelSummary, type WeightDtype } from '../../common/ipc-contract';
import { AppFailure } from './app-failure';
import type { ModelService } from './services';

/** The inspector reads the whole .pte; one with weights inside can be huge, so bound it. */
const MAX_INSPECTED_PTE_BYTES = 512 * 1024 * 1024;
const BACKEND_NAMES: Record<BackendInfo['id'], string> = { cpu: 'CPU', cuda: 'NVIDIA CUDA' };

export class NativeModelService implements ModelService {
  async listBackends(): Promise<BackendInfo[]> {
    try {
      return listBackends()
        .filter((b) => (BACKENDS as readonly string[]).includes(b.id))
        .map((b) => ({
          id: b.id,
          available: b.available,
          name: b.name,
          ...(b.reason ? { reason: b.reason } : {}),
          devices: (b.devices ?? []).map((d) => ({
            id: d.id,
            index: d.index,
            name: d.name,
            memoryBytes: d.memoryBytes,
            compute: d.compute,
            usable: d.usable,
            ...(d.reason ? { reason: d.reason } : {}),
          })),
        }));
    } catch (err) {
      // No addon (not built, or built for another machine): say so on every backend.
      const reason = `Unavailable: ${(err as Error)?.message ?? err}`;
      return BACKENDS.map((id) => ({ id, available: false, name: BACKEND_NAMES[id], reason, devices: [] }));
    }
  }

  async inspect(paths: ModelPaths): Promise<ModelSummary> {
    const pteSize = await fileSize(paths.pte);
    const ptdSize = paths.ptd === null ? 0 : await fileSize(paths.ptd);
    if (pteSize > MAX_INSPECTED_PTE_BYTES) {
      throw new AppFailure('model-invalid', `${paths.pte} is ${(pteSize / 2 ** 30).toFixed(1)} GiB; a Voxtral Dictate .pte keeps its weights in the .ptd.`);
    }
    let report: ReturnType<typeof inspectFiles>;
    try {
      report = inspectFiles(paths.pte, paths.ptd ?? undefined);
    } catch (err) {
      if (err instanceof ModelFormatError) throw new AppFailure('model-invalid', `Not a readable model: ${err.message}`);
      throw new AppFailure('io', `Could not read the model: ${(err as Error)?.message ?? err}`);
    }
    const config: Record<string, number | string | boolean> = {};
    for (const method of report.methods) {
      const value = method.constant;
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') config[method.name] = value;
    }
    const dtype = config.weight_dtype;
    // The inspector may have found a model.ptd next to the .pte on its own.
    const ptdBytes = paths.ptd === null && report.ptd ? await fileSize(report.ptd) : ptdSize;
    return {
      pte: report.pte,
      ptd: report.ptd,
      sizeBytes: pteSize + ptdBytes,
      methods: report.methods.filter((m) => m.constant === null).map((m) => m.name),
      config,
      weightDtype: (WEIGHT_DTYPES as readonly unknown[]).includes(dtype) ? (dtype as WeightDtype) : null,
      quant: typeof config.quant === 'string' ? config.quant : null,
      runnable: report.runnable,
      reason: report.runnable ? null : report.reason,
    };
  }
}

async function fileSize(file: string): Promise<number> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new AppFailure('not-found', `Model file not found: ${file}`);
  return info.size;
}
