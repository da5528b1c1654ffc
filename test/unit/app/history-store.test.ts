import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryChange, Notice } from '../../../electron/common/ipc-contract';
import { HistoryStore } from '../../../electron/core/history/history-store';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();
const meta = { model: 'model.pte', backend: 'cpu', dtype: 'fp32', source: 'mic' } as const;

async function readEntries(dir: string) {
  return JSON.parse(await readFile(path.join(dir, 'history.json'), 'utf8')).entries as { id: string; text: string; status: string }[];
}

describe('HistoryStore', () => {
  it('adds entries newest first, pages them and survives a reopen', async () => {
    const dir = await tempDir();
    let clock = 1000;
    const store = await HistoryStore.open(dir, { now: () => clock++ });
    const a = await store.add({ ...meta, text: 'first note', durationMs: 1200 });
    const b = await store.add({ ...meta, text: 'second note', durationMs: 800 });
    expect(store.list(0, 10).entries.map((e) => e.id)).toEqual([b.id, a.id]);
    expect(store.list(1, 10)).toEqual({ entries: [expect.objectContaining({ id: a.id, text: 'first note', status: 'done' })], total: 2 });
    const reopened = await HistoryStore.open(dir);
    expect(reopened.list(0, 10).entries).toEqual(store.list(0, 10).entries);
  });

  it('searches case-insensitively for all words', async () => {
    const store = await HistoryStore.open(await tempDir());
    await store.add({ ...meta, text: 'Buy milk and Eggs' });
    await store.add({ ...meta, text: 'call the plumber about eggs' });
    await store.add({ ...meta, text: 'Milk the cow' });
    expect(store.search('eggs', 10).entries.map((e) => e.text)).toEqual(['call the plumber about eggs', 'Buy milk and Eggs']);
    expect(store.search('MILK eggs', 10).entries.map((e) => e.text)).toEqual(['Buy milk and Eggs']);
    expect(store.search('eggs', 1).total).toBe(2);
    expect(store.search('nothing here', 10).entries).toEqual([]);
  });

  it('latestText: the newest finished dictation with words (paste-last), not a file, an empty one or one in progress', async () => {
    const store = await HistoryStore.open(await tempDir());
    expect(store.latestText('mic')).toBeNull();
    const said = await store.add({ ...meta, text: 'what I said' });
    await store.add({ ...meta, source: 'file', text: 'a whole podcast' });
    await store.add({ ...meta, text: '  ' });
    const running = await store.begin({ ...meta, text: 'still talking' });
    expect(store.latestText('mic')).toBe('what I said');
    expect(store.latestText('file')).toBe('a whole podcast');
    await store.finish(running.id, { text: 'done talking', durationMs: 500 });
    expect(store.latestText('mic')).toBe('done talking');
    await store.delete(running.id);
    expect(store.latestText('mic')).toBe('what I said');
    await store.edit(said.id, 'what I meant'); // corrected in History: that is what is pasted
    expect(store.latestText('mic')).toBe('what I meant');
    await store.add({ ...meta, text: 'Scratch that.' }); // a spoken command, not a transcript to paste
    expect(store.latestText('mic')).toBe('what I meant');
  });

  it('deletes one entry or clears all, on disk too, and reports each change', async () => {
    const dir = await tempDir();
    const store = await HistoryStore.open(dir);
    const changes: HistoryChange[] = [];
    store.onChange((c) => changes.push(c));
    const a = await store.add({ ...meta, text: 'a' });
    await store.add({ ...meta, text: 'b' });
    expect(await store.delete(a.id)).toBe(true);
    expect(await store.delete(a.id)).toBe(false);
    expect((await readEntries(dir)).map((e) => e.text)).toEqual(['b']);
    expect(await store.clear()).toBe(1);
    expect(await readEntries(dir)).toEqual([]);
    expect(changes.map((c) => c.change)).toEqual(['added', 'added', 'deleted', 'cleared']);
  });

  it('keeps the text of a dictation interrupted by a quit', async () => {
    const dir = await tempDir();
    const store = await HistoryStore.open(dir);
    const entry = await store.begin(meta);
    store.update(entry.id, { text: 'so far so', durationMs: 900 });
    await store.flush(); // what the app does on quit; also happens on its own after 500 ms
    const notices: Notice[] = [];
    const reopened = await HistoryStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(reopened.get(entry.id)).toMatchObject({ text: 'so far so', status: 'interrupted', durationMs: 900 });
    expect(notices).toEqual([expect.objectContaining({ kind: 'history-recovered' })]);
  });

  it('finishes an entry in progress', async () => {
    const store = await HistoryStore.open(await tempDir());
    const entry = await store.begin(meta);
    expect(store.get(entry.id)?.status).toBe('recording');
    const done = await store.finish(entry.id, { text: 'final words', durationMs: 3000 });
    expect(done).toMatchObject({ text: 'final words', status: 'done', durationMs: 3000 });
    expect(await store.finish('missing', { text: '', durationMs: 0 })).toBeNull();
  });

  it('drops the oldest entries beyond the limit', async () => {
    const store = await HistoryStore.open(await tempDir(), { maxEntries: 2 });
    for (const text of ['one', 'two', 'three']) await store.add({ ...meta, text });
    expect(store.list(0, 10).entries.map((e) => e.text)).toEqual(['three', 'two']);
    await store.setMaxEntries(1);
    expect(store.list(0, 10).entries.map((e) => e.text)).toEqual(['three']);
  });

  it('keeps the valid entries of a damaged file and backs the file up', async () => {
    const dir = await tempDir();
    const good = { id: 'g1', text: 'good', createdAt: 5, durationMs: 1, model: null, backend: null, dtype: null, source: 'mic', status: 'done' };
    await writeFile(path.join(dir, 'history.json'), JSON.stringify({ version: 1, entries: [good, { id: 'bad', text: 7 }] }));
    const notices: Notice[] = [];
    const store = await HistoryStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(store.list(0, 10).entries).toEqual([good]);
    expect(notices[0].message).toMatch(/1 damaged history entry was skipped/);
    expect((await readdir(dir)).some((f) => /^history\.corrupt-.+\.json$/.test(f))).toBe(true);
    expect((await readEntries(dir)).map((e) => e.id)).toEqual(['g1']);
  });

  it('starts afresh from an unparseable file without deleting it', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'history.json'), 'not json at all');
    const notices: Notice[] = [];
    const store = await HistoryStore.open(dir, { onNotice: (n) => notices.push(n) });
    expect(store.list(0, 10).total).toBe(0);
    const backup = (await readdir(dir)).find((f) => f.startsWith('history.corrupt-'));
    expect(await readFile(path.join(dir, backup!), 'utf8')).toBe('not json at all');
    expect(notices).toHaveLength(1);
  });
});
