/**
 * Deterministic, platform-independent normal samples: a counter-based integer hash keyed by
 * (seed, tensor name) gives uniforms, Box–Muller in float64 turns pairs into normals. Any element range
 * of any tensor can be generated independently, so checkpoints are written in chunks.
 */

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x85ebca6b, 0xcc9e2d51) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over the name, folded with the seed into two 32-bit keys. */
export function tensorKey(seed: number, name: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  const k0 = mix(h >>> 0, seed >>> 0);
  const k1 = mix(k0, Math.floor(seed / 2 ** 32) ^ 0x9e3779b9);
  return [k0, k1];
}

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 2 ** 32;

/**
 * Fill `out` with samples start..start+out.length of the tensor's N(mean, std²) stream.
 * Element i comes from pair ⌊i/2⌋ (cos for even i, sin for odd i).
 */
export function fillNormal(key: [number, number], start: number, out: Float32Array, mean: number, std: number): void {
  const [k0, k1] = key;
  for (let j = 0; j < out.length; ) {
    const i = start + j;
    const pair = Math.floor(i / 2);
    const u1 = (mix(mix(2 * pair, k0), k1) + 1) * INV_2_32; // (0, 1]: log is finite
    const u2 = mix(mix(2 * pair + 1, k1), k0) * INV_2_32;
    const r = Math.sqrt(-2 * Math.log(u1));
    const angle = TWO_PI * u2;
    if (i % 2 === 0) {
      out[j++] = mean + std * r * Math.cos(angle);
      if (j < out.length) out[j++] = mean + std * r * Math.sin(angle);
    } else {
      out[j++] = mean + std * r * Math.sin(angle);
    }
  }
}
