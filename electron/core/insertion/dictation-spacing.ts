// A space between consecutive dictations. Every insertion drops the text's leading whitespace
// (Tekken words carry one), so two dictations into the same line would run together ("Hello
// world.How are you?"). When a dictation starts right where the last one ended (the user has
// pressed no key and clicked nowhere since, as the global hook saw it), and the last one did not
// end in whitespace, it starts with a space; unless its text begins with punctuation that hugs
// the word before. Where no hook tells (Wayland, a failed hook) nothing is added: a stray space at
// the start of a new field would be worse than a missing one.

import type { InputActivity } from '../hotkey/input-activity';

/** Text that starts like this follows the last word directly. */
const NO_SPACE_BEFORE = /^[\s.,;:!?…)\]}%'"’”»、。，．！？]/u;

/** How many dictations "scratch that" can take back in a row. */
const SCRATCH_DEPTH = 20;

export class DictationSpacing {
  /** The dictations the caret has followed since the user's last press, oldest first. */
  private run: { texts: string[]; serial: number } | null = null;

  constructor(private readonly activity: InputActivity) {}

  /** For a dictation starting now: what goes before its text (a space, or nothing). */
  separator(): (text: string) => string {
    const last = this.untouched()?.at(-1);
    const continues = last !== undefined && !/\s$/u.test(last);
    return (text) => (continues && text !== '' && !NO_SPACE_BEFORE.test(text) ? ' ' : '');
  }

  /** Our keys go out from now until the returned release (see InputActivity.holdOwnInput). */
  holdOwnInput(): () => void {
    return this.activity.holdOwnInput();
  }

  /** `text` reached the focused app (typed or pasted), caret after it; '' or null: it did not. */
  inserted(text: string | null): void {
    const serial = this.activity.serial();
    if (!text || serial === null) {
      this.run = null;
      return;
    }
    const texts = this.untouched() ?? [];
    this.run = { texts: [...texts, text].slice(-SCRATCH_DEPTH), serial };
  }

  /**
   * For a dictation starting now: the last one's text (its leading space included) when the caret
   * must still be right after it, so "scratch that" can take exactly it back; else null.
   */
  previousIfUntouched(): string | null {
    return this.untouched()?.at(-1) ?? null;
  }

  /**
   * "Scratch that" took the last one back: the caret follows the one before it again (our
   * backspaces are not the user's presses), so another "scratch that" can take that one too.
   */
  scratched(): void {
    const texts = this.untouched();
    const serial = this.activity.serial();
    this.run = texts && texts.length > 1 && serial !== null ? { texts: texts.slice(0, -1), serial } : null;
  }

  /** The run of dictations the caret still follows (no press of the user's since), or null. */
  private untouched(): string[] | null {
    const serial = this.activity.serial();
    return this.run !== null && serial !== null && serial === this.run.serial ? this.run.texts : null;
  }
}
