// native-models/reference/trace_summary.py groups the step trace that VXD_CUDA_TRACE=1 prints
// (kernels/cuda/step_trace.cuh) by launch label: per label the launch count and mean work, gap,
// staged and rounds, then the step's totals. It reads the last step of a log, and a trace printed
// before the labels existed can borrow them by launch index from another log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repoRoot, 'native-models/reference/trace_summary.py');
const dir = mkdtempSync(path.join(os.tmpdir(), 'vxd-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One line as StepTrace::print writes it; staged/rounds/label left out gives the older format.
function line(i: number, work: number, gap: number, extra?: { staged: number; rounds: number; label: string }): string {
  const base = `trace ${String(i).padStart(4)} ready ${'0.00'.padStart(9)} past ${'1.00'.padStart(9)} done ${'2.00'.padStart(9)} work ${work.toFixed(2).padStart(7)} gap ${gap.toFixed(2).padStart(6)}`;
  return extra ? `${base} staged ${extra.staged.toFixed(2).padStart(6)} rounds ${extra.rounds.toFixed(2).padStart(6)} ${extra.label}` : base;
}

function file(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

function run(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('python3', [script, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function row(out: string, label: string): string[] {
  const l = out.split('\n').find((x) => x.startsWith(label));
  expect(l, out).toBeDefined();
  return l!.slice(label.length).trim().split(/\s+/);
}

describe('trace_summary.py', () => {
  const labelled = file('labelled.log', [
    'step trace: 3 launches (an earlier step, which the summary must skip)',
    line(0, 99, 0, { staged: 9, rounds: 9, label: 'qkv m1 k3072' }),
    'step trace: 4 launches, 30.00 us from the first one\'s ready to the last one\'s done',
    line(0, 8, 0, { staged: 4, rounds: 7, label: 'qkv m1 k3072' }),
    line(1, 6, 1, { staged: -1, rounds: -1, label: 'attn m1 d128' }),
    line(2, 10, 3, { staged: 2, rounds: 9, label: 'qkv m1 k3072' }),
    line(3, 4, 2, { staged: 1, rounds: 3, label: 'proj m1 k4096' }),
  ]);

  it('groups the last step by label, means per launch and totals', () => {
    const { status, out } = run(labelled);
    expect(status, out).toBe(0);
    // qkv: two launches, work (8 + 10) / 2, gap (0 + 3) / 2, staged (4 + 2) / 2, rounds (7 + 9) / 2, sum 21.
    expect(row(out, 'qkv m1 k3072')).toEqual(['2', '9.00', '1.50', '3.00', '8.00', '21.0']);
    // Unstamped phases (-1) are left out of the means.
    expect(row(out, 'attn m1 d128')).toEqual(['1', '6.00', '1.00', 'nan', 'nan', '7.0']);
    expect(out).toContain('step: 4 launches, work 28.0 us, gaps 6.0 us');
  });

  it('labels an unlabelled trace by launch index from another log', () => {
    const old = file('old.log', [line(0, 5, 0), line(1, 7, 2), line(2, 3, 1), line(3, 1, 1)]);
    const plain = run(old);
    expect(plain.status, plain.out).toBe(0);
    expect(plain.out).not.toContain('qkv');
    const { status, out } = run(old, '--labels-from', labelled);
    expect(status, out).toBe(0);
    expect(row(out, 'qkv m1 k3072')).toEqual(['2', '4.00', '0.50', 'nan', 'nan', '9.0']);
    expect(row(out, 'proj m1 k4096')).toEqual(['1', '1.00', '1.00', 'nan', 'nan', '2.0']);
  });

  it('says so when a log holds no trace', () => {
    const { status, out } = run(file('empty.log', ['no CUDA device: nothing to benchmark']));
    expect(status).toBe(1);
    expect(out).toContain('no step trace found');
  });
});
