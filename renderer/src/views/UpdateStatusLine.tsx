import { useAppState } from '../stores/store-context';

/** Whether a newer version is out (Settings → General), with "Check now". */
export function UpdateStatusLine() {
  const update = useAppState((s) => s.update);
  const enabled = useAppState((s) => s.settings?.checkForUpdates ?? false);
  const check = useAppState((s) => s.checkForUpdates);
  if (!update || !enabled) return null;
  if (update.state === 'off') return <p className="hint update-status" data-testid="update-status">{update.message}</p>;
  const checked = update.checkedAt !== null ? ` (checked ${new Date(update.checkedAt).toLocaleString()})` : '';
  return (
    <div className="update-status" data-testid="update-status">
      {update.state === 'available' && update.latest && (
        <p className="status-ok">
          Version {update.latest.version} is out; this is {update.current}.{' '}
          <a href={update.latest.url} target="_blank" rel="noreferrer">See what is new and download it</a>
        </p>
      )}
      {update.state === 'current' && <p className="hint">Version {update.current} is the newest{checked}.</p>}
      {update.state === 'failed' && <p className="warning">{update.message}{checked}</p>}
      {(update.state === 'idle' || update.state === 'checking') && <p className="hint">Version {update.current}.</p>}
      <button type="button" className="button secondary" disabled={update.state === 'checking'} onClick={() => void check()}>
        {update.state === 'checking' ? 'Checking…' : 'Check now'}
      </button>
    </div>
  );
}
