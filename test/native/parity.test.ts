/**
 * Replays the HF transformers fixtures on the native engine (CPU): each committed random Mistral
 * checkpoint is packed with the packer, loaded through native-models/js/engine.ts, streamed the
 * case's WAV in 4000-sample pushes, and its captures are compared with what HF computed.
 * Bounds: test/fixtures/reference/bounds.json (measured errors in docs/benchmarks.md "Correctness");
 * fixture format: docs/reference-fixtures.md.
 *
 * Logits are compared only up to the first step where the engine's token differs from the
 * reference (inclusive): after that the two decoders are fed different tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, type CaptureName, type CapturedArray } from '../../native-models/js/engine.js';
import { pack } from '../../native-models/js/pack/pack.js';
import {
  checkpointDir,
  firstDivergence,
  loadArray,
  loadBounds,
  loadManifest,
  loadMatrix,
  maxAbsError,
  maxAbsErrorInRow,
  parityCases,
  readWav16kMono,
  relativeError,
  repoRoot,
  sha256File,
  worstRowRelativeError,
  type Matrix,
  type ParityCase,
} from './parity-fixtures.js';

const bounds = loadBounds();
const variants = Object.entries(bounds.variants).map(([name, v]) => ({ name, ...v }));
type Variant = (typeof variants)[number];

const CAPTURES: CaptureName[] = ['mel', 'encoder', 'audio_embeds', 'logits'];
const PUSH_SAMPLES = 4000; // not a multiple of 1280: steps straddle pushes, as live audio does

const scratch = mkdtempSync(path.join(tmpdir(), 'vxd-parity-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface EngineRun {
  tokens: number[];
  captures: Record<CaptureName, Matrix>;
}

async function runEngine(c: ParityCase, v: Variant, audio: Float32Array): Promise<EngineRun> {
  const outDir = path.join(scratch, `${c}-${v.name}`);
  pack({ checkpointDir: checkpointDir(c), outDir, dtype: v.weights, quant: v.quant, groupSize: 32 });
  const model = await loadModel({ pte: path.join(outDir, 'model.pte'), backend: 'cpu', dtype: v.activations, threads: 2 });
  try {
    const errors: Error[] = [];
    const session = model.createSession({ onTokens: () => {}, onError: (e) => errors.push(e), capture: CAPTURES });
    try {
      for (let at = 0; at < audio.length; at += PUSH_SAMPLES) session.push(audio.slice(at, at + PUSH_SAMPLES));
      const { tokens } = await session.flush();
      expect(errors).toEqual([]);
      const got = session.captures();
      const captures = {} as Record<CaptureName, Matrix>;
      for (const name of CAPTURES) {
        const a: CapturedArray | undefined = got[name];
        if (!a) throw new Error(`engine returned no ${name} capture`);
        expect(a.data.length, `${name} size`).toBe(a.rows * a.cols);
        captures[name] = { data: a.data, rows: a.rows, cols: a.cols };
      }
      return { tokens, captures };
    } finally {
      session.close();
    }
  } finally {
    model.dispose();
  }
}

/** Rows of the logits that saw identical inputs in both runs: up to the first divergence, inclusive. */
function comparableSteps(tokens: number[], reference: number[]): number {
  const k = firstDivergence(tokens, reference);
  return k < 0 ? reference.length : k + 1;
}

describe.each(parityCases)('engine vs HF transformers, case %s', (c) => {
  const manifest = loadManifest(c);
  const audio = readWav16kMono(path.join(repoRoot, manifest.audio));
  const hf = {
    mel: loadArray(c, manifest, 'mel'),
    encoder: loadArray(c, manifest, 'encoder'),
    audio_embeds: loadArray(c, manifest, 'audio_embeds'),
    logits: loadArray(c, manifest, 'logits'),
  };

  it('replays the checkpoint the fixtures were made from', () => {
    expect(sha256File(path.join(checkpointDir(c), 'consolidated.safetensors'))).toBe(manifest.checkpointSha256);
  });

  it.each(variants)('$name', async (v) => {
    const run = await runEngine(c, v, audio);
    const got = run.captures;
    for (const name of ['mel', 'encoder', 'audio_embeds'] as const) {
      expect([got[name].rows, got[name].cols], name).toEqual([hf[name].rows, hf[name].cols]);
    }
    const reference = v.quant === 'none' ? manifest : manifest.quantized[v.quant];
    // The engine also feeds the last audio position, so it samples one token more than generate().
    expect(run.tokens.length).toBe(reference.tokens.length + 1);
    expect(got.logits.rows).toBe(run.tokens.length);

    const steps = comparableSteps(run.tokens, reference.tokens);
    const measured = {
      melMaxAbs: maxAbsError(got.mel, hf.mel),
      encoder: relativeError(got.encoder, hf.encoder),
      audioEmbeds: relativeError(got.audio_embeds, hf.audio_embeds),
      logitsVsHf: worstRowRelativeError(got.logits, hf.logits, comparableSteps(run.tokens, manifest.tokens)),
      logitsVsQuantized: v.quant === 'none' ? undefined : worstRowRelativeError(got.logits, loadMatrix(c, manifest.quantized[v.quant].logits), steps),
      firstDivergence: firstDivergence(run.tokens, reference.tokens),
    };
    console.log(`parity ${c}/${v.name}: ${JSON.stringify(measured)}`);

    expect(measured.melMaxAbs).toBeLessThanOrEqual(bounds.melMaxAbs);
    expect(measured.encoder).toBeLessThanOrEqual(v.encoder);
    expect(measured.audioEmbeds).toBeLessThanOrEqual(v.audioEmbeds);
    expect(measured.logitsVsHf).toBeLessThanOrEqual(v.logitsVsHf);
    if (v.logitsVsQuantized !== undefined) expect(measured.logitsVsQuantized).toBeLessThanOrEqual(v.logitsVsQuantized);
    if (v.exactTokens) {
      expect(run.tokens.slice(0, reference.tokens.length)).toEqual(reference.tokens);
    } else if (measured.firstDivergence >= 0) {
      // A flip is only acceptable at a near-tie: HF's margin there within twice the engine's logit error.
      const k = measured.firstDivergence;
      const referenceLogits = v.quant === 'none' ? hf.logits : loadMatrix(c, manifest.quantized[v.quant].logits);
      expect(reference.margins[k]).toBeLessThanOrEqual(2 * maxAbsErrorInRow(got.logits, referenceLogits, k));
    }
  });
});
