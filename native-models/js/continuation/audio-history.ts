/**
 * The stream's recent audio by absolute sample index, so a new engine session can be fed from any
 * point the ended one had not used. Chunks are kept by reference (callers never write into an
 * array after pushing it; the engine copies on push anyway), and everything before the oldest point
 * still needed is dropped, so it holds only what the engine has not yet consumed.
 */
export class AudioHistory {
  private chunks: Float32Array[] = [];
  /** Absolute index of chunks[0][0]. */
  private start = 0;
  private total = 0;
  private held = 0;

  /** @param maxSamples hard bound: beyond it the oldest audio is dropped even if still wanted. */
  constructor(private readonly maxSamples: number) {
    if (!(maxSamples > 0)) throw new RangeError(`AudioHistory: maxSamples must be positive, got ${maxSamples}`);
  }

  /** Samples appended since the start of the stream. */
  get end(): number {
    return this.total;
  }

  /** Absolute index of the oldest sample still held. */
  get first(): number {
    return this.start;
  }

  /** Samples held now. */
  get size(): number {
    return this.held;
  }

  append(pcm: Float32Array): void {
    if (pcm.length === 0) return;
    this.chunks.push(pcm);
    this.total += pcm.length;
    this.held += pcm.length;
    if (this.held > this.maxSamples) this.dropBefore(this.total - this.maxSamples);
  }

  /** Forgets every sample before absolute index `index`. */
  dropBefore(index: number): void {
    while (this.chunks.length > 0 && this.start + this.chunks[0].length <= index) {
      const chunk = this.chunks.shift()!;
      this.start += chunk.length;
      this.held -= chunk.length;
    }
    const cut = index - this.start;
    if (cut > 0 && this.chunks.length > 0) {
      this.chunks[0] = this.chunks[0].subarray(cut);
      this.start += cut;
      this.held -= cut;
    }
  }

  /**
   * Samples [from, end) as views of the held chunks, in order (no copy); `from` before the oldest
   * held sample starts at that one.
   */
  chunksFrom(from: number): Float32Array[] {
    const out: Float32Array[] = [];
    let at = this.start;
    for (const chunk of this.chunks) {
      const skip = Math.max(0, from - at);
      if (skip < chunk.length) out.push(skip === 0 ? chunk : chunk.subarray(skip));
      at += chunk.length;
    }
    return out;
  }
}
