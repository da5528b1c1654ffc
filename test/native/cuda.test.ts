/**
 * CUDA backend, CI side (no GPU here): the CUDA sources build wherever nvcc is installed, the
 * built engine offers `cuda` only with a usable GPU and otherwise says why, asking for it fails
 * cleanly, and the GPU machine's check and benchmark programs still build against the current
 * backend interface. The kernels themselves are checked on the GPU machine
 * (native-models/reference/run_cuda.sh; results in docs/benchmarks.md and docs/cuda-notes.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { listBackends } from '../../native-models/js/engine.js';
import { packedPair, repoRoot, toolPath } from './helpers.js';

function findNvcc(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/cuda/bin']) {
    const p = path.join(dir, 'nvcc');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

const nvcc = findNvcc();
const NOT_BUILT = 'this build of the engine has no CUDA backend';
// What the backend's probe says on a machine without a usable driver or GPU (or with too old a GPU).
const RUNTIME_REASON = /no usable NVIDIA driver or GPU \(.+\)|no NVIDIA GPU found|needs 8\.0 \(Ampere\) or newer/;

describe('CUDA backend (no GPU in CI)', () => {
  it('is compiled into the engine wherever nvcc is installed, and says why it cannot run', () => {
    const cuda = listBackends().find((b) => b.id === 'cuda');
    expect(cuda).toBeDefined();
    if (nvcc) {
      if (cuda!.available) expect(cuda!.name).toMatch(/^NVIDIA CUDA \(.+, \d+ GiB\)$/);
      else expect(cuda!.reason).toMatch(RUNTIME_REASON);
    } else {
      expect(cuda!.available).toBe(false);
      expect(cuda!.reason).toBe(NOT_BUILT);
    }
  });

  it('the CLI refuses --backend cuda with the reason instead of crashing', () => {
    const cuda = listBackends().find((b) => b.id === 'cuda')!;
    const pair = packedPair('tiny');
    const wav = path.join(repoRoot, 'test/fixtures/audio/hello-dictation-16k.wav');
    const run = spawnSync(toolPath('vxd-run'), ['--model', pair.pte, '--data', pair.ptd, '--backend', 'cuda', wav], {
      encoding: 'utf8',
    });
    if (cuda.available) {
      expect(run.status).toBe(0);
    } else {
      expect(run.signal).toBeNull();
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('backend cuda is unavailable');
      expect(run.stderr).toContain(cuda.reason!);
    }
  });

  it(
    'builds the GPU check and benchmark programs where nvcc exists (CPU-only where not); they exit cleanly without a GPU',
    () => {
      const build = mkdtempSync(path.join(os.tmpdir(), 'vxd-cuda-tools-'));
      // One GPU target keeps this to about a minute on two cores; the engine build covers both.
      const configure = execFileSync('cmake', ['-S', path.join(repoRoot, 'native-models/tools/cuda'), '-B', build,
        '-DCMAKE_BUILD_TYPE=Release', '-DVXD_CUDA_GENCODE=-gencode=arch=compute_90a,code=sm_90a'], { encoding: 'utf8' });
      const targets = ['cuda_probe', 'synthetic_layout_check', ...(nvcc ? ['cuda_op_check', 'bench_engine'] : [])];
      execFileSync('cmake', ['--build', build, '-j', '2', '--target', ...targets], { stdio: 'pipe', maxBuffer: 64 << 20 });
      const probe = execFileSync(path.join(build, 'cuda_probe'), { encoding: 'utf8' });
      const cudaLine = probe.split('\n').find((l) => l.startsWith('cuda '))!;
      expect(probe).toMatch(/^cpu available CPU \(/m);
      // A GPU that is not there: a clear error, whatever the machine has.
      expect(probe).toMatch(/^create cuda GPU-00000000-0000-0000-0000-000000000000: error 5: (backend cuda is unavailable: |the chosen GPU GPU-0{8}-.* is not on this machine)/m);
      if (!nvcc) {
        expect(configure).toContain('building without the CUDA backend');
        expect(cudaLine).toContain(NOT_BUILT);
      } else if (cudaLine.startsWith('cuda unavailable')) {
        expect(cudaLine).toMatch(RUNTIME_REASON);
        expect(probe).toMatch(/^create cuda: error 5: backend cuda is unavailable: /m);
        // The op check exits 2 (not 1, not a crash) when there is no GPU to check.
        const check = spawnSync(path.join(build, 'cuda_op_check'), ['1'], { encoding: 'utf8' });
        expect(check.signal).toBeNull();
        expect(check.status).toBe(2);
        expect(check.stdout).toContain('no CUDA backend: backend cuda is unavailable');
      } else {
        expect(probe).toMatch(/^create cuda: ok \(cuda\)$/m);
      }
      // The benchmark's synthetic weights must keep the packer's exact layout (names, dtypes, shapes,
      // constants) or the GPU figures would describe another model.
      const pairs = [{}, { dtype: 'bf16' }, { quant: '8w' }, { dtype: 'bf16', quant: '4w' }] as const;
      const layout = spawnSync(path.join(build, 'synthetic_layout_check'), ['--preset', 'tiny',
        ...pairs.map((p) => path.dirname(packedPair('tiny', p).pte))], { encoding: 'utf8' });
      expect(layout.signal).toBeNull();
      expect(layout.status, layout.stdout + layout.stderr).toBe(0);
      const other = spawnSync(path.join(build, 'synthetic_layout_check'), ['--preset', 'full', path.dirname(packedPair('tiny').pte)], { encoding: 'utf8' });
      expect(other.status).not.toBe(0); // a tiny pair is not the full layout
      if (nvcc) {
        // The benchmark drives the engine's own model code: on the CPU backend at the tiny shape its
        // CPU-vs-CPU parity must be exact.
        const json = path.join(build, 'bench.json');
        const bench = spawnSync(path.join(build, 'bench_engine'), ['--preset', 'tiny', '--backend', 'cpu', '--dtypes', '4w',
          '--positions', '100', '--iters', '2', '--rtf-seconds', '0', '--parity', '2', '--json', json], { encoding: 'utf8' });
        expect(bench.status, bench.stdout + bench.stderr).toBe(0);
        const run = JSON.parse(readFileSync(json, 'utf8')).runs[0];
        expect(run).toMatchObject({ dtype: '4w', parity_equal: run.parity_total, parity_logits_rel: 0 });
        expect(run.steps[0].ms_per_step).toBeGreaterThan(0);
      }
    },
    600_000,
  );
});
