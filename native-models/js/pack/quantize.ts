/**
 * Symmetric group-wise weight quantization (the layout of docs/architecture.md "Model files"), and the
 * reference dequantizers the tests hold it to. Each row of a [out, in] matrix is split into groups of
 * G consecutive inputs; each group has one fp16 scale s, and w ≈ q · s.
 *   8w: q int8 in [−127, 127], s = absmax / 127.
 *   4w: q in [−8, 7] stored as nibble q + 8 (column 2j low, 2j+1 high), s = absmax / 7.
 * q is computed against the fp16-rounded scale, so |w − q·s| ≤ s/2 for every weight (plus fp16
 * rounding of s when a group's absmax is below fp16's normal range).
 */
import { f32ToHalfBits, halfBitsToF32 } from '../format/numeric.js';

export type QuantScheme = '8w' | '4w';

const QMAX: Record<QuantScheme, number> = { '8w': 127, '4w': 7 };
const QMIN: Record<QuantScheme, number> = { '8w': -127, '4w': -8 };

export interface Quantized {
  /** 8w: one int8 per weight; 4w: one byte per two weights. */
  data: Uint8Array;
  /** fp16 bits, one per group, row-major [rows, cols / G]. */
  scales: Uint16Array;
}

/** Quantize `rows` rows of `cols` weights (row-major float32). */
export function quantizeRows(values: Float32Array, rows: number, cols: number, groupSize: number, scheme: QuantScheme): Quantized {
  const groups = cols / groupSize;
  const data = new Uint8Array(scheme === '8w' ? rows * cols : (rows * cols) / 2);
  const scales = new Uint16Array(rows * groups);
  const qmax = QMAX[scheme];
  const qmin = QMIN[scheme];
  const eight = scheme === '8w';
  for (let group = 0; group < rows * groups; group++) {
    const start = group * groupSize;
    const end = start + groupSize;
    let absmax = 0;
    for (let i = start; i < end; i++) {
      const a = values[i] < 0 ? -values[i] : values[i];
      if (a > absmax) absmax = a;
    }
    const bits = f32ToHalfBits(Math.min(absmax / qmax, 65504));
    const scale = halfBitsToF32(bits);
    scales[group] = bits;
    const inv = scale > 0 ? 1 / scale : 0;
    for (let i = start; i < end; i++) {
      let q = Math.round(values[i] * inv);
      if (q > qmax) q = qmax;
      else if (q < qmin) q = qmin;
      if (eight) data[i] = q & 0xff;
      else data[i >> 1] |= (q + 8) << ((i & 1) * 4);
    }
  }
  return { data, scales };
}

/** Reference dequantizer: float32 [rows, cols] from quantized bytes and fp16 scale bits. */
export function dequantizeRows(q: Quantized, rows: number, cols: number, groupSize: number, scheme: QuantScheme): Float32Array {
  const out = new Float32Array(rows * cols);
  const groups = cols / groupSize;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = r * cols + c;
      const s = halfBitsToF32(q.scales[r * groups + Math.floor(c / groupSize)]);
      const v = scheme === '8w' ? (q.data[at] << 24) >> 24 : ((q.data[at >> 1] >> ((at & 1) * 4)) & 0xf) - 8;
      out[at] = v * s;
    }
  }
  return out;
}
