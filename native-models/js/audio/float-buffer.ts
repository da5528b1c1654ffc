/**
 * Appends `samples` at `used` in `buffer`, growing it (doubling, so a long run of appends stays
 * linear) when they do not fit; returns the buffer to keep, which may be a new one.
 */
export function appendFloats<B extends Float32Array>(buffer: B, used: number, samples: Float32Array): B {
  let out = buffer;
  if (used + samples.length > buffer.length) {
    out = new Float32Array(Math.max(buffer.length * 2, used + samples.length)) as B;
    out.set(buffer.subarray(0, used));
  }
  out.set(samples, used);
  return out;
}
