/** A file job that ends while no window has focus asks the system for a notification; one in front does not. */
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/common/ipc-contract';
import { notifyFileJobs } from '../../../electron/core/app/file-job-notifier';

function setup() {
  let listener: (event: AppEvent) => void = () => undefined;
  let focused = false;
  const shown: { title: string; body: string; click: () => void }[] = [];
  const opened: string[] = [];
  const off = notifyFileJobs({
    onEvent: (l) => { listener = l; return () => { listener = () => undefined; }; },
    focused: () => focused,
    notify: (title, body, click) => shown.push({ title, body, click }),
    openHistory: () => opened.push('history'),
  });
  return { emit: (e: AppEvent) => listener(e), setFocused: (f: boolean) => { focused = f; }, shown, opened, off };
}

const final = (text: string, source: 'file' | 'mic' = 'file', historyId: string | null = 'h1'): AppEvent =>
  ({ name: 'final', payload: { sessionId: 's1', text, source, durationMs: 1000, historyId, jobId: source === 'file' ? 'j1' : null } });

describe('notifyFileJobs', () => {
  it('says a file finished (a preview, where the text is), or failed, only while the app is in the background', () => {
    const { emit, setFocused, shown, opened, off } = setup();
    emit(final(' The quarterly numbers are in. Revenue grew by eight percent, mostly from the new subscriptions in Europe and Asia. ')); // background
    emit(final('a dictation', 'mic')); // not a file
    setFocused(true);
    emit(final('seen in the window'));
    setFocused(false);
    emit({ name: 'error', payload: { code: 'invalid-request', message: '“memo.m4a” is an MP4/M4A file: install ffmpeg.', keptText: false, sessionId: null } });
    emit({ name: 'error', payload: { code: 'engine', message: 'a dictation failed', keptText: false, sessionId: 's2' } });
    expect(shown.map(({ title, body }) => ({ title, body }))).toEqual([
      { title: 'Transcription finished', body: 'The quarterly numbers are in. Revenue grew by eight percent, mostly from the new…\nThe text is in History.' },
      { title: 'Transcription failed', body: '“memo.m4a” is an MP4/M4A file: install ffmpeg.' },
    ]);
    shown[0].click();
    expect(opened).toEqual(['history']);
    off();
    emit(final('after'));
    expect(shown).toHaveLength(2);
  });
});
