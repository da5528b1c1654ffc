// The controller inside the real AppCore (as main and the harness run it): a dictation lands in
// history once, with its model facts; an app closed mid-dictation keeps the words decoded so far;
// a stop pressed while the model still loads (hotkey released early) still gives the final text.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { createNativeDictation } from '../../../electron/core/dictation';
import { HistoryStore } from '../../../electron/core/history/history-store';
import { transcribeFile, type TranscribeResult } from '../../../electron/cli/commands/transcribe';
import { framesOf, packTinyModel, SPEECH_WAV, speechSamples, type TinyModel } from './tiny-model';

let tiny: TinyModel;
let reference: TranscribeResult;
let configDir = '';

beforeAll(async () => {
  tiny = packTinyModel();
  reference = await transcribeFile({ pte: tiny.pte, ptd: tiny.ptd, backend: 'cpu', dtype: 'fp32', audio: SPEECH_WAV });
}, 60_000);
afterAll(() => tiny.remove());

async function openCore(): Promise<{ core: AppCore; events: AppEvent[] }> {
  configDir ||= await mkdtemp(path.join(tmpdir(), 'vxd-core-'));
  const core = await AppCore.create({ configDir, createDictation: (deps) => createNativeDictation(deps, { vad: null }), log: () => undefined });
  const events: AppEvent[] = [];
  core.onEvent((e) => events.push(e));
  await core.settings.update({ model: { pte: tiny.pte, ptd: tiny.ptd }, engine: { backend: 'cpu', dtype: 'fp32' } }); // as the reference ran
  return { core, events };
}

describe('AppCore with the native dictation controller', () => {
  it('saves one history entry per dictation; a stop during the model load still gives the text', async () => {
    const { core, events } = await openCore();
    const starting = core.call('startDictation', undefined);
    framesOf(speechSamples()).forEach((f, seq) => core.acceptAudio({ type: 'frame', seq, samples: f }));
    const stopped = await core.call('stopDictation', undefined); // before start() has resolved
    expect(await starting).toMatchObject({ ok: true });
    expect(stopped).toMatchObject({ ok: true, value: { text: reference.text.trimStart(), source: 'mic' } });
    const historyId = (stopped as { value: { historyId: string } }).value.historyId;
    expect(historyId).toBeTruthy();
    await expect.poll(() => events.filter((e) => e.name === 'final').length).toBe(1);
    const page = await core.call('listHistory', { offset: 0, limit: 10 });
    expect(page).toMatchObject({ ok: true, value: { total: 1, entries: [{ id: historyId, text: reference.text.trimStart(), status: 'done', model: 'model.pte', backend: 'cpu', dtype: 'fp32' }] } });
    expect(events.some((e) => e.name === 'level' && e.payload > 0)).toBe(true);
    await core.close();
  }, 60_000);

  it('keeps the words decoded so far when the app closes mid-dictation', async () => {
    const { core, events } = await openCore();
    await core.call('startDictation', undefined);
    framesOf(speechSamples()).forEach((f, seq) => core.acceptAudio({ type: 'frame', seq, samples: f }));
    await expect.poll(() => events.filter((e) => e.name === 'partial' && e.payload.text.length > 10).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await core.close(); // quit without stopping
    // The last words the window was shown are the ones history must have kept.
    const partials = events.filter((e): e is Extract<AppEvent, { name: 'partial' }> => e.name === 'partial');
    const said = partials.at(-1)!.payload.text;
    const history = await HistoryStore.open(configDir);
    const entries = history.list(0, 10).entries;
    const interrupted = entries.find((e) => e.status === 'interrupted');
    expect(interrupted?.text).toBe(said);
    await rm(configDir, { recursive: true, force: true });
  }, 60_000);
});
