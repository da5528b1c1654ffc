/**
 * The committed HF parity fixtures are what the manifest says they are, internally consistent,
 * and usable by the packer. No engine needed; test/native/parity.test.ts replays them on the engine.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from '../../native-models/js/pack/pack.js';
import {
  argmaxRow,
  arrayNames,
  checkpointDir,
  loadArray,
  loadBounds,
  loadManifest,
  loadMatrix,
  nAudioPositions,
  parityCases,
  readWav16kMono,
  repoRoot,
  sha256File,
  top2Margin,
} from './parity-fixtures.js';

const SILENCE_MEL = (1.5 - 8 + 4) / 4; // log-mel of digital silence with the fixed global max 1.5

const scratch = mkdtempSync(path.join(tmpdir(), 'vxd-parity-fixtures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(parityCases)('reference fixture %s', (c) => {
  const manifest = loadManifest(c);
  const params = JSON.parse(readFileSync(path.join(checkpointDir(c), 'params.json'), 'utf8'));
  const encDim: number = params.multimodal.whisper_model_args.encoder_args.dim;

  it('belongs to the committed checkpoint and audio', () => {
    expect(sha256File(path.join(checkpointDir(c), 'consolidated.safetensors'))).toBe(manifest.checkpointSha256);
    const audio = readWav16kMono(path.join(repoRoot, manifest.audio));
    expect(audio.length).toBe(manifest.audioSamples);
    expect(manifest.nAudio).toBe(nAudioPositions(audio.length));
    expect(manifest.promptLength).toBe(39);
  });

  it('has arrays of the documented shapes, all finite', () => {
    const n = manifest.nAudio;
    const expected = {
      mel: [8 * n, 128],
      encoder: [4 * n, encDim],
      audio_embeds: [n, params.dim],
      logits: [manifest.tokens.length, params.vocab_size],
    };
    for (const name of arrayNames) {
      const m = loadArray(c, manifest, name);
      expect([m.rows, m.cols], name).toEqual(expected[name]);
      expect(m.data.every(Number.isFinite), `${name} finite`).toBe(true);
    }
  });

  it('generated n_audio − 39 tokens like HF generate, each the argmax of its logits row', () => {
    const logits = loadArray(c, manifest, 'logits');
    expect(manifest.tokens.length).toBe(manifest.nAudio - manifest.promptLength); // no EOS in these fixtures
    manifest.tokens.forEach((t, k) => expect(argmaxRow(logits, k), `step ${k}`).toBe(t));
    manifest.margins.forEach((m, k) => expect(top2Margin(logits, k)).toBeCloseTo(m, 4));
    // A useful fixture: tokens follow the audio instead of repeating the prompt's pad forever.
    expect(new Set(manifest.tokens).size).toBeGreaterThanOrEqual(5);
    expect(Math.min(...manifest.margins)).toBeGreaterThan(0.05);
  });

  it.each(['8w', '4w'] as const)('has a self-consistent %s quantized reference', (scheme) => {
    const q = manifest.quantized[scheme];
    const logits = loadMatrix(c, q.logits);
    expect([logits.rows, logits.cols]).toEqual([manifest.tokens.length, params.vocab_size]);
    expect(logits.data.every(Number.isFinite)).toBe(true);
    q.tokens.forEach((t, k) => expect(argmaxRow(logits, k), `step ${k}`).toBe(t));
    q.margins.forEach((m, k) => expect(top2Margin(logits, k)).toBeCloseTo(m, 4));
  });

  it('has silent left padding in the mel (fixed log-mel max 1.5)', () => {
    const mel = loadArray(c, manifest, 'mel');
    // Frames 2..253 see only the 40960 zero samples of the left pad (frame t spans 160t ± 200).
    for (const t of [2, 100, 253]) {
      for (let f = 0; f < 128; f++) expect(mel.data[t * 128 + f]).toBeCloseTo(SILENCE_MEL, 6);
    }
    const speech = mel.data.subarray(260 * 128, (8 * manifest.nAudio - 17 * 8) * 128);
    expect(Math.max(...speech)).toBeGreaterThan(0.5); // the WAV's speech is there
  });

  it('recorded HF cross-checks that agree with the float64 numpy model of the spec', () => {
    const checks = manifest.crossChecks as {
      hfGenerateTokensEqual: boolean;
      hfStreamingLogitsRelErr: number;
      numpyMelMaxAbs: number;
      float64: { hf64VsNumpy64: { logitsRelErr: number; tokensEqual: boolean } };
    };
    expect(checks.hfGenerateTokensEqual).toBe(true);
    expect(checks.hfStreamingLogitsRelErr).toBeLessThan(1e-5);
    expect(checks.numpyMelMaxAbs).toBeLessThan(1e-4);
    expect(checks.float64.hf64VsNumpy64.tokensEqual).toBe(true);
    expect(checks.float64.hf64VsNumpy64.logitsRelErr).toBeLessThan(1e-5);
  });

  it.each([
    ['fp32', 'none'],
    ['bf16', 'none'],
    ['fp32', '8w'],
    ['fp32', '4w'],
  ] as const)('packs with the packer as %s/%s', (dtype, quant) => {
    const outDir = path.join(scratch, `${c}-${dtype}-${quant}`);
    const result = pack({ checkpointDir: checkpointDir(c), outDir, dtype, quant, groupSize: 32 });
    expect(result.constants.dim).toBe(params.dim);
    expect(result.constants.sliding_window).toBe(params.sliding_window);
    for (const f of ['model.pte', 'model.ptd', 'tekken.json']) expect(existsSync(path.join(outDir, f)), f).toBe(true);
    expect(statSync(path.join(outDir, 'model.ptd')).size).toBe(Number(result.ptdBytes));
  });
});

describe('parity bounds (test/fixtures/reference/bounds.json)', () => {
  it("cover every variant and keep the issue's fp32 tolerances", () => {
    const b = loadBounds();
    expect(Object.keys(b.variants).sort()).toEqual(['4w', '8w', 'bf16', 'fp32']);
    expect(b.melMaxAbs).toBeLessThanOrEqual(1e-4);
    expect(b.variants.fp32).toMatchObject({ weights: 'fp32', quant: 'none', activations: 'fp32', exactTokens: true });
    expect(b.variants.fp32.logitsVsHf).toBeLessThanOrEqual(1e-3);
    for (const q of ['8w', '4w'] as const) {
      expect(b.variants[q]).toMatchObject({ quant: q, activations: 'fp32', exactTokens: true });
      expect(b.variants[q].logitsVsQuantized).toBeLessThanOrEqual(1e-3);
    }
  });
});
