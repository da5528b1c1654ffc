// The capture worklet's pure parts in Node: the streaming resampler (device rate → 16 kHz) and the
// frame assembler (exact 80 ms frames, pre-roll while warm).

import { describe, expect, it } from 'vitest';
import { resample } from '../../../native-models/js/audio/resample';
import { FrameAssembler } from '../../../renderer/src/audio/frame-assembler';
import { StreamingResampler } from '../../../native-models/js/audio/streaming-resampler';

function tone(hz: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
}

function rms(x: Float32Array): number {
  return Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
}

/** Streams `input` through a fresh resampler in blocks of the given sizes (cycled). */
function streamed(input: Float32Array, from: number, blocks: number[]): Float32Array {
  const r = new StreamingResampler(from, 16_000);
  const parts: number[] = [];
  for (let i = 0, b = 0; i < input.length; b++) {
    const n = blocks[b % blocks.length];
    parts.push(...r.process(input.subarray(i, i + n)));
    i += n;
  }
  return Float32Array.from(parts);
}

describe('StreamingResampler', () => {
  it.each([48_000, 44_100, 16_000])('gives the same samples however the input is split (%i Hz)', (rate) => {
    const input = Float32Array.from({ length: rate / 2 }, (_, i) => Math.sin(i * 0.01) + 0.3 * Math.sin(i * 0.37));
    const whole = streamed(input, rate, [input.length]);
    expect(streamed(input, rate, [128])).toEqual(whole);
    expect(streamed(input, rate, [1, 7, 300, 128, 5000])).toEqual(whole);
    // Every complete output is produced once its right context has arrived (delay halfTaps).
    const delay = new StreamingResampler(rate, 16_000).halfTaps;
    expect(whole.length).toBe(Math.ceil(((input.length - delay) * 16_000) / rate));
  });

  it('matches the engine\'s whole-file resampler sample for sample (same filter), to the last one with flush()', () => {
    const input = tone(440, 48_000, 0.5).map((v, i) => v + 0.2 * Math.sin(i * 0.9));
    const r = new StreamingResampler(48_000, 16_000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 128) parts.push(...r.process(input.subarray(i, i + 128)));
    parts.push(...r.flush());
    const engine = resample(input, 48_000, 16_000);
    expect(parts.length).toBe(engine.length);
    let worst = 0;
    for (let i = 0; i < engine.length; i++) worst = Math.max(worst, Math.abs(parts[i] - engine[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(() => r.process(input)).toThrow(/after flush/);
  });

  it('passes speech-band tones and removes what would alias (band-limited, not linear)', () => {
    for (const rate of [48_000, 44_100]) {
      const pass = streamed(tone(1000, rate, 1), rate, [128]).subarray(1000);
      expect(rms(pass)).toBeCloseTo(Math.SQRT1_2, 2);
      // 9 kHz is above 16 kHz's Nyquist: linear interpolation would fold it to 7 kHz at about −1 dB.
      const alias = streamed(tone(9000, rate, 1), rate, [128]).subarray(1000);
      expect(20 * Math.log10(rms(alias) / Math.SQRT1_2)).toBeLessThan(-60);
    }
  });

  it('is the same with a phase table (whole-number rates) and without one (a rate with no short common period)', () => {
    // 44 057 Hz shares no short period with 16 kHz: the kernel is worked out per tap, not tabled.
    for (const rate of [44_100, 44_057]) {
      const input = tone(523, rate, 0.3).map((v, i) => v + 0.1 * Math.sin(i * 1.3));
      const r = new StreamingResampler(rate, 16_000);
      const streamedOut = Float32Array.from([...r.process(input), ...r.flush()]);
      expect(streamedOut).toEqual(resample(input, rate, 16_000));
      // And both pass a tone in the band at its level.
      expect(rms(streamedOut.subarray(500, -500))).toBeCloseTo(rms(input.subarray(1500, -1500)), 2);
    }
  });

  it('refuses nonsense rates', () => {
    expect(() => new StreamingResampler(0, 16_000)).toThrow(RangeError);
    expect(() => new StreamingResampler(Number.NaN, 16_000)).toThrow(RangeError);
  });
});

describe('FrameAssembler', () => {
  it('cuts exact 1280-sample frames in order, each in its own buffer', () => {
    const posted: Float32Array[] = [];
    const frames = new FrameAssembler((f) => posted.push(f), 0);
    frames.send();
    const ramp = Float32Array.from({ length: 5000 }, (_, i) => i);
    frames.push(ramp.subarray(0, 100));
    frames.push(ramp.subarray(100, 3000));
    frames.push(ramp.subarray(3000));
    expect(posted.map((f) => f.length)).toEqual([1280, 1280, 1280]);
    expect(new Set(posted.map((f) => f.buffer)).size).toBe(3);
    expect(Float32Array.from(posted.flatMap((f) => [...f]))).toEqual(ramp.subarray(0, 3840));
  });

  it('keeps the last frames while held and sends them first, then continues seamlessly', () => {
    const posted: Float32Array[] = [];
    const frames = new FrameAssembler((f) => posted.push(f), 2);
    const ramp = Float32Array.from({ length: 1280 * 6 }, (_, i) => i);
    frames.push(ramp.subarray(0, 1280 * 4 + 10)); // 4 frames held: only the last 2 are kept
    expect(posted).toEqual([]);
    frames.send();
    frames.push(ramp.subarray(1280 * 4 + 10));
    expect(posted.map((f) => f[0])).toEqual([2560, 3840, 5120, 6400]);
    frames.hold();
    frames.push(ramp.subarray(0, 1000));
    expect(posted).toHaveLength(4);
  });
});
