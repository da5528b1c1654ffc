import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppEvent, DictationStatus, FinalTranscript } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import type { DictationEvent, DictationService } from '../../../electron/core/app/services';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

/** A dictation service driven by the test: it emits exactly what the test tells it to. */
class ScriptedDictation implements DictationService {
  listener: (event: DictationEvent) => void = () => undefined;
  frames: number[] = [];
  ended = 0;
  finalToReturn: FinalTranscript | null = null;
  status(): DictationStatus { return { state: 'idle', since: 0, sessionId: null, source: null, error: null }; }
  async start() { return { ...this.status(), state: 'listening' as const, sessionId: 's1', source: 'mic' as const }; }
  async stop() { return this.finalToReturn; }
  async cancel() { return this.status(); }
  pushAudio(samples: Float32Array, seq: number) { this.frames.push(seq, samples.length); }
  endAudio() { this.ended++; }
  async transcribeFile() { return { jobId: 'j1' }; }
  async cancelFile() { return false; }
  onEvent(listener: (event: DictationEvent) => void) { this.listener = listener; return () => undefined; }
  async dispose() {}
  emit(event: DictationEvent) { this.listener(event); }
}

async function coreWith(dictation?: ScriptedDictation) {
  const dir = await tempDir();
  const core = await AppCore.create({ configDir: dir, createDictation: dictation && (() => dictation), log: () => undefined });
  const events: AppEvent[] = [];
  core.onEvent((e) => events.push(e));
  return { core, events, dir };
}

