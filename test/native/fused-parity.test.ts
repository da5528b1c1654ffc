/**
 * The fused ops (Backend::matmul_multi, gated_ffn, rope_kv_write) default to the unfused op
 * sequence, and the CPU backend keeps those defaults: a model run with the fused forward pass
 * (default) and with VXD_FUSED=0 must give bit-identical logits and tokens on the CPU backend,
 * for every weight layout and activation dtype, across ring-cache wraps (small preset) and
 * chunked streaming. A CPU override of a fused op that rounds differently fails here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { packedPair, repoRoot, scratchDir, toolPath } from './helpers.js';

function run(pte: string, dtype: 'fp32' | 'bf16', fused: '0' | '1', logits: string, chunk: number): { tokens: number[]; logits: Buffer } {
  const wav = path.join(repoRoot, 'test/fixtures/audio/quick-brown-fox-16k.wav');
  const r = spawnSync(toolPath('vxd-run'), ['--model', pte, '--dtype', dtype, '--threads', '2', '--chunk', String(chunk), '--logits', logits, wav], {
    encoding: 'utf8',
    env: { ...process.env, VXD_FUSED: fused },
  });
  expect(r.signal).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"tokens"'));
  expect(line, r.stdout).toBeDefined();
  return { tokens: JSON.parse(line!).tokens as number[], logits: readFileSync(logits) };
}

describe('fused ops on the CPU backend', () => {
  const cases = [
    { preset: 'tiny', dtype: 'fp32', quant: 'none' },
    { preset: 'tiny', dtype: 'bf16', quant: '8w' },
    { preset: 'small', dtype: 'bf16', quant: '4w' },
    { preset: 'small', dtype: 'fp32', quant: 'none' },
  ] as const;
  for (const c of cases) {
    it(`VXD_FUSED=0 and the fused default give identical logits: ${c.preset} ${c.dtype} ${c.quant}`, () => {
      const pair = packedPair(c.preset, { dtype: c.dtype, quant: c.quant });
      const dir = scratchDir(`fused-${c.preset}-${c.dtype}-${c.quant}`);
      for (const act of ['fp32', 'bf16'] as const) {
        const chunk = act === 'fp32' ? 3000 : 16000;
        const fused = run(pair.pte, act, '1', path.join(dir, `fused-${act}.f32`), chunk);
        const plain = run(pair.pte, act, '0', path.join(dir, `plain-${act}.f32`), chunk);
        expect(fused.tokens.length).toBeGreaterThan(20);
        expect(fused.logits.length).toBeGreaterThan(0);
        expect(fused.tokens).toEqual(plain.tokens);
        expect(fused.logits.equals(plain.logits)).toBe(true);
      }
    });
  }
});
