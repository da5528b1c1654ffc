import type { DesktopStatus } from '../../../electron/common/ipc-contract';

/** Whether the global shortcut works here, and if not fully, why. */
export function HotkeyStatusLine({ status }: { status: DesktopStatus['hotkey'] }) {
  if (!status) return null;
  return (
    <div data-testid="hotkey-status">
      {status.works && status.holdToTalk && !status.message
        ? <p className="status-ok">{status.accelerator} works everywhere: hold to talk or tap to toggle.</p>
        : <p className="warning">{status.message ?? `${status.accelerator} is not bound.`}</p>}
      {status.conflicts.length > 0 && (
        <ul className="conflicts">
          {status.conflicts.map((conflict) => <li key={conflict}>{conflict}</li>)}
        </ul>
      )}
    </div>
  );
}
