/** `voxtral inspect`: what a .pte (and its .ptd) contains, and whether this app can run the pair. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileSource } from '../format/byte-source.js';
import { readPtd, type PtdFile } from '../format/ptd.js';
import { readPte } from '../format/pte.js';
import { scalarTypeName } from '../format/scalar-type.js';
import { describeProgram, type MethodDescription } from './describe-program.js';
import { verdictFor } from './verdict.js';

export interface NamedDataDescription {
  key: string;
  bytes: number;
  file: 'pte' | 'ptd';
  dtype?: string;
  shape?: number[];
}

export interface InspectReport {
  pte: string;
  ptd: string | null;
  methods: MethodDescription[];
  segments: { index: number; offset: number; size: number }[];
  namedData: NamedDataDescription[];
  runnable: boolean;
  reason: string;
}

/** Inspect `ptePath`; without `ptdPath`, a model.ptd next to it is used when present. */
export function inspectFiles(ptePath: string, ptdPath?: string): InspectReport {
  const pte = readPte(new Uint8Array(readFileSync(ptePath)));
  const sibling = path.join(path.dirname(ptePath), 'model.ptd');
  const ptdFile = ptdPath ?? (existsSync(sibling) ? sibling : undefined);
  let ptd: PtdFile | undefined;
  try {
    if (ptdFile) ptd = readPtd(fileSource(ptdFile));
    const methods = describeProgram(pte.program);
    const segments = (pte.program.segments ?? []).map((s, index) => ({ index, offset: Number(s.offset), size: Number(s.size) }));
    const namedData: NamedDataDescription[] = [
      ...(pte.program.named_data ?? []).map((nd) => ({ key: nd.key ?? '', bytes: segments[nd.segment_index]?.size ?? 0, file: 'pte' as const })),
      ...(ptd?.entries ?? []).map((e) => ({
        key: e.key, bytes: e.size, file: 'ptd' as const,
        ...(e.layout ? { dtype: scalarTypeName(e.layout.scalar_type), shape: e.layout.sizes ?? [] } : {}),
      })),
    ];
    const verdict = verdictFor(pte.program, methods, ptd);
    return { pte: ptePath, ptd: ptdFile ?? null, methods, segments, namedData, ...verdict };
  } finally {
    ptd?.source.close();
  }
}

function valueText(v: MethodDescription['inputs'][number]): string {
  return 'dtype' in v ? `${v.dtype}[${v.sizes.join(', ')}]${v.dynamic ? ' (dynamic)' : ''}` : v.type;
}

export function formatReport(r: InspectReport): string {
  const lines: string[] = [`${r.pte}${r.ptd ? ` + ${r.ptd}` : ''}`, ''];
  const real = r.methods.filter((m) => m.constant === null);
  const constants = r.methods.filter((m) => m.constant !== null);
  lines.push(`methods (${real.length}):`);
  for (const m of real) {
    lines.push(`  ${m.name}(${m.inputs.map(valueText).join(', ')}) -> (${m.outputs.map(valueText).join(', ')})`);
    if (m.backends.length) lines.push(`    delegates to: ${m.backends.join(', ')}`);
    if (m.operators.length) lines.push(`    kernels: ${m.operators.join(', ')}`);
  }
  if (constants.length) {
    lines.push('', `constant methods (${constants.length}):`);
    const width = Math.max(...constants.map((m) => m.name.length));
    for (const m of constants) lines.push(`  ${m.name.padEnd(width)}  ${JSON.stringify(m.constant)}`);
  }
  lines.push('', `segments (${r.segments.length}):`);
  for (const s of r.segments) lines.push(`  #${s.index}  offset ${s.offset}  size ${s.size}`);
  const ptdBytes = r.namedData.filter((n) => n.file === 'ptd').reduce((a, n) => a + n.bytes, 0);
  lines.push('', `named data (${r.namedData.length}${ptdBytes ? `, ${(ptdBytes / 2 ** 20).toFixed(1)} MiB in .ptd` : ''}):`);
  for (const n of r.namedData) lines.push(`  [${n.file}] ${n.key}  ${n.bytes} bytes${n.dtype ? `  ${n.dtype}[${n.shape!.join(', ')}]` : ''}`);
  lines.push('', `runnable by this app: ${r.runnable ? 'yes' : 'no'}`, `  ${r.reason}`, '');
  return lines.join('\n');
}
