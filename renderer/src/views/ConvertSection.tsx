import type { ConversionStatus, DownloadStatus, QuantOption } from '../../../electron/common/ipc-contract';
import { formatSizeOf } from '../../../electron/common/byte-size';
import { Field } from '../components/fields';
import { useAppState } from '../stores/store-context';

const QUANT_LABELS: Record<QuantOption, string> = {
  '4w': '4-bit: about 2.7 GB, the fastest',
  '8w': '8-bit: closer to the original',
  none: 'Full (bf16): about 8.9 GB, as in the checkpoint',
};

/** "37% · Writing layers.3.attention.wq.weight" while running, else what happened. */
function describeConversion(status: ConversionStatus): string {
  if (status.state === 'running') return status.fraction === null ? status.detail : `${Math.floor(status.fraction * 100)}% · ${status.detail}`;
  if (status.state === 'done') return `${status.detail} Now in use: ${status.model?.pte ?? ''}`;
  if (status.state === 'failed') return `${status.error?.message ?? 'The model could not be made.'} ${status.detail}`;
  return status.detail;
}

/** "1.2 of 8.9 GB · Downloading consolidated.safetensors" while running, else what happened. */
function describeDownload(status: DownloadStatus): string {
  if (status.state === 'failed') return status.error?.message ?? 'The download stopped.';
  if (status.state !== 'running' || status.totalBytes === null) return status.detail;
  return `${formatSizeOf(status.receivedBytes, status.totalBytes)} · ${status.detail}`;
}

/** Fetches Mistral's checkpoint from Hugging Face (resumable), to make the model from. */
function DownloadRow() {
  const status = useAppState((s) => s.download);
  const start = useAppState((s) => s.downloadCheckpoint);
  const cancel = useAppState((s) => s.cancelDownload);
  const running = status?.state === 'running';
  const fraction = status?.totalBytes ? status.receivedBytes / status.totalBytes : undefined;
  return (
    <div className="row">
      {running
        ? <button type="button" className="button secondary" onClick={() => void cancel()}>Stop download</button>
        : <button type="button" className="button secondary" onClick={() => void start()}>Download the checkpoint…</button>}
      {running && <progress className="progress" max={1} value={fraction} aria-label="Downloading the checkpoint" />}
      {status && (
        <span className={status.state === 'failed' ? 'error inline' : status.state === 'done' ? 'ok inline' : 'inline'}
          role={status.state === 'failed' ? 'alert' : 'status'}>
          {describeDownload(status)}
        </span>
      )}
    </div>
  );
}

/** A folder chosen only with the system dialog (main opens only what was picked there). */
function FolderField({ label, hint, path, browseLabel, disabled, onBrowse }: {
  label: string;
  hint?: string;
  path: string | null;
  browseLabel: string;
  disabled: boolean;
  onBrowse(): void;
}) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <div className="path-input">
          <input id={id} readOnly value={path ?? ''} placeholder="Not chosen" />
          <button type="button" className="button secondary" aria-label={browseLabel} disabled={disabled} onClick={onBrowse}>Browse…</button>
        </div>
      )}
    </Field>
  );
}

/** Settings' "Make a model": a Mistral checkpoint folder → model.pte + model.ptd, used at once. */
export function ConvertSection() {
  const folders = useAppState((s) => s.conversionFolders);
  const quant = useAppState((s) => s.conversionQuant);
  const status = useAppState((s) => s.conversion);
  const error = useAppState((s) => s.conversionError);
  const choose = useAppState((s) => s.chooseConversionFolder);
  const setQuant = useAppState((s) => s.setConversionQuant);
  const start = useAppState((s) => s.startConversion);
  const cancel = useAppState((s) => s.cancelConversion);
  const running = status?.state === 'running';

  return (
    <div className="card">
      <h3>Make a model</h3>
      <p className="field-hint">
        From Mistral&apos;s Voxtral Mini 4B Realtime checkpoint folder (params.json, consolidated.safetensors,
        tekken.json), as <code>npx voxtral pack</code> does. The app uses the new model as soon as it is made.
        No checkpoint yet? Download it from Hugging Face (about 8.9 GB; a stopped download resumes).
      </p>
      <DownloadRow />
      <FolderField label="Checkpoint folder" path={folders.checkpoint} browseLabel="Browse for the checkpoint folder" disabled={running} onBrowse={() => void choose('checkpoint')} />
      <FolderField label="Save the model in" hint="An empty folder: a folder that already holds a model is not overwritten."
        path={folders.out} browseLabel="Browse for the folder of the new model" disabled={running} onBrowse={() => void choose('out')} />
      <Field label="Weights">
        {(id) => (
          <select id={id} value={quant} disabled={running} onChange={(e) => setQuant(e.target.value as QuantOption)}>
            {(Object.keys(QUANT_LABELS) as QuantOption[]).map((q) => <option key={q} value={q}>{QUANT_LABELS[q]}</option>)}
          </select>
        )}
      </Field>
      <div className="row">
        {running
          ? <button type="button" className="button secondary" onClick={() => void cancel()}>Cancel</button>
          : <button type="button" className="button" disabled={!folders.checkpoint || !folders.out} onClick={() => void start()}>Make model</button>}
        {running && <progress className="progress" max={1} value={status.fraction ?? undefined} aria-label="Making the model" />}
        {status && (
          <span className={status.state === 'failed' ? 'error inline' : status.state === 'done' ? 'ok inline' : 'inline'}
            role={status.state === 'failed' ? 'alert' : 'status'}>
            {describeConversion(status)}
          </span>
        )}
        {error && <span className="error inline" role="alert">{error}</span>}
      </div>
    </div>
  );
}
