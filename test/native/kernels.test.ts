/**
 * CPU kernels against float64 loops on random inputs, for every instruction set this machine
 * runs (scalar always): matmul with f32/bf16/q8/q4 weights and 1/3/7 rows, RMSNorm with ada scale,
 * RoPE at a huge position, ring-cache GQA attention with a sliding window, im2col, bf16 storage.
 * The checks run in native-models/tools/vxd_selftest.cpp; this test holds them to their tolerances.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { toolPath } from './helpers.js';

interface Check {
  name: string;
  isa: string;
  maxErr: number;
  tol: number;
}

describe('CPU kernels', () => {
  const report = JSON.parse(execFileSync(toolPath('vxd-selftest'), ['kernels'], { encoding: 'utf8' })) as { checks: Check[] };

  it('cover every ISA the machine supports', () => {
    const isas = new Set(report.checks.map((c) => c.isa));
    expect(isas.has('scalar')).toBe(true);
    const flags = process.arch === 'x64' ? readFileSync('/proc/cpuinfo', 'utf8') : '';
    if (/\bavx2\b/.test(flags) && /\bfma\b/.test(flags)) expect(isas.has('avx2')).toBe(true);
    if (/\bavx512bw\b/.test(flags)) expect(isas.has('avx512')).toBe(true);
    for (const isa of isas) expect(report.checks.filter((c) => c.isa === isa).length).toBeGreaterThanOrEqual(18);
  });

  it('match float64 references within tolerance', () => {
    const bad = report.checks.filter((c) => !(c.maxErr <= c.tol));
    expect(bad).toEqual([]);
  });
});
