// Whether the user has touched the keyboard or mouse since a moment, as the global hook sees it:
// a count of their key presses (not modifiers alone, not the hotkey's or cancel key) and mouse
// presses. Our own keys (paste chords, live typing) reach the hook too, so presses while we insert,
// and for a moment after (the hook hears of them late), are not counted. Without a hook nothing
// can be known: serial() is null.

import type { RawKeyEvent } from './matcher';

/**
 * Our synthesized keys may reach the hook this long after the insertion returned (XRecord hears
 * of them within milliseconds; the margin is for a loaded machine). Longer would swallow a
 * quick Enter after the text; a press of ours counted by mistake only costs the next space.
 */
export const OWN_INPUT_SETTLE_MS = 80;

export interface InputActivity {
  /** The count of the user's presses so far; null where no hook tells. */
  serial(): number | null;
  /** Marks our own keys going out until the returned release is called (nested calls stack). */
  holdOwnInput(): () => void;
}

export class InputActivityTracker implements InputActivity {
  private count = 0;
  private own = 0;
  private quietUntil = 0;

  constructor(private readonly hooked: () => boolean, private readonly ignoredKeys: () => ReadonlySet<string>,
    private readonly now: () => number = Date.now) {}

  serial(): number | null {
    return this.hooked() ? this.count : null;
  }

  holdOwnInput(): () => void {
    this.own += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.own -= 1;
      this.quietUntil = Math.max(this.quietUntil, this.now() + OWN_INPUT_SETTLE_MS);
    };
  }

  /** A key event from the hook. */
  key(event: RawKeyEvent): void {
    if (event.type !== 'down' || event.modifierKey || (event.key !== null && this.ignoredKeys().has(event.key))) return;
    this.press();
  }

  /** A mouse button went down (a click may move the caret or the focus). */
  pointer(): void {
    this.press();
  }

  private press(): void {
    if (this.own > 0 || this.now() < this.quietUntil) return;
    this.count += 1;
  }
}
