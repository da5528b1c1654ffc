import { useAppState } from '../stores/store-context';

export function Notices() {
  const notices = useAppState((s) => s.notices);
  const dismiss = useAppState((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.kind}`}>
          <span>
            {notice.message}
            {/* https only (the contract checks); main opens it in the browser. */}
            {notice.link && <>{' '}<a href={notice.link.url} target="_blank" rel="noreferrer">{notice.link.label}</a></>}
          </span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>Dismiss</button>
        </div>
      ))}
    </div>
  );
}
