/**
 * RMS level of the stream per step-sized block (1280 samples, aligned to the stream's first
 * sample, so the levels do not depend on how the audio was chunked when pushed). Used to tell a
 * quiet background the model already judged empty from something new worth a fresh session.
 */
export class BlockLevels {
  private levels: number[] = [];
  /** Block index of levels[0]. */
  private base = 0;
  private sumSq = 0;
  private inBlock = 0;

  constructor(readonly blockSamples: number) {
    if (!(Number.isInteger(blockSamples) && blockSamples > 0)) throw new RangeError(`BlockLevels: bad block size ${blockSamples}`);
  }

  /** Complete blocks so far (the partial one not counted). */
  get complete(): number {
    return this.base + this.levels.length;
  }

  add(pcm: Float32Array): void {
    for (let i = 0; i < pcm.length; i++) {
      this.sumSq += pcm[i] * pcm[i];
      if (++this.inBlock === this.blockSamples) {
        this.levels.push(Math.sqrt(this.sumSq / this.blockSamples));
        this.sumSq = 0;
        this.inBlock = 0;
      }
    }
  }

  /** Level of block `b`: a complete one, or (b = complete) the partial one so far (0 if empty). */
  level(b: number): number {
    if (b < this.base) throw new RangeError(`block ${b} was already forgotten`);
    if (b < this.complete) return this.levels[b - this.base];
    if (b === this.complete) return this.inBlock > 0 ? Math.sqrt(this.sumSq / this.inBlock) : 0;
    throw new RangeError(`block ${b} has no audio yet`);
  }

  /** Median level of the complete blocks in [from, to), or null when there are none. */
  median(from: number, to: number): number | null {
    const lo = Math.max(from, this.base);
    const hi = Math.min(to, this.complete);
    if (hi <= lo) return null;
    const sorted = this.levels.slice(lo - this.base, hi - this.base).sort((a, b) => a - b);
    return sorted[(sorted.length - 1) >> 1];
  }

  /** Forgets the blocks before `b`. */
  dropBefore(b: number): void {
    const n = Math.min(b, this.complete) - this.base;
    if (n <= 0) return;
    this.levels.splice(0, n);
    this.base += n;
  }
}
