// History written out for the user to keep elsewhere: Markdown (one section per transcript),
// plain text, or JSON, chosen by the file name's extension; oldest first, as one reads a log.

import path from 'node:path';
import type { HistoryEntry } from '../../common/ipc-contract';

export type HistoryExportFormat = 'markdown' | 'text' | 'json';

/** The save dialog's choices, the first the default. */
export const HISTORY_EXPORT_FILTERS = [
  { name: 'Markdown', extensions: ['md'] },
  { name: 'Plain text', extensions: ['txt'] },
  { name: 'JSON', extensions: ['json'] },
];

export function exportFormatOf(file: string): HistoryExportFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.txt' ? 'text' : ext === '.json' ? 'json' : 'markdown';
}

/** Local date and time as YYYY-MM-DD HH:MM (sortable, and what a reader expects). */
export function localStamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `entries` newest first, as the store lists them; the export reads oldest first. */
export function formatHistoryExport(entries: readonly HistoryEntry[], format: HistoryExportFormat, exportedAt: number): string {
  const ordered = [...entries].reverse();
  if (format === 'json') {
    return `${JSON.stringify({
      exportedAt: new Date(exportedAt).toISOString(),
      entries: ordered.map((e) => ({
        id: e.id, createdAt: new Date(e.createdAt).toISOString(), durationMs: e.durationMs, source: e.source, model: e.model, status: e.status, text: e.text,
      })),
    }, null, 2)}\n`;
  }
  if (format === 'text') return ordered.map((e) => `[${localStamp(e.createdAt)}] ${e.text.trim()}\n`).join('\n');
  const count = `${ordered.length} transcript${ordered.length === 1 ? '' : 's'}`;
  const sections = ordered.map((e) => {
    const facts = [localStamp(e.createdAt), duration(e.durationMs), ...(e.source === 'file' ? ['file'] : []), ...(e.status === 'interrupted' ? ['interrupted'] : [])];
    return `## ${facts.join(' · ')}\n\n${e.text.trim() || '_(no words)_'}\n`;
  });
  return [`# Voxtral Dictate history\n\nExported ${localStamp(exportedAt)}: ${count}.\n`, ...sections].join('\n');
}
