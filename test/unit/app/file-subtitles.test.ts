/**
 * A transcribed file's subtitles through the core on the real engine (the demo model): its words'
 * times kept with its History entry, saved as SubRip or WebVTT with the user's one-word
 * replacements, gone with the entry; and the timings store and the word replacements on their own.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppEvent, HistoryEntry } from '../../../electron/common/ipc-contract';
import { AppCore } from '../../../electron/core/app/app-core';
import { DictationController } from '../../../electron/core/dictation/dictation-controller';
import { applyToWords } from '../../../electron/core/dictation/replacements';
import { WordTimingsStore } from '../../../electron/core/history/word-timings-store';
import { findDemoModel } from '../../../electron/core/models/demo-model';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

describe('a transcribed file as subtitles', () => {
  it('keeps its words\' times with its entry, saves SRT or VTT with the user\'s word replacements, and drops them with the entry', async () => {
    if (!findDemoModel()) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const dir = await tempDir();
    const saves = [path.join(dir, 'talk.srt'), path.join(dir, 'talk.vtt'), null];
    const core = await AppCore.create({
      configDir: dir, log: () => undefined,
      files: { choose: async () => null, chooseSaveFile: async () => saves.shift() ?? null },
      createDictation: (deps) => new DictationController({ ...deps, vad: null, fallbackModel: findDemoModel }),
    });
    const events: AppEvent[] = [];
    core.onEvent((e) => events.push(e));
    try {
      await core.call('updateSettings', { engine: { backend: 'cpu', dtype: 'fp32' }, replacements: { rules: [{ spoken: 'ben', written: 'Benedict' }, { spoken: 'dictation test', written: 'TEST' }] } });
      const started = await core.call('transcribeFile', { path: path.resolve('test/fixtures/audio/encoded/hello.mp3') });
      if (!started.ok) throw new Error(started.error.message);
      await expect.poll(() => events.some((e) => e.name === 'final'), { timeout: 30_000 }).toBe(true);
      const list = await core.call('listHistory', { offset: 0, limit: 5 });
      const [entry] = (list as { value: { entries: HistoryEntry[] } }).value.entries;
      expect(entry).toMatchObject({ source: 'file', subtitles: true, audio: false });

      expect(await core.call('saveSubtitles', { id: entry.id })).toEqual({ ok: true, value: { path: path.join(dir, 'talk.srt') } });
      // One cue, with the replacements the entry's text has: a word, and a phrase.
      expect(entry.text.trim()).toBe('Hello Benedict, This is a TEST.');
      expect(readFileSync(path.join(dir, 'talk.srt'), 'utf8')).toMatch(/^1\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nHello Benedict, This is a TEST\.\n$/);
      expect(await core.call('saveSubtitles', { id: entry.id })).toEqual({ ok: true, value: { path: path.join(dir, 'talk.vtt') } });
      expect(readFileSync(path.join(dir, 'talk.vtt'), 'utf8')).toMatch(/^WEBVTT\n\n00:00:0\d\.\d{3} --> 00:00:0\d\.\d{3}\nHello Benedict, This is a TEST\.\n$/);
      expect(await core.call('saveSubtitles', { id: entry.id })).toEqual({ ok: true, value: { path: null } }); // cancelled

      await core.call('deleteHistoryEntry', { id: entry.id });
      await expect.poll(() => existsSync(path.join(dir, 'timings', `${entry.id}.json`))).toBe(false);
      expect(await core.call('saveSubtitles', { id: entry.id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    } finally {
      await core.close();
    }
  }, 60_000);
});

describe('WordTimingsStore', () => {
  it('writes, reads back, forgets, sweeps by entry, and reads a damaged file as none', async () => {
    const dir = await tempDir();
    const store = await WordTimingsStore.open(dir);
    const [a, b] = [randomUUID(), randomUUID()];
    await store.write(a, [{ text: 'Hello', startMs: 320.4, endMs: 400 }]);
    await store.write(b, [{ text: 'World', startMs: 0, endMs: 80 }]);
    const reopened = await WordTimingsStore.open(dir);
    expect(await reopened.read(a)).toEqual([{ text: 'Hello', startMs: 320, endMs: 400 }]);
    expect(await reopened.sweep(new Set([a]))).toBe(1);
    expect([reopened.has(a), reopened.has(b)]).toEqual([true, false]);
    await writeFile(path.join(dir, 'timings', `${a}.json`), '{"words": [["x", "soon", 3]]}');
    expect(await reopened.read(a)).toBeNull();
    await expect(reopened.write('../escape', [])).rejects.toThrow(/not an entry id/);
  });
});

describe('applyToWords', () => {
  it('replaces as on the text: a word in its own time, a phrase over the words it replaced, nothing for words written as nothing', () => {
    const words = ['Um,', 'voxtral', 'rocks.', 'New', 'paragraph', 'ok', 'now'].map((text, i) => ({ text, startMs: i * 100, endMs: i * 100 + 80 }));
    const out = applyToWords(words, [
      { spoken: 'um', written: '' }, { spoken: 'voxtral', written: 'Voxtral' }, { spoken: 'new paragraph', written: '\n\n' }, { spoken: 'ok now', written: 'OK then' },
    ]);
    expect(out).toEqual([
      { text: ',', startMs: 0, endMs: 80 },
      { text: 'Voxtral', startMs: 100, endMs: 180 },
      { text: 'rocks.', startMs: 200, endMs: 280 },
      // "new paragraph" writes only line breaks: no words. "ok now" → two words for two: one for one.
      { text: 'OK', startMs: 500, endMs: 580 },
      { text: 'then', startMs: 600, endMs: 680 },
    ]);
    expect(applyToWords(words, [])).toEqual(words);
    // A word whose start comes out before its end is decided ("voxtralish": not the rule) is kept whole.
    expect(applyToWords([{ text: 'voxtralish', startMs: 0, endMs: 80 }], [{ spoken: 'voxtral', written: 'V' }]).map((w) => w.text)).toEqual(['voxtralish']);
    // Three words for two: evenly over their span.
    expect(applyToWords(words.slice(5), [{ spoken: 'ok now', written: 'all right then' }]).map((w) => [w.text, w.startMs, w.endMs]))
      .toEqual([['all', 500, 560], ['right', 560, 620], ['then', 620, 680]]);
  });
});
