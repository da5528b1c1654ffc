// A transcribed file can take minutes; the user looks elsewhere meanwhile. When one ends while no
// window of the app has focus, the system is asked for a notification (a click opens History);
// with the window in front, the Dictate view's own notice says it. Plain Node: main passes the
// Electron pieces (Notification, the windows' focus).

import type { AppEvent } from '../../common/ipc-contract';

export interface FileJobNotifierDeps {
  /** Subscribes to the core's events; returns the unsubscribe. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Whether a window of the app has focus now. */
  focused(): boolean;
  notify(title: string, body: string, onClick: () => void): void;
  openHistory(): void;
}

const PREVIEW_CHARS = 90;

export function notifyFileJobs(deps: FileJobNotifierDeps): () => void {
  return deps.onEvent((event) => {
    if (deps.focused()) return;
    if (event.name === 'final' && event.payload.source === 'file') {
      const text = event.payload.text.trim();
      const cut = text.slice(0, PREVIEW_CHARS);
      const preview = text.length > PREVIEW_CHARS ? `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length).trimEnd()}…` : text || '(no words)';
      deps.notify('Transcription finished', event.payload.historyId ? `${preview}\nThe text is in History.` : preview, deps.openHistory);
    } else if (event.name === 'error' && event.payload.sessionId === null) {
      // A file job's error (they carry no session id).
      deps.notify('Transcription failed', event.payload.message, deps.openHistory);
    }
  });
}
