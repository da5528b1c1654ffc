import { describe, expect, test } from 'vitest';
import { fillNormal, tensorKey } from '../../native-models/js/checkpoint/random.js';
import { bf16BitsToF32, f32ToBf16Bits, f32ToHalfBits, halfBitsToF32 } from '../../native-models/js/format/numeric.js';
import { dequantizeRows, quantizeRows } from '../../native-models/js/pack/quantize.js';

describe('16-bit float conversions', () => {
  test('bf16 rounds to nearest even and keeps specials', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    // 1 + 2^-8 is exactly halfway between bf16 1 and 1 + 2^-7: ties go to even (1).
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 2 ** -8))).toBe(1);
    expect(bf16BitsToF32(f32ToBf16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    expect(bf16BitsToF32(f32ToBf16Bits(-Infinity))).toBe(-Infinity);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
  });

  test('fp16 round trips every finite half value and rounds ties to even', () => {
    const mismatches: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32ToHalfBits(halfBitsToF32(h)) !== h) mismatches.push(h);
    }
    expect(mismatches).toEqual([]);
    expect(halfBitsToF32(f32ToHalfBits(1 + 2 ** -11))).toBe(1);
    expect(halfBitsToF32(f32ToHalfBits(70000))).toBe(Infinity);
    expect(halfBitsToF32(f32ToHalfBits(2 ** -25))).toBe(0);
    expect(halfBitsToF32(f32ToHalfBits(3 * 2 ** -26))).toBe(2 ** -24);
  });
});

describe('random streams', () => {
  test('any slice equals the same elements of the whole stream', () => {
    const key = tensorKey(7, 'layers.0.attention.wq.weight');
    const whole = new Float32Array(101);
    fillNormal(key, 0, whole, 0, 1);
    const part = new Float32Array(40);
    fillNormal(key, 33, part, 0, 1);
    expect(part).toEqual(whole.subarray(33, 73));
  });

  test('samples are standard normal and differ per name and seed', () => {
    const v = new Float32Array(200_000);
    fillNormal(tensorKey(1, 'a'), 0, v, 0, 1);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(v.filter((x) => Math.abs(x) > 3).length / v.length).toBeCloseTo(0.0027, 3);
    const w = new Float32Array(8);
    fillNormal(tensorKey(1, 'b'), 0, w, 0, 1);
    expect(w).not.toEqual(v.subarray(0, 8));
    fillNormal(tensorKey(2, 'a'), 0, w, 0, 1);
    expect(w).not.toEqual(v.subarray(0, 8));
  });
});

describe('group-wise quantization', () => {
  test('4w packs column 2j in the low nibble and 2j+1 in the high nibble, q = nibble - 8', () => {
    const w = Float32Array.from([7, -7, 1, 0, -8 / 7 * 0.999, 3.4, 2, -1]); // absmax 7 -> s = 1
    const q = quantizeRows(w, 1, 8, 8, '4w');
    expect(halfBitsToF32(q.scales[0])).toBe(1);
    expect(Array.from(q.data)).toEqual([(7 + 8) | ((-7 + 8) << 4), (1 + 8) | (8 << 4), (-1 + 8) | ((3 + 8) << 4), (2 + 8) | ((-1 + 8) << 4)]);
    expect(Array.from(dequantizeRows(q, 1, 8, 8, '4w'))).toEqual([7, -7, 1, 0, -1, 3, 2, -1]);
  });

  test('8w and 4w stay within s/2 of every weight; zero groups stay zero', () => {
    const rows = 16;
    const cols = 128;
    const w = new Float32Array(rows * cols);
    fillNormal(tensorKey(3, 'w'), 0, w, 0, 0.05);
    w.fill(0, 0, 32); // one all-zero group
    for (const scheme of ['8w', '4w'] as const) {
      const q = quantizeRows(w, rows, cols, 32, scheme);
      const d = dequantizeRows(q, rows, cols, 32, scheme);
      for (let i = 0; i < w.length; i++) {
        const s = halfBitsToF32(q.scales[Math.floor(i / 32)]);
        expect(Math.abs(w[i] - d[i])).toBeLessThanOrEqual(s / 2 + 2 ** -25);
      }
      expect(Array.from(d.subarray(0, 32)).every((x) => x === 0)).toBe(true);
    }
  });
});
