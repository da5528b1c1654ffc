// Frees the loaded model once nothing has used it for the user's chosen time (Settings → Model:
// "Free its memory when unused"), as Handy's unload timeout does: a 4B model holds gigabytes of
// GPU or main memory that a game or another model may want. The next dictation loads it again
// (its audio is kept meanwhile), so this is off by default.

export interface IdleUnloaderOptions {
  /** How long the model may sit unused; 0 = keep it loaded. Read at each idle(). */
  delayMs(): number;
  /** Frees the model now; called only after idle() with no busy() since. */
  unload(): void;
}

export class IdleUnloader {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: IdleUnloaderOptions) {}

  /** The model is in use (a dictation or a file job): never freed under it. */
  busy(): void {
    this.clear();
  }

  /** Nothing uses the model now: free it after the delay, counted from now. */
  idle(): void {
    this.clear();
    const ms = this.options.delayMs();
    if (ms > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.options.unload();
      }, ms);
      this.timer.unref?.(); // never what keeps a process alive
    }
  }

  dispose(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
