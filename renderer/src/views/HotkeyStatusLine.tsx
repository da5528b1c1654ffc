import type { DesktopStatus } from '../../../electron/common/ipc-contract';

/** Whether the global shortcut works here, and if not fully, why (the keys named as this platform labels them). */
export function HotkeyStatusLine({ status }: { status: DesktopStatus['hotkey'] }) {
  if (!status) return null;
  return (
    <div data-testid="hotkey-status">
      {status.works && status.holdToTalk && !status.message
        ? <p className="status-ok">{status.label} works everywhere: hold to talk or tap to toggle.</p>
        : <p className="warning">{status.message ?? `${status.label} is not bound.`}</p>}
      {status.conflicts.length > 0 && (
        <ul className="conflicts">
          {status.conflicts.map((conflict) => <li key={conflict}>{conflict}</li>)}
        </ul>
      )}
    </div>
  );
}

/** Whether the paste-last shortcut works (nothing when none is set). */
export function PasteLastStatusLine({ status }: { status: NonNullable<DesktopStatus['hotkey']>['pasteLast'] }) {
  if (!status) return null;
  return (
    <div data-testid="paste-last-status">
      {status.works
        ? <p className="status-ok">{status.label} pastes your last dictation into the focused app.</p>
        : <p className="warning">{status.message ?? `${status.label} is not bound.`}</p>}
      {status.works && status.message && <ul className="conflicts"><li>{status.message}</li></ul>}
    </div>
  );
}
