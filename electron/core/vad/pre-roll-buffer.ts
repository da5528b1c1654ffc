// Audio kept while armed for start-on-speech, so the words that triggered the start (and a little
// before them) reach the engine once the dictation begins. Frames are copies, tagged with stream time.

interface TimedFrame {
  frame: Float32Array;
  endMs: number;
}

export class PreRollBuffer {
  private frames: TimedFrame[] = [];

  constructor(private readonly maxFrames: number) {
    if (!Number.isInteger(maxFrames) || maxFrames <= 0) throw new RangeError(`maxFrames must be > 0, got ${maxFrames}`);
  }

  get length(): number {
    return this.frames.length;
  }

  /** Keeps a copy; returns true when the oldest frame had to go to stay within the bound. */
  push(frame: Float32Array, endMs: number): boolean {
    this.frames.push({ frame: frame.slice(), endMs });
    if (this.frames.length <= this.maxFrames) return false;
    this.frames.shift();
    return true;
  }

  /** Forgets frames that end at or before `ms` (they are too old to matter). */
  dropEndingBefore(ms: number): void {
    let keepFrom = 0;
    while (keepFrom < this.frames.length && this.frames[keepFrom].endMs <= ms) keepFrom++;
    if (keepFrom > 0) this.frames = this.frames.slice(keepFrom);
  }

  /** Hands over the newest `maxFrames` frames kept (all by default), oldest first, and empties the buffer. */
  drain(maxFrames = Number.POSITIVE_INFINITY): Float32Array[] {
    const frames = this.frames.slice(Math.max(0, this.frames.length - maxFrames)).map((f) => f.frame);
    this.frames = [];
    return frames;
  }
}
