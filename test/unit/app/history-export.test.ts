/** History export: the format by the chosen file's extension, oldest first, through the core's save dialog. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppCore } from '../../../electron/core/app/app-core';
import type { SaveFileRequest } from '../../../electron/core/app/services';
import { exportFormatOf, formatHistoryExport } from '../../../electron/core/history/history-export';
import type { HistoryEntry } from '../../../electron/common/ipc-contract';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();
const savedTz = process.env.TZ;
beforeAll(() => { process.env.TZ = 'UTC'; });
afterAll(() => { if (savedTz === undefined) delete process.env.TZ; else process.env.TZ = savedTz; });

const at = (iso: string) => Date.parse(iso);
const entry = (id: string, createdAt: string, text: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id, text, createdAt: at(createdAt), durationMs: 65_400, model: 'voxtral.pte', backend: 'cuda', dtype: 'bf16', source: 'mic', status: 'done', ...extra,
});
// Newest first, as the store lists them.
const entries = [
  entry('b', '2026-12-07T09:30:00Z', '  Buy milk. ', { source: 'file', durationMs: 3000 }),
  entry('a', '2026-12-06T18:05:00Z', 'Call Anna about Thursday.', { status: 'interrupted' }),
];

describe('formatHistoryExport', () => {
  it('writes Markdown oldest first, one section a transcript with its time, length and kind', () => {
    expect(formatHistoryExport(entries, 'markdown', at('2026-12-07T10:00:00Z'))).toBe(
      '# Voxtral Dictate history\n\nExported 2026-12-07 10:00: 2 transcripts.\n\n'
      + '## 2026-12-06 18:05 · 1:05 · interrupted\n\nCall Anna about Thursday.\n\n'
      + '## 2026-12-07 09:30 · 0:03 · file\n\nBuy milk.\n');
  });

  it('writes plain text and JSON', () => {
    expect(formatHistoryExport(entries, 'text', 0)).toBe('[2026-12-06 18:05] Call Anna about Thursday.\n\n[2026-12-07 09:30] Buy milk.\n');
    const json = JSON.parse(formatHistoryExport(entries, 'json', at('2026-12-07T10:00:00Z')));
    expect(json).toEqual({
      exportedAt: '2026-12-07T10:00:00.000Z',
      entries: [
        { id: 'a', createdAt: '2026-12-06T18:05:00.000Z', durationMs: 65_400, source: 'mic', model: 'voxtral.pte', status: 'interrupted', text: 'Call Anna about Thursday.' },
        { id: 'b', createdAt: '2026-12-07T09:30:00.000Z', durationMs: 3000, source: 'file', model: 'voxtral.pte', status: 'done', text: '  Buy milk. ' },
      ],
    });
  });

  it('reads the format from the extension, Markdown otherwise', () => {
    expect(['/x/h.md', '/x/h.TXT', '/x/h.json', '/x/history'].map(exportFormatOf)).toEqual(['markdown', 'text', 'json', 'markdown']);
  });
});

describe('exportHistory through the core', () => {
  it('saves all or the search\'s entries where the user chose, in the chosen format; a cancel writes nothing', async () => {
    const dir = await tempDir();
    const asked: SaveFileRequest[] = [];
    const answers: (string | null)[] = [path.join(dir, 'all.md'), path.join(dir, 'milk.json'), null];
    const core = await AppCore.create({
      configDir: dir, log: () => undefined,
      files: { choose: async () => null, chooseSaveFile: async (request) => { asked.push(request); return answers.shift() ?? null; } },
    });
    try {
      await core.history.add({ model: 'm.pte', backend: 'cpu', dtype: 'fp32', source: 'mic', text: 'first note', createdAt: at('2026-12-01T08:00:00Z'), durationMs: 1000 });
      await core.history.add({ model: 'm.pte', backend: 'cpu', dtype: 'fp32', source: 'mic', text: 'buy milk', createdAt: at('2026-12-02T08:00:00Z'), durationMs: 1000 });
      expect(await core.call('exportHistory', { query: '' })).toEqual({ ok: true, value: { path: path.join(dir, 'all.md'), count: 2 } });
      expect(await readFile(path.join(dir, 'all.md'), 'utf8')).toMatch(/## 2026-12-01 08:00 · 0:01\n\nfirst note\n\n## 2026-12-02 08:00 · 0:01\n\nbuy milk\n$/);
      expect(await core.call('exportHistory', { query: 'milk' })).toEqual({ ok: true, value: { path: path.join(dir, 'milk.json'), count: 1 } });
      expect(JSON.parse(await readFile(path.join(dir, 'milk.json'), 'utf8')).entries.map((e: { text: string }) => e.text)).toEqual(['buy milk']);
      expect(await core.call('exportHistory', { query: '' })).toEqual({ ok: true, value: { path: null, count: 0 } });
      expect(asked.map((r) => r.title)).toEqual(['Export History', 'Export the 1 matching transcript', 'Export History']);
      expect(asked[0]).toMatchObject({ defaultName: expect.stringMatching(/^voxtral-history-\d{4}-\d{2}-\d{2}\.md$/), filters: [{ name: 'Markdown', extensions: ['md'] }, expect.anything(), expect.anything()] });
    } finally {
      await core.close();
    }
    // Where there is no save dialog (the harness), it says so.
    const bare = await AppCore.create({ configDir: await tempDir(), log: () => undefined });
    expect(await bare.call('exportHistory', { query: '' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await bare.close();
  });
});
