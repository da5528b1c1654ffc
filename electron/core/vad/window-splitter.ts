// Cuts a stream of frames of any length into fixed windows, carrying the remainder to the next frame.
// Engine frames are 1280 samples and Silero windows 512, so 2.5 windows fit a frame.

export class WindowSplitter {
  private readonly carry: Float32Array;
  private carried = 0;

  constructor(readonly windowSamples: number) {
    if (!Number.isInteger(windowSamples) || windowSamples <= 0) {
      throw new RangeError(`window size must be a positive integer, got ${windowSamples}`);
    }
    this.carry = new Float32Array(windowSamples);
  }

  /** Samples waiting for the next frame to complete a window. */
  get pending(): number {
    return this.carried;
  }

  /** The complete windows the frame finishes, as fresh arrays (callers may keep them). */
  push(frame: Float32Array): Float32Array[] {
    const windows: Float32Array[] = [];
    let offset = 0;
    while (offset < frame.length) {
      const take = Math.min(this.windowSamples - this.carried, frame.length - offset);
      this.carry.set(frame.subarray(offset, offset + take), this.carried);
      this.carried += take;
      offset += take;
      if (this.carried === this.windowSamples) {
        windows.push(this.carry.slice());
        this.carried = 0;
      }
    }
    return windows;
  }

  reset(): void {
    this.carried = 0;
  }
}
