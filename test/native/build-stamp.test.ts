// native-models/tools/cuda/build_stamp.sh decides whether the device call may use the CUDA tools
// built here (run_cuda.sh): same sources and flags must give the same stamp, and any change to a
// file the build reads, or to the flags, a different one. Run on a copy of the script in a scratch
// tree, so the repository is never touched.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tree = mkdtempSync(path.join(os.tmpdir(), 'vxd-stamp-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function put(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
  writeFileSync(path.join(tree, file), text);
}
const stamp = (...flags: string[]): string =>
  execFileSync('bash', [path.join(tree, 'native-models/tools/cuda/build_stamp.sh'), ...flags], { encoding: 'utf8' }).trim();

describe('build_stamp.sh', () => {
  it('changes with any source or CMake file the build reads and with the flags, and with nothing else', () => {
    mkdirSync(path.join(tree, 'native-models/tools/cuda'), { recursive: true });
    copyFileSync(path.join(repoRoot, 'native-models/tools/cuda/build_stamp.sh'), path.join(tree, 'native-models/tools/cuda/build_stamp.sh'));
    put('native-models/CMakeLists.txt', 'project(vxd)\n');
    put('native-models/src/a.cpp', 'int a;\n');
    put('native-models/kernels/cuda/k.cu', '__global__ void k() {}\n');
    for (const dir of ['include', 'tools', 'reference']) mkdirSync(path.join(tree, 'native-models', dir), { recursive: true });
    const first = stamp('-gencode=sm_90a');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp('-gencode=sm_90a')).toBe(first);
    expect(stamp('-gencode=sm_80')).not.toBe(first);
    // Files the build does not read: Python scripts, build outputs elsewhere.
    put('native-models/reference/bench_hf.py', 'print(1)\n');
    put('native-models/build-prebuilt/cuda_probe', 'binary');
    expect(stamp('-gencode=sm_90a')).toBe(first);
    put('native-models/kernels/cuda/k.cu', '__global__ void k() { }\n');
    const edited = stamp('-gencode=sm_90a');
    expect(edited).not.toBe(first);
    put('native-models/reference/bench_engine.cpp', 'int main() {}\n');
    expect(stamp('-gencode=sm_90a')).not.toBe(edited);
  });
});