describe('AppCore', () => {
  it('answers settings calls and emits the change', async () => {
    const { core, events } = await coreWith();
    const updated = await core.call('updateSettings', { insertion: { mode: 'clipboard' } });
    expect(updated).toMatchObject({ ok: true, value: { insertion: { mode: 'clipboard' } } });
    expect(await core.call('getSettings', undefined)).toMatchObject({ ok: true, value: { insertion: { mode: 'clipboard' } } });
    expect(events).toEqual([{ name: 'settings', payload: expect.objectContaining({ insertion: { mode: 'clipboard', spaceBetween: true, perApp: [] } }) }]);
  });

  it('rejects unknown calls and invalid payloads with a clear error', async () => {
    const { core } = await coreWith();
    expect(await core.call('rm -rf', {})).toEqual({ ok: false, error: { code: 'invalid-request', message: 'Unknown call: rm -rf' } });
    const bad = await core.call('updateSettings', { insertion: { mode: 42 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('insertion.mode') } });
    expect(await core.call('listHistory', { offset: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await core.call('constructor', undefined)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('reports honestly that no model is loaded until an engine is wired in', async () => {
    const { core } = await coreWith();
    expect(await core.call('startDictation', undefined)).toEqual({
      ok: false, error: { code: 'no-model', message: 'No model loaded. Choose a model file in Settings.' },
    });
    await core.call('updateSettings', { model: { pte: '/models/voxtral.pte' } });
    expect(await core.call('startDictation', undefined)).toMatchObject({ ok: false, error: { code: 'no-model', message: expect.stringContaining('/models/voxtral.pte') } });
    expect(await core.call('getDictationStatus', undefined)).toMatchObject({ ok: true, value: { state: 'idle' } });
    expect(await core.call('transcribeFile', { path: '/tmp/a.wav' })).toMatchObject({ ok: false, error: { code: 'no-model' } });
    const backends = await core.call('listBackends', undefined);
    expect(backends.ok && (backends.value as { available: boolean }[]).every((b) => !b.available)).toBe(true);
    expect(await core.call('inspectModel', { pte: '/does/not/exist.pte', ptd: null })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('hands startup notices to the first window that asks, once', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'settings.json'), '{broken');
    const core = await AppCore.create({ configDir: dir, log: () => undefined });
    expect(await core.call('takePendingNotices', undefined)).toEqual({ ok: true, value: [expect.objectContaining({ kind: 'settings-reset' })] });
    expect(await core.call('takePendingNotices', undefined)).toEqual({ ok: true, value: [] });
  });

  it('records a dictation in history as it happens and stamps the final transcript with its entry', async () => {
    const dictation = new ScriptedDictation();
    const { core, events } = await coreWith(dictation);
    dictation.emit({ name: 'state', payload: { state: 'listening', since: 1, sessionId: 's1', source: 'mic', error: null } });
    dictation.emit({ name: 'partial', payload: { sessionId: 's1', appended: 'hello', text: 'hello', tokenIds: [1] } });
    await expect.poll(() => core.history.list(0, 10).entries[0]?.text).toBe('hello');
    const live = core.history.list(0, 10).entries;
    expect(live).toEqual([expect.objectContaining({ text: 'hello', status: 'recording', source: 'mic', backend: 'cpu' })]);

    const final: FinalTranscript = { sessionId: 's1', text: 'hello world', source: 'mic', durationMs: 1500, historyId: null, jobId: null };
    dictation.finalToReturn = final;
    dictation.emit({ name: 'final', payload: final });
    const stopped = await core.call('stopDictation', undefined);
    await expect.poll(() => events.filter((e) => e.name === 'final').length).toBe(1);
    const entries = core.history.list(0, 10).entries;
    expect(entries).toEqual([expect.objectContaining({ id: live[0].id, text: 'hello world', status: 'done', durationMs: 1500 })]);
    expect(stopped).toEqual({ ok: true, value: { ...final, historyId: live[0].id } });
    const finalEvents = events.filter((e) => e.name === 'final');
    expect(finalEvents).toEqual([{ name: 'final', payload: { ...final, historyId: live[0].id } }]);
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['state', 'partial', 'history']));
  });

  it('drops the history entry of a session that ended with no words', async () => {
    const dictation = new ScriptedDictation();
    const { core } = await coreWith(dictation);
    dictation.emit({ name: 'state', payload: { state: 'listening', since: 1, sessionId: 's2', source: 'mic', error: null } });
    await expect.poll(() => core.history.list(0, 10).total).toBe(1);
    dictation.emit({ name: 'state', payload: { state: 'idle', since: 2, sessionId: 's2', source: 'mic', error: null } });
    await expect.poll(() => core.history.list(0, 10).total).toBe(0);
  });

  it('reports the microphone level of each frame, 0 when the stream ends', async () => {
    const { core, events } = await coreWith(new ScriptedDictation());
    const sine = Float32Array.from({ length: 1280 }, (_, i) => Math.sin(i / 5));
    core.acceptAudio({ type: 'frame', seq: 0, samples: sine });
    core.acceptAudio({ type: 'frame', seq: 1, samples: sine.map((x) => x / 100) }); // −40 dB
    core.acceptAudio({ type: 'frame', seq: 2, samples: new Float32Array(1280) });
    core.acceptAudio({ type: 'end' });
    const levels = events.filter((e) => e.name === 'level').map((e) => e.payload as number);
    expect(levels).toHaveLength(4);
    expect(levels[0]).toBeCloseTo(1 - 3.01 / 60, 2);
    expect(levels[1]).toBeCloseTo(1 - 43.01 / 60, 2);
    expect(levels.slice(2)).toEqual([0, 0]);
  });

  it('forwards valid audio frames and refuses anything else', async () => {
    const dictation = new ScriptedDictation();
    const { core } = await coreWith(dictation);
    expect(core.acceptAudio({ type: 'frame', seq: 7, samples: new Float32Array(1280) })).toBe(true);
    expect(core.acceptAudio({ type: 'frame', seq: 8, samples: new Float32Array(1e6) })).toBe(false);
    expect(core.acceptAudio('garbage')).toBe(false);
    expect(core.acceptAudio({ type: 'end' })).toBe(true);
    expect(dictation.frames).toEqual([7, 1280]);
    expect(dictation.ended).toBe(1);
  });
});
