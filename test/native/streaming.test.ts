/**
 * Streaming behaviour: chunk boundaries never change the result, tokens arrive through onTokens
 * as they are decoded (with their positions), and a long stream keeps memory flat while its
 * positions run far past both sliding windows.
 */
import { describe, expect, it } from 'vitest';

import { fixtureAudio, load, packedPair, streamThrough } from './helpers.js';

/** Deterministic pseudo-random chunk sizes from 1 sample to ~0.3 s. */
function randomChunks(seed: number): (offset: number) => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 1 + (s % 5000);
  };
}

describe('streaming', () => {
  it('gives identical tokens for random-sized chunks and for one push', async () => {
    const model = await load(packedPair('small'));
    try {
      const pcm = fixtureAudio('quick-brown-fox-16k.wav');
      const whole = await streamThrough(model, pcm);
      expect(new Set(whole.result.tokens).size).toBeGreaterThan(3);
      for (const seed of [1, 2]) {
        const chunked = await streamThrough(model, pcm, randomChunks(seed));
        expect(chunked.result.tokens).toEqual(whole.result.tokens);
        expect(chunked.streamed).toEqual(whole.result.tokens);
      }
    } finally {
      model.dispose();
    }
  });

  it('delivers tokens before flush, numbered by decoder position from the prompt end', async () => {
    const model = await load(packedPair('tiny'));
    try {
      const pcm = fixtureAudio('hello-dictation-16k.wav');
      const seen: number[] = [];
      const positions: number[] = [];
      const session = model.createSession({
        onTokens: (ids, first) => ids.forEach((id, i) => (seen.push(id), positions.push(first + i))),
        onError: (e) => {
          throw e;
        },
      });
      session.push(pcm);
      // 40960 + N samples allow floor((40960 + N - 40) / 1280) positions before any right pad.
      const expectedLive = Math.floor((40960 + pcm.length - 40) / 1280) - 38;
      const deadline = Date.now() + 20_000;
      while (seen.length < expectedLive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen.length).toBe(expectedLive);
      const result = await session.flush();
      session.close();
      expect(result.tokens.slice(0, expectedLive)).toEqual(seen.slice(0, expectedLive));
      expect(positions.slice(0, 3)).toEqual([38, 39, 40]);
      expect(result.steps).toBe(result.tokens.length);
      expect(result.msPerStep).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });

  it('runs far past both windows with flat memory (unlimited duration)', async () => {
    const pair = packedPair('small'); // encoder window 40 frames, decoder window 24 positions
    const model = await load(pair);
    try {
      const speech = fixtureAudio('quick-brown-fox-16k.wav');
      let live = 0;
      const session = model.createSession({ onTokens: (ids) => (live += ids.length), onError: () => {} });
      const rssAt: number[] = [];
      const seconds = 240; // a kept audio buffer alone would add 15 MB
      let pushed = 0;
      for (let round = 0; pushed < seconds * 16000; round++) {
        session.push(speech);
        pushed += speech.length;
        // Let the native thread catch up so the queue holds no audio when memory is sampled.
        const due = Math.floor((40960 + pushed - 40) / 1280) - 38;
        while (live < due) await new Promise((r) => setTimeout(r, 2));
        if (round === 4 || pushed >= seconds * 16000) rssAt.push(process.memoryUsage().rss);
      }
      const result = await session.flush();
      session.close();
      const positions = 32 + Math.ceil(pushed / 1280) + 17;
      expect(result.tokens.length).toBe(positions - 38);
      expect(positions).toBeGreaterThan(120 * 24); // the decoder ring wrapped over 120 times
      // Between ~25 s and 240 s of audio the process may not grow beyond allocator noise.
      expect(rssAt[1] - rssAt[0]).toBeLessThan(8 * 1024 * 1024);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
