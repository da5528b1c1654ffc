import type { BackendChoice, GpuInfo, ModelSummary, Settings, WeightDtype } from '../../../electron/common/ipc-contract';
import { formatGpuMemory, formatSize } from '../../../electron/common/byte-size';
import { DraftInput, Field } from '../components/fields';
import { useAppState } from '../stores/store-context';
import { GpuField, targetGpu } from './GpuField';

/** Minutes offered for "Free its memory when unused" (0 = never); another stored value is offered too. */
const UNLOAD_CHOICES = [0, 5, 15, 60];

/**
 * GPU memory a model needs beyond its files: one session's caches and work buffers, the CUDA
 * context and kernels' scratch (the full 4B: 4.18 GB on the GPU for a 2.7 GB 4-bit pair, 10.42 GB
 * for 8.9 GB of bf16 weights; docs/benchmarks.md).
 */
export const GPU_OVERHEAD_BYTES = 1.6e9;

/** "Needs about 10.5 GB of GPU memory; NVIDIA GeForce RTX 3080 has 10 GB…", or null when it fits. */
export function gpuFitWarning(summary: ModelSummary, gpu: GpuInfo | undefined): string | null {
  if (!gpu) return null;
  const need = summary.sizeBytes + GPU_OVERHEAD_BYTES;
  if (need <= gpu.memoryBytes) return null;
  return `Needs about ${formatSize(need)} of GPU memory; ${gpu.name} has ${formatGpuMemory(gpu.memoryBytes)}: choose 4-bit weights when making the model, or run on the CPU.`;
}

/** "Ready: bf16, 8-bit weights, 2.6 GB" */
export function describeModel(summary: ModelSummary): string {
  const parts = [summary.weightDtype ?? 'unknown precision'];
  if (summary.quant === '8w' || summary.quant === '4w') parts.push(`${summary.quant[0]}-bit weights`);
  parts.push(formatSize(summary.sizeBytes));
  return `Ready: ${parts.join(', ')}`;
}

export function ModelSection({ settings, onChange, onEngineChange }: {
  settings: Settings;
  onChange(patch: Partial<Settings['model']>): void;
  onEngineChange(patch: Partial<Settings['engine']>): void;
}) {
  const backends = useAppState((s) => s.backends);
  const summary = useAppState((s) => s.modelSummary);
  const modelError = useAppState((s) => s.modelError);
  const inspecting = useAppState((s) => s.inspectingModel);
  const inspect = useAppState((s) => s.inspectModel);
  const choose = useAppState((s) => s.chooseModelFile);
  const toPath = (value: string) => value.trim() || null;
  const cuda = backends.find((b) => b.id === 'cuda');
  // 'auto' runs on CUDA where it is available (electron/core/engine/backend-choice.ts).
  const onCuda = settings.engine.backend === 'cuda' || (settings.engine.backend === 'auto' && cuda?.available === true);
  // The GPU it would load on: the chosen one, else the first usable (as the engine picks).
  const gpu = onCuda ? targetGpu(cuda?.devices ?? [], settings.engine.gpu) : undefined;
  const fitWarning = summary ? gpuFitWarning(summary, gpu) : null;

  return (
    <div className="card">
      <h3>Model</h3>
      <Field label="Model program (.pte)">
        {(id) => (
          <div className="path-input">
            <DraftInput id={id} value={settings.model.pte ?? ''} placeholder="/path/to/model.pte" onCommit={(v) => onChange({ pte: toPath(v) })} />
            <button type="button" className="button secondary" aria-label="Browse for the model program" onClick={() => void choose('pte')}>Browse…</button>
          </div>
        )}
      </Field>
      <Field label="Model weights (.ptd)" hint="Leave empty when the weights are inside the .pte.">
        {(id) => (
          <div className="path-input">
            <DraftInput id={id} value={settings.model.ptd ?? ''} placeholder="/path/to/model.ptd" onCommit={(v) => onChange({ ptd: toPath(v) })} />
            <button type="button" className="button secondary" aria-label="Browse for the model weights" onClick={() => void choose('ptd')}>Browse…</button>
          </div>
        )}
      </Field>
      <div className="row">
        <button type="button" className="button secondary" disabled={inspecting || !settings.model.pte} onClick={() => void inspect()}>
          {inspecting ? 'Checking…' : 'Check model'}
        </button>
        {modelError && <span className="error inline" role="alert">{modelError.message}</span>}
        {summary && (
          <span className={summary.runnable ? 'ok inline' : 'error inline'}>
            {summary.runnable ? describeModel(summary) : summary.reason}
          </span>
        )}
        {summary?.runnable && fitWarning && <span className="warning inline" data-testid="gpu-fit">{fitWarning}</span>}
      </div>
      <div className="row">
        <Field label="Run on">
          {(id) => (
            <select id={id} value={settings.engine.backend} onChange={(e) => onEngineChange({ backend: e.target.value as BackendChoice })}>
              <option value="auto">{cuda?.available ? 'Automatic (the GPU, NVIDIA CUDA)' : 'Automatic (the CPU: no usable GPU)'}</option>
              {(backends.length ? backends : [{ id: 'cpu', name: 'CPU', available: true }, { id: 'cuda', name: 'NVIDIA CUDA', available: true }] as const).map((b) => (
                <option key={b.id} value={b.id}>{b.available ? b.name : `${b.name} (unavailable)`}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Precision">
          {(id) => (
            <select id={id} value={settings.engine.dtype} onChange={(e) => onEngineChange({ dtype: e.target.value as WeightDtype })}>
              <option value="fp32">fp32</option>
              <option value="bf16">bf16</option>
            </select>
          )}
        </Field>
        <Field label="CPU threads" hint="0 = automatic">
          {(id) => <DraftInput id={id} type="number" value={String(settings.engine.threads)} onCommit={(v) => onEngineChange({ threads: Number(v) })} />}
        </Field>
      </div>
      <GpuField cuda={cuda} onCuda={onCuda} engine={settings.engine} onChange={onEngineChange} />
      <Field
        label="Free its memory when unused"
        hint={settings.engine.unloadAfterMinutes === 0
          ? 'Kept loaded, so every dictation starts at once.'
          : 'The next dictation loads it again first (a moment on a GPU, longer on the CPU); what you say meanwhile is kept.'}
      >
        {(id) => (
          <select id={id} value={settings.engine.unloadAfterMinutes} onChange={(e) => onEngineChange({ unloadAfterMinutes: Number(e.target.value) })}>
            {[...new Set([...UNLOAD_CHOICES, settings.engine.unloadAfterMinutes])].sort((a, b) => a - b).map((m) => (
              <option key={m} value={m}>{m === 0 ? 'Never (keep it loaded)' : `After ${m === 60 ? '1 hour' : `${m} minutes`} unused`}</option>
            ))}
          </select>
        )}
      </Field>
      {backends.find((b) => b.id === settings.engine.backend && !b.available)?.reason && (
        <p className="field-hint">{backends.find((b) => b.id === settings.engine.backend)?.reason}</p>
      )}
    </div>
  );
}
