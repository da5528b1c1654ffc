import { useEffect, useState } from 'react';
import { recordingUrl, type HistoryEntry } from '../../../electron/common/ipc-contract';
import { lessonsFromEdit, type EditLessons } from '../../../electron/common/vocabulary';
import { CopyButton } from '../components/CopyButton';
import { useAppState } from '../stores/store-context';
import { formatDateTime, formatDuration } from './format';
import { HistoryEntryText } from './HistoryEntryText';
import { LearnedWordsPrompt, withoutLesson } from './LearnedWordsPrompt';

export function HistoryView() {
  const entries = useAppState((s) => s.historyEntries);
  const total = useAppState((s) => s.historyTotal);
  const query = useAppState((s) => s.historyQuery);
  const error = useAppState((s) => s.historyError);
  const setQuery = useAppState((s) => s.setHistoryQuery);
  const remove = useAppState((s) => s.deleteHistoryEntry);
  const clear = useAppState((s) => s.clearHistory);
  const exportHistory = useAppState((s) => s.exportHistory);
  const saveSubtitles = useAppState((s) => s.saveSubtitles);
  const edit = useAppState((s) => s.editHistoryEntry);
  const [editing, setEditing] = useState<string | null>(null);
  // What the last correction taught (History → Edit), offered under that entry.
  const [learned, setLearned] = useState<{ id: string; lessons: EditLessons } | null>(null);
  const replacements = useAppState((s) => s.settings?.replacements);
  const saveEdit = async (entry: HistoryEntry, text: string) => {
    const ok = await edit(entry.id, text);
    if (ok) {
      const lessons = lessonsFromEdit(entry.text, text, replacements ?? { rules: [] });
      setLearned(lessons.words.length + lessons.replacements.length > 0 ? { id: entry.id, lessons } : null);
    }
    return ok;
  };
  const retranscribe = useAppState((s) => s.retranscribeHistoryEntry);
  // One job at a time, and not while dictating: the engine is busy.
  const busy = useAppState((s) => s.fileJob !== null || (s.status.state !== 'idle' && s.status.state !== 'error'));
  const [draft, setDraft] = useState(query);
  const [confirmClear, setConfirmClear] = useState(false);

  useEffect(() => {
    if (draft === query) return;
    const timer = setTimeout(() => void setQuery(draft), 200);
    return () => clearTimeout(timer);
  }, [draft, query, setQuery]);

  return (
    <section className="view history" aria-labelledby="history-title">
      <div className="view-header">
        <h2 id="history-title">History</h2>
        <input
          type="search"
          className="search"
          placeholder="Search transcripts"
          aria-label="Search transcripts"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="button" className="button secondary" disabled={total === 0} onClick={() => void exportHistory()}
          title={query ? 'Save the transcripts that match the search to a file' : 'Save every transcript to a file (Markdown, text or JSON)'}>
          Export…
        </button>
        {confirmClear ? (
          <span className="confirm">
            Delete all {total} entries?
            <button type="button" className="button danger" onClick={() => { setConfirmClear(false); void clear(); }}>Delete all</button>
            <button type="button" className="button secondary" onClick={() => setConfirmClear(false)}>Keep</button>
          </span>
        ) : (
          <button type="button" className="button secondary" disabled={total === 0 || query !== ''} onClick={() => setConfirmClear(true)}>Clear all</button>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {entries.length === 0 ? (
        <p className="empty">{query ? `Nothing matches “${query}”.` : 'No transcripts yet. What you dictate is kept here.'}</p>
      ) : (
        <ul className="history-list">
          {entries.map((entry) => (
            <li key={entry.id} className="history-entry" data-testid="history-entry" data-entry-id={entry.id}>
              <div className="history-meta">
                <time dateTime={new Date(entry.createdAt).toISOString()}>{formatDateTime(entry.createdAt)}</time>
                <span>{formatDuration(entry.durationMs)}</span>
                {entry.source === 'file' && <span className="tag">file</span>}
                {entry.status !== 'done' && <span className="tag warn">{entry.status === 'recording' ? 'recording' : 'interrupted'}</span>}
              </div>
              <HistoryEntryText key={`${entry.id}:${editing === entry.id}`} entry={entry} editing={editing === entry.id}
                onDone={() => setEditing(null)} save={(text) => saveEdit(entry, text)} />
              {learned?.id === entry.id && editing !== entry.id && (
                <LearnedWordsPrompt lessons={learned.lessons} onDismiss={() => setLearned(null)} onTaken={(taken) => setLearned((prev) => {
                  // From the latest state: two lessons taken in quick succession both go.
                  const lessons = prev && withoutLesson(prev.lessons, taken);
                  return prev && lessons ? { id: prev.id, lessons } : null;
                })} />
              )}
              {entry.audio && (
                // preload="none": nothing is read until the user plays it.
                <audio className="history-audio" controls preload="none" src={recordingUrl(entry.id)} aria-label={`Recording of ${formatDateTime(entry.createdAt)}`} />
              )}
              <div className="history-actions">
                <CopyButton text={entry.text} />
                {editing !== entry.id && entry.status !== 'recording' && (
                  <button type="button" className="button secondary" onClick={() => setEditing(entry.id)}>Edit</button>
                )}
                {entry.subtitles && (
                  <button type="button" className="button secondary" onClick={() => void saveSubtitles(entry.id)}>Save subtitles…</button>
                )}
                {entry.audio && (
                  <button type="button" className="button secondary" disabled={busy || entry.status === 'recording'} onClick={() => void retranscribe(entry)}>
                    Transcribe again
                  </button>
                )}
                <button type="button" className="button secondary" onClick={() => void remove(entry.id)}>Delete</button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {total > entries.length && <p className="hint">Showing {entries.length} of {total}. Search to narrow down.</p>}
    </section>
  );
}
