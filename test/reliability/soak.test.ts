/**
 * Soak: 30 minutes of audio through one engine session (the `wrap` reference checkpoint: decoder
 * window 24, encoder window 40, so positions run thousands of windows past both and the ring caches
 * wrap thousands of times), CPU, faster than real time. Memory (RSS) is taken once warm and at the
 * end and must stay flat; the tokens must equal a reference: the same audio pushed through a second
 * session in irregular chunk sizes. Figures are printed (docs/reliability.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readWavFile } from '../../native-models/js/audio/load-audio.js';
import { loadModel, type EngineModel } from '../../native-models/js/engine.js';
import { pack } from '../../native-models/js/pack/pack.js';
import { rng } from './mutate.js';

const repoRoot = path.resolve(__dirname, '..', '..');
const SAMPLE_RATE = 16_000;
const SOAK_SECONDS = 30 * 60;
const TOTAL = SOAK_SECONDS * SAMPLE_RATE;
const STEP = 1280;
/** RSS growth allowed between warm-up and the end: caches are fixed-size rings, so real growth is ~0. */
const RSS_GROWTH_LIMIT = 48 * 2 ** 20;
/** Growth outside the JS heap allowed over the second session, once memory has reached its plateau. */
const PLATEAU_GROWTH_LIMIT = 16 * 2 ** 20;
/** RSS is taken once this much audio has gone through (allocators and the JS heap have settled). */
const WARM_SECONDS = 120;

/** The soak audio, generated on demand (never held whole): speech clip, then silence, with a slowly varying gain. */
function audioSource(): (offset: number, n: number) => Float32Array {
  const speech = readWavFile(path.join(repoRoot, 'test/fixtures/audio/quick-brown-fox-16k.wav')).samples;
  const period = speech.length + 2 * SAMPLE_RATE;
  return (offset, n) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = offset + i;
      const within = t % period;
      const gain = 0.6 + 0.4 * Math.sin(t / (SAMPLE_RATE * 97));
      out[i] = within < speech.length ? speech[within] * gain : 0;
    }
    return out;
  };
}

interface Run { tokens: number[]; lastPosition: number; seconds: number; rssWarm: number; rssEnd: number; outsideHeapWarm: number; outsideHeapEnd: number }

/** Streams the whole soak through one session, `chunk(offset)` samples at a time, paced by the engine's output. */
async function soak(model: EngineModel, chunk: (offset: number) => number): Promise<Run> {
  const audio = audioSource();
  const streamed: number[] = [];
  let lastPosition = -1;
  const errors: Error[] = [];
  const session = model.createSession({
    onTokens: (ids, first) => { streamed.push(...ids); lastPosition = first + ids.length - 1; },
    onError: (e) => errors.push(e),
  });
  const t0 = performance.now();
  let rssWarm = 0;
  let outsideHeapWarm = 0;
  // RSS minus the JS heap: what the engine and its buffers hold, without GC timing noise.
  const outsideHeap = () => { const m = process.memoryUsage(); return m.rss - m.heapTotal; };
  try {
    for (let offset = 0; offset < TOTAL; ) {
      const n = Math.min(TOTAL - offset, Math.max(1, chunk(offset)));
      session.push(audio(offset, n));
      offset += n;
      // Keep 5 to 10 s queued: memory must reflect the engine, not a backlog of audio, and the
      // engine must never wait for the test.
      const queuedSteps = () => Math.floor(offset / STEP) - streamed.length;
      if (queuedSteps() > 125) while (queuedSteps() > 60 && errors.length === 0) await new Promise((r) => setTimeout(r, 5));
      if (!rssWarm && offset >= WARM_SECONDS * SAMPLE_RATE) {
        rssWarm = process.memoryUsage().rss;
        outsideHeapWarm = outsideHeap();
      }
    }
    const result = await session.flush();
    if (errors.length) throw errors[0];
    // flush returns every id after the prompt; the streamed ones are its prefix.
    expect(result.tokens.slice(0, streamed.length)).toEqual(streamed);
    return {
      tokens: result.tokens, lastPosition, seconds: (performance.now() - t0) / 1000,
      rssWarm, rssEnd: process.memoryUsage().rss, outsideHeapWarm, outsideHeapEnd: outsideHeap(),
    };
  } finally {
    session.close();
  }
}

describe('soak: 30 minutes of audio through one session', () => {
  let dir: string;
  let model: EngineModel;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vxd-soak-'));
    pack({ checkpointDir: path.join(repoRoot, 'test/fixtures/reference/wrap/checkpoint'), outDir: dir, dtype: 'fp32', quant: 'none', groupSize: 32 });
    model = await loadModel({ pte: path.join(dir, 'model.pte'), ptd: path.join(dir, 'model.ptd'), backend: 'cpu', dtype: 'fp32', threads: 2 });
  });
  afterAll(() => {
    model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('positions far past both windows, memory flat, tokens equal to a differently chunked reference', async () => {
    const next = rng(40_001);
    // The 80 ms frames the renderer sends, then a reference fed 1 sample .. 3 s at a time (one after
    // the other: two sessions at once on two cores were slower here).
    const frames = await soak(model, () => STEP);
    const reference = await soak(model, () => 1 + Math.floor(next() ** 3 * 48_000));

    const steps = Math.floor(TOTAL / STEP);
    const { sliding_window: decoderWindow, max_enc_len: encoderWindow } = model.info;
    expect(frames.lastPosition).toBeGreaterThan(steps);
    expect(frames.lastPosition / decoderWindow).toBeGreaterThan(500);
    expect((frames.lastPosition * 4) / encoderWindow).toBeGreaterThan(1000); // 4 encoder frames per decoder step
    expect(frames.tokens.length).toBeGreaterThanOrEqual(steps);
    expect(frames.tokens).not.toContain(model.info.eos_id);
    expect(new Set(frames.tokens).size).toBeGreaterThan(3); // real output, not one repeated id
    expect(reference.tokens).toEqual(frames.tokens);
    const rssWarm = frames.rssWarm;
    const rssEnd = Math.max(frames.rssEnd, reference.rssEnd);
    expect(rssEnd - rssWarm).toBeLessThan(RSS_GROWTH_LIMIT);
    // The first session brings the allocators to their plateau; a whole second 30 minutes must stay on it.
    expect(reference.outsideHeapEnd - reference.outsideHeapWarm).toBeLessThan(PLATEAU_GROWTH_LIMIT);

    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    console.info(`[reliability] soak: ${SOAK_SECONDS} s of audio, ${frames.tokens.length} tokens, last position ${frames.lastPosition} `
      + `(${(frames.lastPosition / decoderWindow).toFixed(0)}× the decoder window ${decoderWindow}, ${((frames.lastPosition * 4) / encoderWindow).toFixed(0)}× the encoder window ${encoderWindow}); `
      + `80 ms frames ${frames.seconds.toFixed(1)} s (${(SOAK_SECONDS / frames.seconds).toFixed(0)}× real time), irregular chunks ${reference.seconds.toFixed(1)} s, tokens identical; `
      + `RSS after ${WARM_SECONDS} s ${mib(rssWarm)} MiB, at the end ${mib(rssEnd)} MiB (outside the JS heap: ${mib(frames.outsideHeapWarm)} → ${mib(frames.outsideHeapEnd)} MiB, reference ${mib(reference.outsideHeapWarm)} → ${mib(reference.outsideHeapEnd)} MiB); engine caches ${mib(model.info.cacheBytesPerSession)} MiB per session`);
  }, 600_000);
});
