/**
 * Bad files and bad requests give a clear EngineError with a code, never a crash: missing files,
 * truncated or corrupt .ptd, a mismatched pair, a genuine ExecuTorch export, wrong backend or
 * dtype, an exhausted memory budget, and random byte corruption of both files.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { EngineError, listBackends, loadModel } from '../../native-models/js/engine.js';
import { packedPair, repoRoot, scratchDir } from './helpers.js';

async function loadError(opts: Parameters<typeof loadModel>[0]): Promise<EngineError> {
  try {
    const m = await loadModel(opts);
    m.dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected the load to fail');
}

function variant(name: string, mutate: (ptd: Buffer) => Buffer) {
  const pair = packedPair('tiny');
  const dir = scratchDir(name);
  const pte = path.join(dir, 'model.pte');
  copyFileSync(pair.pte, pte);
  writeFileSync(path.join(dir, 'model.ptd'), mutate(readFileSync(pair.ptd)));
  return pte;
}

describe('bad inputs', () => {
  it('a missing .pte or .ptd is an IO error naming the path', async () => {
    const e1 = await loadError({ pte: '/nonexistent/model.pte', backend: 'cpu', dtype: 'fp32' });
    expect(e1.code).toBe('IO');
    expect(e1.message).toContain('/nonexistent/model.pte');
    const e2 = await loadError({ pte: packedPair('tiny').pte, ptd: '/nonexistent/x.ptd', backend: 'cpu', dtype: 'fp32' });
    expect(e2.code).toBe('IO');
    expect(e2.message).toContain('/nonexistent/x.ptd');
  });

  it('a truncated .ptd is refused with its sizes', async () => {
    const pte = variant('truncated', (b) => b.subarray(0, Math.floor(b.length * 0.6)));
    const e = await loadError({ pte, backend: 'cpu', dtype: 'fp32' });
    expect(e.code).toBe('FORMAT');
    expect(e.message).toMatch(/truncated/);
  });

  it('a tensor whose declared layout does not match the model is named', async () => {
    const pair = packedPair('tiny');
    const other = packedPair('small');
    const e = await loadError({ pte: pair.pte, ptd: other.ptd, backend: 'cpu', dtype: 'fp32' });
    expect(e.code).toBe('FORMAT');
    expect(e.message).toMatch(/does not match the \.pte: tensor \S+ has shape \[/);
  });

  it('a weight pack of another dtype is refused, naming tensor and dtype', async () => {
    const fp32 = packedPair('tiny');
    const bf16 = packedPair('tiny', { dtype: 'bf16' });
    const e = await loadError({ pte: fp32.pte, ptd: bf16.ptd, backend: 'cpu', dtype: 'fp32' });
    expect(e.code).toBe('FORMAT');
    expect(e.message).toMatch(/is BFLOAT16, expected FLOAT/);
  });

  it('files swapped or foreign are explained', async () => {
    const pair = packedPair('tiny');
    expect((await loadError({ pte: pair.ptd, backend: 'cpu', dtype: 'fp32' })).message).toMatch(/is a \.ptd weights file/);
    const genuine = path.join(repoRoot, '../shared/fixtures/executorch/AddModel_model.pte');
    const e = await loadError({ pte: genuine, ptd: pair.ptd, backend: 'cpu', dtype: 'fp32' });
    expect(e.code).toBe('FORMAT');
    expect(e.message).toContain('this .pte needs the ExecuTorch runtime');
  });

  it('unknown dtype, unavailable backend and memory budget are clear errors', async () => {
    const pte = packedPair('tiny').pte;
    expect((await loadError({ pte, backend: 'cpu', dtype: 'fp16' as 'fp32' })).code).toBe('INVALID_ARGUMENT');
    const cuda = listBackends().find((b) => b.id === 'cuda');
    expect(cuda).toBeDefined();
    if (!cuda!.available) {
      const e = await loadError({ pte, backend: 'cuda', dtype: 'fp32' });
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.message).toContain(cuda!.reason!);
    }
    // A GPU that is not there is refused, never swapped for another.
    const absent = await loadError({ pte, backend: 'cuda', dtype: 'fp32', gpu: 'GPU-00000000-0000-0000-0000-000000000000' });
    expect(absent.code).toBe('BACKEND_UNAVAILABLE');
    expect(absent.message).toMatch(cuda!.available ? /the chosen GPU GPU-00000000-0000-0000-0000-000000000000 is not on this machine \(found: #0 / : /backend cuda is unavailable/);
    const e = await loadError({ pte, backend: 'cpu', dtype: 'fp32', memoryBudgetBytes: 1 << 20 });
    expect(e.code).toBe('OUT_OF_MEMORY');
    expect(e.message).toMatch(/over the memory budget of 1 MiB/);
  });

  it('random corruption of either file never crashes the engine', async () => {
    const pair = packedPair('tiny');
    const pte = readFileSync(pair.pte);
    const ptd = readFileSync(pair.ptd);
    const dir = scratchDir('fuzz');
    let seed = 99;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let failures = 0;
    for (let i = 0; i < 60; i++) {
      const target = i % 2 === 0 ? Buffer.from(pte) : Buffer.from(ptd);
      // Corrupt the structural part (headers and flatbuffer), where offsets live.
      const span = Math.min(target.length, i % 2 === 0 ? target.length : 4096);
      for (let k = 0; k < 1 + rand(8); k++) target[rand(span)] = rand(256);
      writeFileSync(path.join(dir, 'model.pte'), i % 2 === 0 ? target : pte);
      writeFileSync(path.join(dir, 'model.ptd'), i % 2 === 0 ? ptd : target);
      try {
        const m = await loadModel({ pte: path.join(dir, 'model.pte'), backend: 'cpu', dtype: 'fp32' });
        m.dispose(); // corruption that hit padding or weight values loads fine
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        expect((err as EngineError).message.length).toBeGreaterThan(10);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(10);
  });
});
