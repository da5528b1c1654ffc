// native-models/tools/cuda/ncu_summary.py turns Nsight Compute's CSV (one row per kernel and metric,
// units chosen by ncu per row, thousands separators) into the per-kernel table of docs/cuda-notes.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(repoRoot, 'native-models/tools/cuda/ncu_summary.py');
const dir = mkdtempSync(path.join(os.tmpdir(), 'vxd-ncu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = '"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","Section Name","Metric Name","Metric Unit","Metric Value"';
function row(id: number, kernel: string, grid: string, metric: string, unit: string, value: string): string {
  return [id, 1533, 'bench_engine', '127.0.0.1', kernel, 1, 13, '(256, 1, 1)', grid, 0, '9.0', 'Command line profiler metrics', metric, unit, value]
    .map((v) => `"${v}"`).join(',');
}
const gemv = 'void vxd::cuda::(anonymous namespace)::gemv_multi<(vxd::DType)3, 1, 4, 1>(vxd::cuda::DevAct, vxd::cuda::(anonymous namespace)::MultiArgs)';
// As ncu 2025.3 printed it on the H100, and a fully qualified variant.
const attention = 'void unnamed>::attention_kernel<2, 4>(unnamed>::AttnArgs)';
const argmax = 'void vxd::cuda::<unnamed>::argmax_kernel(vxd::cuda::DevAct, int *)';

function run(csv: string): { status: number | null; out: string } {
  const file = path.join(dir, `ncu-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, csv);
  const r = spawnSync('python3', [script, file], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('ncu_summary.py', () => {
  it('groups kernels by name and grid, converting every unit ncu uses', () => {
    const csv = [
      '==WARNING== Note: Running with uncontrolled GPU caches.',
      '==PROF== Connected to process 1533',
      header,
      row(0, gemv, '(396, 1, 1)', 'gpu__time_duration.sum', 'ns', '30,000'),
      row(0, gemv, '(396, 1, 1)', 'dram__bytes_read.sum', 'Mbyte', '32.00'),
      row(0, gemv, '(396, 1, 1)', 'launch__registers_per_thread', 'register/thread', '79'),
      row(1, gemv, '(396, 1, 1)', 'gpu__time_duration.sum', 'usecond', '34.00'),
      row(1, gemv, '(396, 1, 1)', 'dram__bytes_read.sum', 'byte', '32,000,000'),
      row(2, argmax, '(1, 1, 1)', 'gpu__time_duration.sum', 'nsecond', '2,000'),
      row(2, argmax, '(1, 1, 1)', 'dram__bytes_read.sum', 'Kbyte', '500'),
      row(3, attention, '(32, 1, 23)', 'gpu__time_duration.sum', 'ns', '1,000'),
    ].join('\n');
    const { status, out } = run(csv);
    expect(status, out).toBe(0);
    // 30 + 34 + 2 + 1 us; 64 MB + 0.5 MB.
    expect(out).toContain('4 kernels, sum of kernel times 67.0 us, DRAM read 0.065 GB');
    const lines = out.split('\n');
    const g = lines.find((l) => l.includes('gemv_multi<T3, 1, 4, 1>'))!;
    expect(g, out).toBeDefined();
    // n=2, total 64 us, mean 32 us, 32 MB per call, 64 MB / 64 us = 1000 GB/s, 79 registers.
    expect(g.trim().split(/\s+/).slice(0, 6)).toEqual(['2', '64.0', '32.00', '32.00', '1000', '79']);
    expect(g).toContain('[(396, 1, 1) x (256, 1, 1)]');
    expect(out).toContain(' argmax_kernel [(1, 1, 1) x (256, 1, 1)]');
    expect(out).toContain(' attention_kernel<2, 4> [(32, 1, 23) x (256, 1, 1)]');
    // Largest total first.
    expect(lines.findIndex((l) => l.includes('gemv_multi'))).toBeLessThan(lines.findIndex((l) => l.includes('argmax_kernel')));
  });

  it('says so when the file has no ncu table (a failed profile)', () => {
    const { status, out } = run('==ERROR== the profiler failed\n');
    expect(status).toBe(1);
    expect(out).toContain('no ncu CSV header');
  });
});

// ncu_full_summary.py reads ncu's raw page (one row per kernel, one column per metric, a units row
// under the header): one line per kernel with its time, instructions and the largest stall reasons.
describe('ncu_full_summary.py', () => {
  const full = path.join(repoRoot, 'native-models/tools/cuda/ncu_full_summary.py');
  const stall = (reason: string) => `smsp__average_warps_issue_stalled_${reason}_per_issue_active.ratio`;
  const columns = ['ID', 'Kernel Name', 'gpu__time_duration.sum', 'smsp__inst_executed.sum', stall('barrier'), stall('long_scoreboard'),
    stall('wait'), stall('not_selected')];
  const csvLine = (cells: string[]) => cells.map((c) => `"${c}"`).join(',');

  it('prints each kernel with its three largest stall reasons, largest first', () => {
    const file = path.join(dir, 'full.csv');
    writeFileSync(file, [
      '==PROF== Connected to process 7',
      csvLine(columns),
      csvLine(['', '', 'nsecond', 'inst', 'ratio', 'ratio', 'ratio', 'ratio']),
      csvLine(['0', gemv, '22,500', '8,085,888', '0.4', '4.0', '1.6', '1.1']),
      csvLine(['1', attention, '12,400', '1,119,616', '4.9', '2.3', '1.7', 'n/a']),
    ].join('\n'));
    const r = spawnSync('python3', [full, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('top stalls per issue');
    const g = lines.find((l) => l.includes('gemv_multi'))!;
    expect(g, r.stdout).toContain('22.5 | 8,085,888 |');
    expect(g).toContain('| long_scoreboard 4.0, wait 1.6, not_selected 1.1 |');
    // A value ncu could not measure is left out, not read as a number.
    expect(lines.find((l) => l.includes('attention_kernel'))).toContain('| barrier 4.9, long_scoreboard 2.3, wait 1.7 |');
  });
});
