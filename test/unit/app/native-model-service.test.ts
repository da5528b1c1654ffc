import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseValidators } from '../../../electron/common/ipc-contract';
import { check } from '../../../electron/common/validate';
import { NativeModelService } from '../../../electron/core/app/native-model-service';
import { makeCheckpoint } from '../../../native-models/js/checkpoint/make-checkpoint';
import { presets } from '../../../native-models/js/checkpoint/presets';
import { pack } from '../../../native-models/js/pack/pack';

let dir = '';
let pte = '';
let ptd = '';
const models = new NativeModelService();

beforeAll(async () => {
  // A real (tiny, random) Voxtral model pair, packed by the project's own packer.
  dir = await mkdtemp(path.join(tmpdir(), 'vxd-models-'));
  makeCheckpoint(presets.tiny, 7, path.join(dir, 'ckpt'));
  pack({ checkpointDir: path.join(dir, 'ckpt'), outDir: path.join(dir, 'out'), dtype: 'bf16', quant: '8w', groupSize: 32 });
  pte = path.join(dir, 'out', 'model.pte');
  ptd = path.join(dir, 'out', 'model.ptd');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('NativeModelService', () => {
  it('summarises a packed model pair for the settings view', async () => {
    const summary = await models.inspect({ pte, ptd });
    expect(check(responseValidators.inspectModel, summary).ok).toBe(true);
    expect(summary).toMatchObject({
      pte, ptd, runnable: true, reason: null, weightDtype: 'bf16', quant: '8w',
      sizeBytes: (await stat(pte)).size + (await stat(ptd)).size,
    });
    expect(summary.methods).toEqual(expect.arrayContaining(['encode_audio_chunk', 'text_decoder', 'token_embedding']));
    expect(summary.config).toMatchObject({ dim: 64, n_layers: 2, vocab_size: 1280, sample_rate: 16000 });
  });

  it('finds the model.ptd next to the .pte when none is given', async () => {
    const summary = await models.inspect({ pte, ptd: null });
    expect(summary.ptd).toBe(ptd);
    expect(summary.runnable).toBe(true);
  });

  it('says why a file is not a model, and when it is missing', async () => {
    const junk = path.join(dir, 'junk.pte');
    await writeFile(junk, Buffer.from('definitely not an ExecuTorch program'));
    await expect(models.inspect({ pte: junk, ptd: null })).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringMatching(/^Not a readable model: /) });
    await expect(models.inspect({ pte: path.join(dir, 'missing.pte'), ptd: null })).rejects.toMatchObject({ code: 'not-found' });
    await expect(models.inspect({ pte, ptd: path.join(dir, 'missing.ptd') })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('lists both backends, each available or with a reason', async () => {
    const backends = await models.listBackends();
    expect(check(responseValidators.listBackends, backends).ok).toBe(true);
    expect(backends.map((b) => b.id).sort()).toEqual(['cpu', 'cuda']);
    for (const b of backends) expect(b.available || Boolean(b.reason)).toBe(true);
  });
});
