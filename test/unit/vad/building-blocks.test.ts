import { describe, expect, it } from 'vitest';
import { SpeechHysteresis, thresholdsFor } from '../../../electron/core/vad/hysteresis';
import { PreRollBuffer } from '../../../electron/core/vad/pre-roll-buffer';
import { SpeechIndicator } from '../../../electron/core/vad/speech-indicator';
import { WindowSplitter } from '../../../electron/core/vad/window-splitter';

const ramp = (from: number, n: number) => Float32Array.from({ length: n }, (_, i) => from + i);

describe('WindowSplitter', () => {
  it('cuts 1280-sample frames into 512-sample windows, carrying the remainder in order', () => {
    const s = new WindowSplitter(512);
    const first = s.push(ramp(0, 1280));
    expect(first.map((w) => w.length)).toEqual([512, 512]);
    expect(s.pending).toBe(256);
    const second = s.push(ramp(1280, 1280));
    expect(second).toHaveLength(3);
    expect(s.pending).toBe(0);
    const all = [...first, ...second];
    all.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(ramp(i * 512, 512))));
  });

  it('handles tiny, empty and odd-sized frames without losing a sample', () => {
    const s = new WindowSplitter(4);
    const out = [...s.push(ramp(0, 1)), ...s.push(new Float32Array(0)), ...s.push(ramp(1, 6)), ...s.push(ramp(7, 1))];
    expect(out.map((w) => Array.from(w))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it('returns copies the caller may keep', () => {
    const s = new WindowSplitter(2);
    const [a] = s.push(Float32Array.of(1, 2));
    const [b] = s.push(Float32Array.of(3, 4));
    expect(Array.from(a)).toEqual([1, 2]);
    expect(Array.from(b)).toEqual([3, 4]);
  });

  it('rejects a window size that is not a positive integer', () => {
    expect(() => new WindowSplitter(0)).toThrow(RangeError);
    expect(() => new WindowSplitter(2.5)).toThrow(RangeError);
  });
});

describe('SpeechHysteresis', () => {
  it('turns on at the positive threshold and off only below the negative one', () => {
    const h = new SpeechHysteresis(thresholdsFor(0.5)); // negative 0.35
    expect([0.49, 0.5, 0.4, 0.36, 0.35, 0.34, 0.45, 0.5].map((p) => h.update(p)))
      .toEqual([false, true, true, true, true, false, false, true]);
  });

  it('derives Silero\'s negative threshold and rejects thresholds outside (0, 1)', () => {
    expect(thresholdsFor(0.5)).toEqual({ positive: 0.5, negative: 0.35 });
    expect(thresholdsFor(0.1).negative).toBe(0.01);
    expect(() => thresholdsFor(0)).toThrow(RangeError);
    expect(() => thresholdsFor(1)).toThrow(RangeError);
    expect(() => thresholdsFor(Number.NaN)).toThrow(RangeError);
  });
});

describe('SpeechIndicator', () => {
  it('lights with speech and goes dark only after the hold time without speech', () => {
    const i = new SpeechIndicator(100);
    expect(i.update(true, 32)).toBe(true);
    expect(i.update(false, 32)).toBeNull();
    expect(i.update(false, 32)).toBeNull();
    expect(i.update(true, 32)).toBeNull(); // a gap between words: stays lit, no event
    expect(i.update(false, 64)).toBeNull();
    expect(i.update(false, 36)).toBe(false);
    expect(i.update(false, 500)).toBeNull();
    expect(i.speaking).toBe(false);
  });
});

describe('PreRollBuffer', () => {
  it('keeps copies, drops what ended before a time, drains oldest first', () => {
    const b = new PreRollBuffer(10);
    const f = Float32Array.of(1);
    b.push(f, 80);
    f[0] = 99; // the caller reuses its buffer
    b.push(Float32Array.of(2), 160);
    b.push(Float32Array.of(3), 240);
    b.dropEndingBefore(160);
    expect(b.drain().map((x) => x[0])).toEqual([3]);
    b.push(Float32Array.of(4), 320);
    b.dropEndingBefore(100);
    expect(b.drain().map((x) => x[0])).toEqual([4]);
  });

  it('stays within its bound, reporting when it dropped the oldest frame', () => {
    const b = new PreRollBuffer(2);
    expect(b.push(Float32Array.of(1), 80)).toBe(false);
    expect(b.push(Float32Array.of(2), 160)).toBe(false);
    expect(b.push(Float32Array.of(3), 240)).toBe(true);
    expect(b.drain().map((x) => x[0])).toEqual([2, 3]);
  });

  it('drains only the newest frames when asked for a few (a press while armed), and forgets the rest', () => {
    const b = new PreRollBuffer(10);
    for (let i = 1; i <= 6; i++) b.push(Float32Array.of(i), i * 80);
    expect(b.drain(4).map((x) => x[0])).toEqual([3, 4, 5, 6]);
    expect(b.length).toBe(0);
    expect(b.drain(4)).toEqual([]);
  });
});
