// ContinuousSession on a scripted engine (fake-engine.ts follows the native session's timeline):
// which samples a continuation gets after an early EOS, that nothing is replayed twice or skipped,
// that the final flush's EOS is the normal end, that silence does not spin up sessions, and that
// live-paced frames and one whole-file push give the same ids. The real engine is in
// test/e2e-dictation/pause-continuation.test.ts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContinuousSession, SegmentedDecoder, samplesSeenThrough, streamGeometry, type SegmentPlace } from '../../../native-models/js/continuation';
import type { EngineError } from '../../../native-models/js/engine';
import { loadTekken } from '../../../native-models/js/tokenizer/tekken';
import { EOS, FakeModel, PAD, rampAudio, type Script } from './fake-engine';

const STEP = 1280;
const TEXT = 1500; // any id ≥ 1000 is text
const LOOKBACK = 8000; // a gated session starts 0.5 s before the loud block

interface Run {
  model: FakeModel;
  session: ContinuousSession;
  delivered: { ids: number[]; place: SegmentPlace }[];
  errors: EngineError[];
  maxBuffered: number;
}

/** Streams `pcm` like live capture (80 ms frames, the engine's callbacks between them) or in one push. */
async function stream(script: Script, pcm: Float32Array, how: 'frames' | 'whole'): Promise<Run & { result: Awaited<ReturnType<ContinuousSession['flush']>> }> {
  const model = new FakeModel(script);
  const delivered: Run['delivered'] = [];
  const errors: EngineError[] = [];
  const session = new ContinuousSession(model, {
    onTokens: (ids, place) => delivered.push({ ids, place }),
    onError: (err) => errors.push(err),
    maxHistorySamples: pcm.length,
  });
  let maxBuffered = 0;
  if (how === 'whole') session.push(pcm);
  else {
    for (let i = 0; i < pcm.length; i += STEP) {
      session.push(pcm.slice(i, i + STEP));
      maxBuffered = Math.max(maxBuffered, session.bufferedSamples);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
  }
  const result = await session.flush();
  session.close();
  return { model, session, delivered, errors, maxBuffered, result };
}

/** Session 0 ends at position `eosAt`; later sessions read on without EOS (ids: text now and then). */
const eosOnceAt = (eosAt: number): Script => (s, p) => (s === 0 && p === eosAt ? EOS : p % 7 === 0 ? TEXT + s : PAD);

describe('sample accounting', () => {
  const g = streamGeometry(new FakeModel(() => PAD).info);

  it('the id at position q saw 1280 (q + 1) + 40 padded samples, 40960 of them left pad', () => {
    expect(g.firstPosition).toBe(38);
    expect(samplesSeenThrough(g, 38)).toBe(9000); // the prefill: HF's first audio chunk
    expect(samplesSeenThrough(g, 39)).toBe(9000 + STEP);
    expect(samplesSeenThrough(g, 60)).toBe(1280 * 61 + 40 - 40960);
  });

  it.each(['frames', 'whole'] as const)('an early EOS at position 60 (%s): the next session gets every sample from 37160 on, once', async (how) => {
    const n = 100_000;
    const run = await stream(eosOnceAt(60), rampAudio(n), how);
    expect(run.model.sessions).toHaveLength(2);
    const [first, second] = run.model.sessions;
    const resume = samplesSeenThrough(streamGeometry(run.model.info), 60);
    expect(resume).toBe(37_160);
    // The first had been given everything (the engine ignores audio after EOS); its EOS step saw
    // samples [0, 37160). The second starts exactly there: no gap, no sample twice, all in order.
    expect(first.received[0]).toBe(0);
    expect(second.received).toEqual(Array.from({ length: n - resume }, (_, i) => resume + i));
    expect(run.result.segments).toEqual([
      { startSample: 0, endSample: resume, firstToken: 0, tokenCount: 23, steps: 23 },
      { startSample: resume, endSample: null, firstToken: 23, tokenCount: second.ids.length, steps: second.ids.length },
    ]);
    // Ids: the first's up to and including its EOS, then the second's; delivered in that order.
    expect(run.result.tokens).toEqual([...first.ids, ...second.ids]);
    expect(run.result.tokens[22]).toBe(EOS);
    expect(run.delivered.flatMap((d) => d.ids)).toEqual(run.result.tokens);
    expect(run.delivered.map((d) => d.place.segment)).toEqual([...Array(23).fill(0), ...Array(second.ids.length).fill(1)]);
    expect(run.delivered[23].place).toEqual({ segment: 1, firstPosition: 38, samplesSeen: resume + 9000 });
    expect(run.result.steps).toBe(run.result.tokens.length);
    expect(run.errors).toEqual([]);
    // Every session is closed once the stream is.
    expect(run.model.sessions.every((s) => s.closed)).toBe(true);
  });

  it('live frames and one whole-file push give the same ids and the same replay', async () => {
    const script: Script = (s, p, seen) => (s === 0 && p === 70 ? EOS : seen[seen.length - 1] % 3 === 0 ? TEXT : PAD);
    const pcm = rampAudio(150_000);
    const live = await stream(script, pcm, 'frames');
    const file = await stream(script, pcm, 'whole');
    expect(live.result.tokens).toEqual(file.result.tokens);
    expect(live.result.segments).toEqual(file.result.segments);
    // The continuations got the same samples (the first, ended one was given more in one push).
    expect(live.model.sessions.slice(1).map((s) => s.received)).toEqual(file.model.sessions.slice(1).map((s) => s.received));
  });

  it('keeps only audio the running session has not consumed (bounded while the engine keeps up)', async () => {
    const run = await stream(eosOnceAt(60), rampAudio(200_000), 'frames');
    // At most a prefill's audio (9000 samples, before a session's first id) and the frame in flight.
    expect(run.maxBuffered).toBeLessThanOrEqual(9000 + 2 * STEP);
  });
});

describe('the end of the stream', () => {
  it('EOS in the final flush\'s right padding is the normal end: no new session', async () => {
    // 30000 samples → the last real sample is seen by position 54; EOS at 60 is in the padding.
    const run = await stream((s, p) => (p === 60 ? EOS : PAD), rampAudio(30_000), 'frames');
    expect(run.model.sessions).toHaveLength(1);
    expect(run.result.segments).toHaveLength(1);
    expect(run.result.segments[0].endSample).toBeGreaterThanOrEqual(30_000);
  });

  it('an early EOS leaving less than one step of audio ends the stream; one step or more starts a session at the flush', async () => {
    const resume = 37_160; // EOS at 60
    const short = await stream(eosOnceAt(60), rampAudio(resume + STEP - 1), 'whole');
    expect(short.model.sessions).toHaveLength(1);
    const enough = await stream(eosOnceAt(60), rampAudio(resume + STEP), 'whole');
    expect(enough.model.sessions).toHaveLength(2);
    expect(enough.model.sessions[1].received).toEqual(Array.from({ length: STEP }, (_, i) => resume + i));
    // The continuation was flushed too: padded to 1 + 17 steps (+40), ids at positions 38..49.
    expect(enough.result.segments[1].tokenCount).toBe(12);
  });

  it('a continuation that ends early again continues again, always forward', async () => {
    // Every session ends 10 steps after its prefill.
    const run = await stream((s, p) => (p === 48 ? EOS : p === 40 ? TEXT : PAD), rampAudio(120_000), 'frames');
    const segs = run.result.segments;
    expect(segs.length).toBeGreaterThan(3);
    for (let i = 1; i < segs.length; i++) {
      expect(segs[i].startSample).toBe(segs[i - 1].endSample);
      expect(run.model.sessions[i].received[0]).toBe(segs[i].startSample);
    }
  });
});

describe('no loop on silence', () => {
  // A model that samples EOS at its prefill whenever it hears nothing louder than a whisper, and
  // transcribes (text, no EOS) once something loud comes.
  const endsOnQuiet: Script = (_s, p, seen) => {
    const recent = seen.subarray(Math.max(0, seen.length - 9000));
    const loud = recent.some((x) => Math.abs(x) > 0.05);
    return loud ? (p % 5 === 0 ? TEXT : PAD) : p === 38 ? EOS : PAD;
  };
  const noise = (n: number, amplitude: number, seed = 1) => {
    let x = seed;
    return Float32Array.from({ length: n }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return amplitude * (2 * (x / 2 ** 31) - 1);
    });
  };
  const joined = (...parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };

  it.each(['frames', 'whole'] as const)('60 s of digital silence after an empty EOS opens no session at all (%s)', async (how) => {
    const run = await stream(endsOnQuiet, new Float32Array(60 * 16_000), how);
    expect(run.model.sessions).toHaveLength(1);
    expect(run.result.segments[0]).toMatchObject({ startSample: 0, endSample: 9000 });
  });

  it('nor does a minute of room noise (−50 dBFS) with the same level as what the model judged empty', async () => {
    const run = await stream(endsOnQuiet, noise(60 * 16_000, 0.005), 'frames');
    expect(run.model.sessions).toHaveLength(1);
    expect(run.maxBuffered).toBeLessThanOrEqual(LOOKBACK + 2 * STEP + 9000);
  });

  it('something louder after the silence opens a session 0.5 s before it, and it is transcribed', async () => {
    const quiet = noise(30 * 16_000, 0.005);
    const voice = noise(2 * 16_000, 0.3, 7);
    for (const how of ['frames', 'whole'] as const) {
      const run = await stream(endsOnQuiet, joined(quiet, voice, noise(16_000, 0.005, 3)), how);
      expect(run.model.sessions).toHaveLength(2);
      // The voice begins at 480000, a block boundary: the session starts 8000 samples before it.
      expect(run.result.segments[1].startSample).toBe(30 * 16_000 - LOOKBACK);
      expect(run.model.sessions[1].received[LOOKBACK]).toBe(voice[0]);
      expect(run.result.segments[1].tokenCount).toBeGreaterThan(20);
      expect(run.result.tokens.some((id) => id >= TEXT)).toBe(true);
    }
  });

  it('after a segment with text the next starts after one step, skipping nothing (the pause case)', async () => {
    // Session 0 has text then EOS at 45; session 1 starts exactly at that EOS's first unseen sample.
    const run = await stream((s, p) => (s === 0 && p === 40 ? TEXT : s === 0 && p === 45 ? EOS : PAD), new Float32Array(80_000), 'frames');
    expect(run.model.sessions).toHaveLength(2);
    expect(run.result.segments[1].startSample).toBe(samplesSeenThrough(streamGeometry(run.model.info), 45));
  });
});

