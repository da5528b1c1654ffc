/**
 * Recordings through the whole core on the real engine (the demo model): a dictation's audio kept
 * with its History entry, transcribed again into the same entry, deleted with the entry, and all of
 * them deleted when the user turns recordings off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { AppEvent, FinalTranscript, HistoryEntry } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { DictationController } from '../../../electron/core/dictation/dictation-controller';
import { findDemoModel } from '../../../electron/core/models/demo-model';
import { parseWav } from '../../../native-models/js/audio/wav';
import { framesOf, speechSamples } from '../dictation/tiny-model';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

async function value<T>(result: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`call failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

it('keeps a dictation\'s recording, transcribes it again into its entry, and deletes it with the entry or the setting', async () => {
  if (!findDemoModel()) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
  const core = await AppCore.create({
    configDir: await tempDir(), log: () => undefined,
    createDictation: (deps) => new DictationController({ ...deps, vad: null, fallbackModel: findDemoModel }),
  });
  const events: AppEvent[] = [];
  core.onEvent((e) => events.push(e));
  try {
    await value(core.call('updateSettings', { engine: { backend: 'cpu', dtype: 'fp32' } }));
    const dictate = async () => {
      await value(core.call('startDictation', undefined));
      framesOf(speechSamples()).forEach((samples, seq) => core.acceptAudio({ type: 'frame', seq, samples }));
      core.acceptAudio({ type: 'end' });
      return value<FinalTranscript>(core.call('stopDictation', undefined));
    };
    const entries = async () => (await value<{ entries: HistoryEntry[] }>(core.call('listHistory', { offset: 0, limit: 10 }))).entries;

    const spoken = await dictate();
    expect(spoken.text.trim()).toBe('Hello Ben, This is a dictation test.');
    const [entry] = await entries();
    expect(entry).toMatchObject({ id: spoken.historyId, audio: true, text: spoken.text });
    // The recording is the audio the engine heard, at 16-bit.
    const heard = speechSamples();
    const recording = parseWav(readFileSync(core.recordingFile(entry.id)!)).channelData[0];
    expect(recording.length).toBe(heard.length);
    let worst = 0;
    for (let i = 0; i < heard.length; i++) worst = Math.max(worst, Math.abs(recording[i] - heard[i]));
    expect(worst).toBeLessThan(1 / 16000);

    // Transcribed again: the same words, into the same entry, once the job is done.
    const { jobId } = await value<{ jobId: string }>(core.call('retranscribeHistoryEntry', { id: entry.id }));
    await expect.poll(() => events.some((e) => e.name === 'final' && e.payload.jobId === jobId), { timeout: 30_000 }).toBe(true);
    const again = events.find((e): e is Extract<AppEvent, { name: 'final' }> => e.name === 'final' && e.payload.jobId === jobId)!.payload;
    expect(again).toMatchObject({ historyId: entry.id, source: 'file' });
    expect(again.text.trim()).toBe(spoken.text.trim());
    expect(await entries()).toEqual([expect.objectContaining({ id: entry.id, text: again.text, audio: true, status: 'done' })]);

    // Deleting the entry deletes its recording; an entry without one cannot be transcribed again.
    const file = core.recordingFile(entry.id)!;
    await value(core.call('deleteHistoryEntry', { id: entry.id }));
    await expect.poll(() => existsSync(file)).toBe(false);
    expect(await core.call('retranscribeHistoryEntry', { id: entry.id })).toMatchObject({ ok: false, error: { code: 'not-found' } });

    // Recordings off: the ones kept so far go, the text stays.
    const second = await dictate();
    const secondFile = core.recordingFile(second.historyId!)!;
    expect(existsSync(secondFile)).toBe(true);
    await value(core.call('updateSettings', { history: { keepAudio: 'off' } }));
    await expect.poll(() => existsSync(secondFile)).toBe(false);
    expect(await entries()).toEqual([expect.objectContaining({ id: second.historyId, audio: false })]);
    expect(await core.call('retranscribeHistoryEntry', { id: second.historyId! })).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringMatching(/no recording/) } });
    // And none is made while they are off.
    const third = await dictate();
    expect(core.recordingFile(third.historyId!)).toBeNull();
  } finally {
    await core.close();
  }
}, 120_000);
