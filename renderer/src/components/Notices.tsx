import { useAppState } from '../stores/store-context';

export function Notices() {
  const notices = useAppState((s) => s.notices);
  const dismiss = useAppState((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.kind}`}>
          <span>{notice.message}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>Dismiss</button>
        </div>
      ))}
    </div>
  );
}