describe('errors', () => {
  it('a continuation that cannot be opened is reported and the flush rejects with it', async () => {
    const model = new FakeModel(eosOnceAt(60));
    model.failOnSession = 1;
    const errors: EngineError[] = [];
    const session = new ContinuousSession(model, { onTokens: () => undefined, onError: (e) => errors.push(e) });
    session.push(rampAudio(100_000));
    await expect(session.flush()).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    expect(errors.map((e) => e.code)).toEqual(['OUT_OF_MEMORY']);
    session.close();
  });

  it('refuses audio after flush and a second flush; close rejects a pending flush', async () => {
    const session = new ContinuousSession(new FakeModel(() => PAD), { onTokens: () => undefined, onError: () => undefined });
    session.push(new Float32Array(20_000));
    const pending = session.flush();
    expect(() => session.push(new Float32Array(10))).toThrow(/after flush/);
    await expect(session.flush()).rejects.toMatchObject({ code: 'STATE' });
    session.close();
    await expect(pending).rejects.toMatchObject({ code: 'STATE' });
    expect(() => session.push(new Float32Array(10))).toThrow(/closed/);
  });
});

describe('segment text', () => {
  const tekken = loadTekken(JSON.parse(readFileSync('native-models/models/demo/tekken.json', 'utf8')));
  // Byte tokens (ranks 0..255) spell any text exactly.
  const ids = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => tekken.numSpecial + b);

  it('joins segments with one space unless the next begins with a space or closing punctuation', () => {
    const d = new SegmentedDecoder(tekken);
    let text = d.push(ids(' Thanks Oscar.'), 0);
    text += d.push([EOS], 0);
    text += d.push(ids('the photo'), 1); // no leading space of its own
    text += d.push(ids(', great'), 2);
    text += d.push(ids(' Bye'), 3);
    text += d.flush();
    expect(text).toBe(' Thanks Oscar. the photo, great Bye');
  });

  it('adds nothing before the first text, even when it comes in a later segment', () => {
    const d = new SegmentedDecoder(tekken);
    expect(d.push([PAD, EOS], 0) + d.push(ids('Hello'), 1)).toBe('Hello');
  });
});
