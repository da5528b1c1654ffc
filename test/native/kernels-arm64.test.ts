/**
 * The NEON kernels (native-models/kernels/cpu/dot_neon.cpp: what Apple silicon and other arm64
 * machines run) against the same float64 references as the x86 ones: vxd-selftest cross-built
 * for aarch64 and run under qemu-aarch64 (Debian's g++-aarch64-linux-gnu and qemu-user, which
 * .ci/run installs). Speed is not measured here; correctness of every NEON path is.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { repoRoot } from './helpers.js';

interface Check {
  name: string;
  isa: string;
  maxErr: number;
  tol: number;
}

describe('CPU kernels on arm64 (NEON, under qemu)', () => {
  it('match float64 references within tolerance, every matmul weight type included', () => {
    const build = mkdtempSync(path.join(os.tmpdir(), 'vxd-arm64-'));
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run('cmake', [
      '-S', path.join(repoRoot, 'native-models'), '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_SYSTEM_NAME=Linux',
      '-DCMAKE_SYSTEM_PROCESSOR=aarch64', '-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc', '-DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++',
      '-DVXD_WITH_CUDA=OFF',
    ]);
    run('cmake', ['--build', build, '--target', 'vxd-selftest', '-j', String(Math.max(2, os.cpus().length))]);
    const out = execFileSync('qemu-aarch64', [path.join(build, 'vxd-selftest'), 'kernels'], {
      encoding: 'utf8',
      env: { ...process.env, QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu' },
    });
    const checks = (JSON.parse(out) as { checks: Check[] }).checks;
    const neon = checks.filter((c) => c.isa === 'neon');
    expect(neon.length).toBe(checks.filter((c) => c.isa === 'scalar').length);
    for (const t of ['f32', 'bf16', 'q8', 'q4'])
      for (const m of [1, 3, 7]) expect(neon.map((c) => c.name)).toContain(`matmul_${t}_m${m}`);
    expect(checks.filter((c) => !(c.maxErr <= c.tol))).toEqual([]);
  }, 600_000);
});
