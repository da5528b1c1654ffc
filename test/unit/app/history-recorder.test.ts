import { describe, expect, it } from 'vitest';
import type { FinalTranscript, Settings } from '../../../electron/common/ipc-contract';
import { HistoryRecorder } from '../../../electron/core/app/history-recorder';
import type { DictationEvent } from '../../../electron/core/app/services';
import { HistoryStore } from '../../../electron/core/history/history-store';
import { RecordingStore } from '../../../electron/core/history/recording-store';
import { parseWav } from '../../../native-models/js/audio/wav';
import { readFileSync } from 'node:fs';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

async function setup(overrides: Partial<Settings> = {}) {
  const dir = await tempDir();
  const history = await HistoryStore.open(dir);
  const recordings = await RecordingStore.open(dir);
  const settings: Settings = { ...defaultSettings(), model: { pte: '/m/voxtral-mini.pte', ptd: null }, ...overrides };
  let clock = 10_000;
  const saveFailures: string[] = [];
  // As on a machine with a usable GPU: the default 'auto' runs on CUDA, and the entry says so.
  const recorder = new HistoryRecorder(history, () => settings, {
    now: () => clock, resolveBackend: (choice) => (choice === 'auto' ? 'cuda' : choice), recordings, onSaveFailed: (m) => saveFailures.push(m),
  });
  return { history, recorder, recordings, settings, saveFailures, advance: (ms: number) => { clock += ms; } };
}

const frame = (n: number, value: number) => new Float32Array(n).fill(value);
const recorded = (recordings: RecordingStore, id: string) => parseWav(readFileSync(recordings.file(id)!)).channelData[0];

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
    const { history, recorder } = await setup({ history: { enabled: false, maxEntries: 10, keepAudio: 'week' } });
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

  it('records the audio of a dictation with its entry, frames that came before the entry included, in order', async () => {
    const { history, recorder, recordings } = await setup();
    // Frames reach the recorder before the events that open the entry (those are queued).
    recorder.audioFrame(frame(1280, 0.25), 's1');
    recorder.audioFrame(frame(1280, -0.25), 's1');
    await recorder.record(listening('s1'));
    recorder.audioFrame(frame(640, 0.5), 's1');
    await recorder.record(partial('s1', 'hello'));
    await recorder.record({ name: 'final', payload: final('s1', 'hello there') });
    recorder.audioFrame(frame(1280, 0.9), 's1'); // too late: the dictation ended
    const [entry] = history.list(0, 10).entries;
    const audio = recorded(recordings, entry.id);
    expect(audio.length).toBe(3200);
    expect([audio[0], audio[1280], audio[2560]].map((v) => Math.round(v * 100) / 100)).toEqual([0.25, -0.25, 0.5]);
  });

  it('records nothing when recordings are off or history is off', async () => {
    for (const history of [{ enabled: true, maxEntries: 10, keepAudio: 'off' as const }, { enabled: false, maxEntries: 10, keepAudio: 'week' as const }]) {
      const { recorder, recordings } = await setup({ history });
      recorder.audioFrame(frame(1280, 0.25), 's1');
      await recorder.record(listening('s1'));
      recorder.audioFrame(frame(1280, 0.25), 's1');
      await recorder.record({ name: 'final', payload: final('s1', 'words') });
      expect(recordings.bytes).toBe(0);
    }
  });

  it('keeps the recording of a dictation whose engine failed before any word, and drops a cancelled empty one', async () => {
    const { history, recorder, recordings } = await setup();
    await recorder.record(listening('s1'));
    for (let i = 0; i < 20; i++) recorder.audioFrame(frame(1280, 0.1), 's1'); // 1.6 s
    const told = await recorder.record({ name: 'error', payload: { code: 'engine', message: 'boom', keptText: false, sessionId: 's1' } });
    const [kept] = history.list(0, 10).entries;
    expect(kept).toMatchObject({ text: '', status: 'done' });
    // The page hears where the recording is, to offer transcribing it again.
    expect(told).toEqual({ name: 'error', payload: { code: 'engine', message: 'boom', keptText: false, sessionId: 's1', historyId: kept.id } });
    expect(recorded(recordings, kept.id).length).toBe(20 * 1280);

    await recorder.record(listening('s2'));
    for (let i = 0; i < 20; i++) recorder.audioFrame(frame(1280, 0.1), 's2');
    await recorder.record({ name: 'state', payload: { state: 'idle', since: 2, sessionId: 's2', source: 'mic', error: null } });
    expect(history.list(0, 10).entries.map((e) => e.id)).toEqual([kept.id]);
    expect(recordings.bytes).toBe(44 + 20 * 1280 * 2);
  });

  it('a re-transcription replaces the entry\'s text only when it finishes, and names the model that made it', async () => {
    const { history, recorder, settings, saveFailures } = await setup();
    await recorder.record(listening('s1'));
    await recorder.record({ name: 'final', payload: final('s1', 'the old words') });
    const [entry] = history.list(0, 10).entries;
    settings.model = { pte: '/m/better-model.pte', ptd: null };
    settings.engine = { ...settings.engine, backend: 'cpu', dtype: 'fp32' };

    // A job that fails part way leaves the entry as it was.
    recorder.retranscribeAs('job-1', entry.id);
    await recorder.record(listening('job-1', 'file'));
    await recorder.record(partial('job-1', 'the new'));
    expect(history.get(entry.id)!.text).toBe('the old words');
    await recorder.record({ name: 'state', payload: { state: 'error', since: 3, sessionId: 'job-1', source: 'file', error: { code: 'engine', message: 'x' } } });
    expect(history.get(entry.id)).toMatchObject({ text: 'the old words', model: 'voxtral-mini.pte' });

    // One that finishes replaces the text, in the same entry.
    recorder.retranscribeAs('job-2', entry.id);
    await recorder.record(listening('job-2', 'file'));
    await recorder.record(partial('job-2', 'the new'));
    const out = await recorder.record({ name: 'final', payload: { ...final('job-2', 'the new words', 'file'), jobId: 'job-2' } });
    expect(out.payload).toMatchObject({ historyId: entry.id });
    expect(history.list(0, 10).entries).toEqual([expect.objectContaining({ id: entry.id, text: 'the new words', model: 'better-model.pte', backend: 'cpu', dtype: 'fp32', source: 'mic' })]);

    // No words this time: the entry keeps its text, and the user is told.
    recorder.retranscribeAs('job-3', entry.id);
    await recorder.record(listening('job-3', 'file'));
    await recorder.record({ name: 'final', payload: final('job-3', '  ', 'file') });
    expect(history.get(entry.id)!.text).toBe('the new words');
    expect(saveFailures).toEqual([expect.stringMatching(/gave no words, so its History entry keeps its old text/)]);

    // A re-transcription whose job failed before it began (its model would not load) leaves nothing
    // behind: the next file job, not a re-transcription, gets an entry of its own.
    recorder.retranscribeAs('job-5', entry.id);
    await recorder.record({ name: 'state', payload: { state: 'error', since: 4, sessionId: 'job-5', source: 'file', error: { code: 'no-model', message: 'x' } } });
    await recorder.record(listening('job-5', 'file'));
    await recorder.record({ name: 'final', payload: final('job-5', 'not a replacement', 'file') });
    expect(history.get(entry.id)!.text).toBe('the new words');
    await recorder.record(listening('job-4', 'file'));
    await recorder.record({ name: 'final', payload: final('job-4', 'a file', 'file') });
    expect(history.list(0, 10).entries.map((e) => e.text)).toEqual(['a file', 'not a replacement', 'the new words']);
  });
});
