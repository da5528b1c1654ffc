/** Addon lifecycle: listing backends, flush twice, push after flush/close, close with work pending, dispose order. */
import { describe, expect, it } from 'vitest';

import { EngineError, listBackends } from '../../native-models/js/engine.js';
import { fixtureAudio, load, packedPair } from './helpers.js';

describe('engine lifecycle', () => {
  it('lists cpu as available and cuda with a reason when it is not', () => {
    const backends = listBackends();
    expect(backends.map((b) => b.id).sort()).toEqual(['cpu', 'cuda']);
    const cpu = backends.find((b) => b.id === 'cpu')!;
    expect(cpu.available).toBe(true);
    expect(cpu.name).toMatch(/CPU \((scalar|avx2|avx512|neon)/);
    for (const b of backends) if (!b.available) expect(b.reason).toBeTruthy();
    // GPUs are listed per backend (the CUDA backend's, usable or not); the CPU has none.
    expect(cpu.devices).toEqual([]);
    const cuda = backends.find((b) => b.id === 'cuda')!;
    for (const d of cuda.devices) {
      // The UUID; "GPU#<index>" only for a GPU the driver could not describe (then never usable).
      expect(d.id).toMatch(d.usable ? /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ : /^GPU[-#]/);
      expect(d.usable || Boolean(d.reason)).toBe(true);
    }
    if (cuda.available) expect(cuda.devices.some((d) => d.usable)).toBe(true);
  });

  it('reports load progress and exposes the model configuration', async () => {
    const stages: string[] = [];
    const fractions: number[] = [];
    const pair = packedPair('tiny');
    const { loadModel } = await import('../../native-models/js/engine.js');
    // A GPU choice means nothing to the CPU backend: kept in settings while the CPU runs, ignored.
    const gpu = 'GPU-00000000-0000-0000-0000-000000000000';
    const model = await loadModel({ pte: pair.pte, backend: 'cpu', dtype: 'bf16', gpu, onProgress: (f, s) => (fractions.push(f), stages.push(s)) });
    try {
      expect(stages.at(-1)).toBe('ready');
      expect(fractions.at(-1)).toBe(1);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(model.info).toMatchObject({ dim: 64, enc_dim: 64, vocab_size: 1280, bos_id: 1, eos_id: 2, streaming_pad_id: 32, backend: 'cpu', dtype: 'bf16' });
      expect(model.info.cacheBytesPerSession).toBeGreaterThan(0);
      expect(model.info.deviceId).toBeUndefined();
    } finally {
      model.dispose();
    }
  });

  it('flush twice returns the same result; push after flush or close and flush after close are errors', async () => {
    const model = await load(packedPair('tiny'));
    const session = model.createSession({ onTokens: () => {}, onError: () => {} });
    session.push(fixtureAudio('hello-dictation-16k.wav'));
    const first = await session.flush();
    const second = await session.flush();
    expect(second.tokens).toEqual(first.tokens);
    expect(first.tokens.length).toBeGreaterThan(0);
    expect(() => session.push(new Float32Array(16))).toThrowError(EngineError);
    session.close();
    session.close(); // idempotent
    let code = '';
    try {
      session.push(new Float32Array(16));
    } catch (e) {
      code = (e as EngineError).code;
    }
    expect(code).toBe('STATE');
    await expect(session.flush()).rejects.toMatchObject({ code: 'STATE' });
    model.dispose();
  });

  it('flush without any audio resolves at once with no steps', async () => {
    const model = await load(packedPair('tiny'));
    const session = model.createSession({ onTokens: () => {}, onError: () => {} });
    expect(await session.flush()).toMatchObject({ tokens: [], steps: 0 });
    session.close();
    model.dispose();
  });

  it('treats non-finite samples as silence', async () => {
    const model = await load(packedPair('tiny'));
    const run = async (fill: number) => {
      const session = model.createSession({ onTokens: () => {}, onError: () => {} });
      const pcm = fixtureAudio('hello-dictation-16k.wav').slice();
      pcm.fill(fill, 8000, 12000);
      session.push(pcm);
      const r = await session.flush();
      session.close();
      return r.tokens;
    };
    const zeros = await run(0);
    expect(await run(Number.NaN)).toEqual(zeros);
    expect(await run(Number.POSITIVE_INFINITY)).toEqual(zeros);
    model.dispose();
  });

  it('push rejects anything but a Float32Array', async () => {
    const model = await load(packedPair('tiny'));
    const session = model.createSession({ onTokens: () => {}, onError: () => {} });
    expect(() => session.push([0, 1] as unknown as Float32Array)).toThrowError(/Float32Array/);
    session.close();
    model.dispose();
  });

  it('close with queued audio and a pending flush rejects the flush and stops at once', async () => {
    const model = await load(packedPair('small'));
    const session = model.createSession({ onTokens: () => {}, onError: () => {} });
    const pcm = fixtureAudio('quick-brown-fox-16k.wav');
    for (let i = 0; i < 40; i++) session.push(pcm); // ~3 minutes of audio queued
    const flushed = session.flush();
    const t0 = Date.now();
    session.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(flushed).rejects.toMatchObject({ code: 'STATE' });
    model.dispose();
  });

  it('a session outlives dispose() of its model until it is closed', async () => {
    const model = await load(packedPair('tiny'));
    const session = model.createSession({ onTokens: () => {}, onError: () => {} });
    model.dispose();
    session.push(fixtureAudio('hello-dictation-16k.wav'));
    const r = await session.flush();
    expect(r.tokens.length).toBeGreaterThan(0);
    session.close();
    expect(() => model.createSession({ onTokens: () => {}, onError: () => {} })).toThrowError(/disposed/);
  });

  it('refuses unknown captures', async () => {
    const model = await load(packedPair('tiny'));
    expect(() => model.createSession({ onTokens: () => {}, onError: () => {}, capture: ['attention' as 'mel'] })).toThrowError(/unknown capture/);
    model.dispose();
  });
});
