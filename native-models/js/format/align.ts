/** Alignment arithmetic shared by the .pte/.ptd/safetensors writers. */

export function roundUp(value: number, alignment: number): number {
  if (alignment <= 1) return value;
  return Math.ceil(value / alignment) * alignment;
}

export function roundUpBig(value: bigint, alignment: number): bigint {
  const a = BigInt(Math.max(1, alignment));
  return ((value + a - 1n) / a) * a;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function lcm(a: number, b: number): number {
  const x = Math.max(1, a);
  const y = Math.max(1, b);
  return (x / gcd(x, y)) * y;
}

export interface SegmentPlacement {
  offset: bigint;
  size: bigint;
}

/**
 * ExecuTorch's segment placement rule (EXIR `_program.py`, FlatTensorSerializer): each segment starts at
 * the previous end rounded up to lcm(segmentAlignment, its own alignment); the first one at 0.
 */
export function placeSegments(sizes: readonly { size: bigint; alignment?: number }[], segmentAlignment: number): SegmentPlacement[] {
  const out: SegmentPlacement[] = [];
  let end = 0n;
  for (const [i, s] of sizes.entries()) {
    const offset = i === 0 ? 0n : roundUpBig(end, lcm(segmentAlignment, s.alignment ?? 1));
    out.push({ offset, size: s.size });
    end = offset + s.size;
  }
  return out;
}

export function segmentDataSize(placements: readonly SegmentPlacement[]): bigint {
  const last = placements[placements.length - 1];
  return last ? last.offset + last.size : 0n;
}
