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

export class DictationSpacing {
  private last: { text: string; serial: number } | null = null;

  constructor(private readonly activity: InputActivity) {}

  /** For a dictation starting now: what goes before its text (a space, or nothing). */
  separator(): (text: string) => string {
    const serial = this.activity.serial();
    const continues = this.last !== null && serial !== null && serial === this.last.serial && !/\s$/u.test(this.last.text);
    return (text) => (continues && text !== '' && !NO_SPACE_BEFORE.test(text) ? ' ' : '');
  }

  /** Our keys go out from now until the returned release (see InputActivity.holdOwnInput). */
  holdOwnInput(): () => void {
    return this.activity.holdOwnInput();
  }

  /** `text` reached the focused app (typed or pasted), caret after it; '' or null: it did not. */
  inserted(text: string | null): void {
    const serial = this.activity.serial();
    this.last = text && serial !== null ? { text, serial } : null;
  }

  /**
   * For a dictation starting now: the last one's text (its leading space included) when the caret
   * must still be right after it, so "scratch that" can take exactly it back; else null.
   */
  previousIfUntouched(): string | null {
    const serial = this.activity.serial();
    return this.last !== null && serial !== null && serial === this.last.serial ? this.last.text : null;
  }
}
