// The demo model's architecture (native-models/train/recipe.py) goes through the packer and the native
// engine unchanged, and the engine computes on it what the float64 numpy reference computes: proven
// here on random weights, before any GPU training, so a trained checkpoint can only differ in its numbers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { readWavFile } from '../../native-models/js/audio/load-audio.js';
import { loadModel } from '../../native-models/js/engine.js';
import { pack } from '../../native-models/js/pack/pack.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vxd-demo-arch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('demo architecture through packer and engine', () => {
  it('packs, loads with the recipe dimensions, and streams the tokens the numpy reference predicts', async () => {
    const checkpoint = path.join(scratch, 'checkpoint');
    execFileSync('python3', [path.join(repo, 'native-models/train/random_checkpoint.py'), checkpoint], { stdio: 'pipe', timeout: 120_000 });
    const params = JSON.parse(readFileSync(path.join(checkpoint, 'params.json'), 'utf8'));
    const packed = path.join(scratch, 'packed');
    pack({ checkpointDir: checkpoint, outDir: packed, dtype: 'fp32', quant: 'none', groupSize: 32 });

    const model = await loadModel({ pte: path.join(packed, 'model.pte'), backend: 'cpu', dtype: 'fp32', threads: 2 });
    try {
      const enc = params.multimodal.whisper_model_args.encoder_args;
      expect(model.info).toMatchObject({
        dim: params.dim, n_layers: params.n_layers, vocab_size: params.vocab_size, sliding_window: params.sliding_window,
        enc_dim: enc.dim, enc_n_layers: enc.n_layers, bos_id: 1, eos_id: 2, streaming_pad_id: 32, delay_tokens: 6,
      });
      const audio = readWavFile(path.join(repo, 'test/fixtures/audio/hello-dictation-16k.wav')).samples;
      const session = model.createSession({ onTokens: () => {}, onError: (e) => { throw e; } });
      session.push(audio);
      const { tokens, steps } = await session.flush();
      session.close();
      expect(steps).toBeGreaterThan(Math.floor(audio.length / 1280));
      expect(tokens.every((t) => Number.isInteger(t) && t >= 0 && t < params.vocab_size)).toBe(true);

      const audioPath = path.join(scratch, 'audio.f32');
      writeFileSync(audioPath, Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength));
      const tokensPath = path.join(scratch, 'tokens.json');
      writeFileSync(tokensPath, JSON.stringify(tokens));
      const report = JSON.parse(execFileSync('python3', [path.join(repo, 'test/train/demo_reference.py'), checkpoint, audioPath, tokensPath], { encoding: 'utf8', timeout: 300_000 }));
      expect(report.compared).toBeGreaterThan(20);
      expect(report.distinct_tokens).toBeGreaterThan(1);
      // Every greedy choice agrees, except where the reference's top two logits are a float32 hair apart.
      const disagreements = report.compared - report.agree;
      if (disagreements > 0) expect(report.min_margin_of_disagreements).toBeLessThan(1e-3);
      expect(disagreements).toBeLessThanOrEqual(1);
    } finally {
      model.dispose();
    }
  }, 300_000);
});
