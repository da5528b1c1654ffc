/**
 * The CUDA backend's tiled q4 layout (native-models/kernels/cuda/q4_tiles.h, v23), index math
 * only, on CPU through `vxd-selftest q4tiles`: the repack puts every word of the file's layout in
 * exactly one 16-byte slot, and the slots the tensor-core GEMV reads hold, lane by lane, the words
 * its untiled form reads from the file's layout (so the MMAs see the same operands), and the
 * paths that read whole rows find each file word again through the inverse map. The GEMV
 * itself runs only on the GPU machine (cuda_op_check against the CPU backend).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { toolPath } from './helpers.js';

interface Shape {
  n: number;
  k: number;
  bijective: boolean;
  lanesRead: number;
  inverse: number;
}

describe('tiled q4 layout', () => {
  const { shapes } = JSON.parse(execFileSync(toolPath('vxd-selftest'), ['q4tiles'], { encoding: 'utf8' })) as { shapes: Shape[] };

  it('covers the model shapes and the smallest tile', () => {
    const ks = new Set(shapes.map((s) => s.k));
    for (const k of [128, 1280, 4096, 5120, 9216]) expect(ks.has(k)).toBe(true);
    expect(shapes.some((s) => s.n === 16)).toBe(true);
  });

  it('puts every word in exactly one slot, and each lane reads the words of its untiled form', () => {
    for (const s of shapes) {
      expect(s, `${s.n} x ${s.k}`).toMatchObject({ bijective: true, lanesRead: 0 });
    }
  });

  it('finds each file word again where the row-reading paths look for it (the inverse map)', () => {
    for (const s of shapes) expect(s.inverse, `${s.n} x ${s.k}`).toBe(0);
  });
});
