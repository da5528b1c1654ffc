// The two small buffers behind ContinuousSession: the recent audio by absolute sample index (what a
// continuation is fed from) and the per-block levels (what the loop guard compares).

import { describe, expect, it } from 'vitest';
import { AudioHistory, BlockLevels } from '../../../native-models/js/continuation';

const ramp = (from: number, n: number) => Float32Array.from({ length: n }, (_, i) => from + i);
const flat = (chunks: Float32Array[]) => chunks.flatMap((c) => [...c]);

describe('AudioHistory', () => {
  it('reads from any absolute index across chunk borders, without copying', () => {
    const h = new AudioHistory(1000);
    const a = ramp(0, 10);
    h.append(a);
    h.append(ramp(10, 5));
    h.append(ramp(15, 7));
    expect(h.end).toBe(22);
    expect(flat(h.chunksFrom(8))).toEqual([...ramp(8, 14)]);
    expect(h.chunksFrom(0)[0].buffer).toBe(a.buffer); // a view, not a copy
    expect(h.chunksFrom(22)).toEqual([]);
  });

  it('drops what is no longer needed, mid-chunk too', () => {
    const h = new AudioHistory(1000);
    h.append(ramp(0, 10));
    h.append(ramp(10, 10));
    h.dropBefore(13);
    expect(h.first).toBe(13);
    expect(h.size).toBe(7);
    expect(flat(h.chunksFrom(0))).toEqual([...ramp(13, 7)]); // before the oldest: from the oldest
    h.dropBefore(5); // never goes back
    expect(h.first).toBe(13);
  });

  it('keeps at most maxSamples, dropping the oldest', () => {
    const h = new AudioHistory(25);
    for (let i = 0; i < 10; i++) h.append(ramp(i * 10, 10));
    expect(h.size).toBe(25);
    expect(h.first).toBe(75);
    expect(flat(h.chunksFrom(0))).toEqual([...ramp(75, 25)]);
  });

  it('refuses a bound that is not positive', () => {
    expect(() => new AudioHistory(0)).toThrow(/positive/);
  });
});

describe('BlockLevels', () => {
  it('gives the RMS of stream-aligned blocks whatever the chunking', () => {
    const signal = Float32Array.from({ length: 10 }, (_, i) => (i < 4 ? 0.5 : i < 8 ? -0.1 : 0.3));
    const whole = new BlockLevels(4);
    whole.add(signal);
    const pieces = new BlockLevels(4);
    for (const [from, to] of [[0, 1], [1, 4], [4, 9], [9, 10]]) pieces.add(signal.subarray(from, to));
    expect(whole.complete).toBe(2);
    expect(whole.level(0)).toBeCloseTo(0.5, 6);
    expect(whole.level(1)).toBeCloseTo(0.1, 6);
    expect(whole.level(2)).toBeCloseTo(0.3, 6); // the partial block so far
    expect([0, 1, 2].map((b) => pieces.level(b))).toEqual([0, 1, 2].map((b) => whole.level(b)));
    expect(() => whole.level(3)).toThrow(/no audio/);
  });

  it('median over complete blocks, and forgetting', () => {
    const l = new BlockLevels(1);
    l.add(Float32Array.from([0.1, -0.9, 0.2, 0.3, -0.05]));
    expect(l.median(0, 5)).toBeCloseTo(0.2, 6);
    expect(l.median(1, 3)).toBeCloseTo(0.2, 6); // lower middle of [0.9, 0.2]
    expect(l.median(5, 9)).toBeNull();
    l.dropBefore(2);
    expect(() => l.level(1)).toThrow(/forgotten/);
    expect(l.median(0, 5)).toBeCloseTo(0.2, 6); // of what is left: 0.2, 0.3, 0.05
  });
});
