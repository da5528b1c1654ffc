// Which NVIDIA GPU runs the model (Settings → Model, shown on CUDA). Settings keep the GPU's id,
// which survives reboots and reordering; a chosen GPU that is gone stays chosen and is shown as
// missing, because the engine refuses it rather than quietly using another.

import { formatGpuMemory } from '../../../electron/common/byte-size';
import type { BackendInfo, GpuInfo, Settings } from '../../../electron/common/ipc-contract';
import { Field } from '../components/fields';

const FIRST_USABLE = '';

/** The chosen GPU (ids compare in any letter case, as the engine's do), if it is here. */
function findGpu(devices: readonly GpuInfo[], id: string): GpuInfo | undefined {
  return devices.find((d) => d.id.toLowerCase() === id.toLowerCase());
}

/** The GPU the engine would load on: the chosen one if it is here, else (none chosen) the first usable. */
export function targetGpu(devices: readonly GpuInfo[], chosenId: string | null): GpuInfo | undefined {
  return chosenId === null ? devices.find((d) => d.usable) : findGpu(devices, chosenId);
}

/** "NVIDIA GeForce RTX 4090 · 24 GB" */
export function describeGpu(gpu: GpuInfo): string {
  const label = `${gpu.name} · ${formatGpuMemory(gpu.memoryBytes)}`;
  return gpu.usable ? label : `${label} (cannot run the model)`;
}

export function GpuField({ cuda, onCuda, engine, onChange }: {
  cuda: BackendInfo | undefined;
  /** The model runs on CUDA with these settings (chosen, or 'auto' with a usable GPU). */
  onCuda: boolean;
  engine: Settings['engine'];
  onChange(patch: Partial<Settings['engine']>): void;
}) {
  const devices = cuda?.devices ?? [];
  if (!onCuda || (devices.length === 0 && engine.gpu === null)) return null;
  const chosen = engine.gpu === null ? undefined : findGpu(devices, engine.gpu);
  const missing = engine.gpu !== null && !chosen;
  const first = targetGpu(devices, null);
  const hint = missing
    ? 'This GPU is not on this computer now, so the model cannot load on CUDA: plug it back in, or choose another GPU.'
    : chosen && !chosen.usable
      ? chosen.reason
      : devices.length > 1 ? 'Kept by the card’s own ID, so the choice holds across restarts and a change in card order.' : undefined;
  return (
    <Field label="GPU" hint={hint}>
      {(id) => (
        <select id={id} value={engine.gpu ?? FIRST_USABLE} onChange={(e) => onChange({ gpu: e.target.value === FIRST_USABLE ? null : e.target.value })}>
          <option value={FIRST_USABLE}>{first ? `First usable GPU (${first.name})` : 'First usable GPU (none found)'}</option>
          {devices.map((d) => (
            <option key={d.id} value={d.id} disabled={!d.usable && d.id !== engine.gpu}>{describeGpu(d)}</option>
          ))}
          {missing && <option value={engine.gpu!}>{`Not connected (${engine.gpu!.slice(0, 12)}…)`}</option>}
        </select>
      )}
    </Field>
  );
}
