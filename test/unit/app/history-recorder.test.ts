import { describe, expect, it } from 'vitest';
import type { FinalTranscript, Settings } from '../../../electron/common/ipc-contract';
import { HistoryRecorder } from '../../../electron/core/app/history-recorder';
import type { DictationEvent } from '../../../electron/core/app/services';
import { HistoryStore } from '../../../electron/core/history/history-store';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

async function setup(overrides: Partial<Settings> = {}) {
  const history = await HistoryStore.open(await tempDir());
  const settings = { ...defaultSettings(), model: { pte: '/m/voxtral-mini.pte', ptd: null }, ...overrides };
  let clock = 10_000;
  // As on a machine with a usable GPU: the default 'auto' runs on CUDA, and the entry says so.
  const recorder = new HistoryRecorder(history, () => settings, () => clock, undefined, (choice) => (choice === 'auto' ? 'cuda' : choice));
  return { history, recorder, advance: (ms: number) => { clock += ms; } };
}

const listening = (sessionId: string, source: 'mic' | 'file' = 'mic') =>
  ({ name: 'state', payload: { state: 'listening', since: 1, sessionId, source, error: null } }) as const;
const partial = (sessionId: string, text: string): DictationEvent =>
  ({ name: 'partial', payload: { sessionId, appended: text, text, tokenIds: [] } });
const final = (sessionId: string, text: string, source: 'mic' | 'file' = 'mic'): FinalTranscript =>
  ({ sessionId, text, source, durationMs: 900, historyId: null, jobId: source === 'file' ? 'job-1' : null });

describe('HistoryRecorder', () => {
  it('keeps the words of a session that failed, when the controller says they were kept', async () => {
    const { history, recorder, advance } = await setup();
    await recorder.record(listening('s1'));
    await recorder.record(partial('s1', 'half a sentence'));
    advance(1500);
    await recorder.record({ name: 'error', payload: { code: 'engine', message: 'boom', keptText: true, sessionId: 's1' } });
    expect(history.list(0, 10).entries).toEqual([expect.objectContaining({
      text: 'half a sentence', status: 'done', durationMs: 1500, model: 'voxtral-mini.pte', backend: 'cuda', dtype: 'bf16',
    })]);
  });

  it('records nothing when history is off, and says so in the final transcript', async () => {
    const { history, recorder } = await setup({ history: { enabled: false, maxEntries: 10 } });
    await recorder.record(listening('s1'));
    await recorder.record(partial('s1', 'private'));
    const out = await recorder.record({ name: 'final', payload: final('s1', 'private words') });
    expect(out).toEqual({ name: 'final', payload: final('s1', 'private words') });
    expect(history.list(0, 10).total).toBe(0);
  });

  it('saves a file transcript that had no live session, but not an empty one', async () => {
    const { history, recorder } = await setup();
    const saved = await recorder.finish(final('f1', 'from a file', 'file'));
    expect(saved.historyId).toBe(history.list(0, 10).entries[0].id);
    expect(history.list(0, 10).entries[0]).toMatchObject({ text: 'from a file', source: 'file' });
    expect((await recorder.finish(final('f2', '   ', 'file'))).historyId).toBeNull();
    expect(history.list(0, 10).total).toBe(1);
  });

  it('writes one entry when the final event and the stop answer both arrive', async () => {
    const { history, recorder } = await setup();
    await recorder.record(listening('s1'));
    const [a, b] = await Promise.all([recorder.finish(final('s1', 'once')), recorder.finish(final('s1', 'once'))]);
    expect(a.historyId).not.toBeNull();
    expect(b.historyId).toBe(a.historyId);
    expect(history.list(0, 10).entries.map((e) => e.text)).toEqual(['once']);
  });
});
