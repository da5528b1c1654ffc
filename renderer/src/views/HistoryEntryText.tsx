// An entry's text in History, and its editor: the user corrects a word the model got wrong, then
// copies or exports the corrected text. Ctrl/Cmd+Enter saves, Escape leaves it as it was.

import { useState } from 'react';
import type { HistoryEntry } from '../../../electron/common/ipc-contract';

export function HistoryEntryText({ entry, editing, onDone, save }: {
  entry: HistoryEntry;
  editing: boolean;
  onDone(): void;
  save(text: string): Promise<boolean>;
}) {
  const [draft, setDraft] = useState(entry.text);
  if (!editing) {
    return (
      <p className="history-text">
        {entry.text || <span className="placeholder">{entry.audio ? '(no words: the recording is kept, transcribe it again)' : '(no words)'}</span>}
      </p>
    );
  }
  const commit = async () => {
    if (draft === entry.text || (await save(draft))) onDone();
  };
  return (
    <div className="history-edit">
      <textarea
        aria-label="Transcript text"
        value={draft}
        autoFocus
        rows={Math.min(12, Math.max(2, draft.split('\n').length + 1))}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void commit();
          if (e.key === 'Escape') {
            e.stopPropagation(); // not the window's Escape (cancel dictation)
            onDone();
          }
        }}
      />
      <div className="history-actions">
        <button type="button" className="button primary" onClick={() => void commit()}>Save</button>
        <button type="button" className="button secondary" onClick={onDone}>Cancel</button>
      </div>
    </div>
  );
}
