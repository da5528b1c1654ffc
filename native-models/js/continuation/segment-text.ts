/**
 * Text of a stream made of several engine sessions (ContinuousSession): each segment's ids are
 * detokenized incrementally as usual, and where one segment follows another a space joins them
 * unless the new text begins with whitespace or closing punctuation (Tekken words normally carry
 * their leading space, so usually nothing is added) or there is no text before it yet.
 */
import { IncrementalDecoder } from '../tokenizer/incremental-decoder.js';
import type { Tekken } from '../tokenizer/tekken.js';

const NO_SPACE_BEFORE = /^[\s.,;:!?…)\]}%'"’”»、。，．！？]/u;

export class SegmentedDecoder {
  private readonly decoder: IncrementalDecoder;
  private segment = 0;
  /** A segment boundary was passed and no text has come since. */
  private joinPending = false;
  private lastChar = '';

  constructor(tokenizer: Tekken) {
    this.decoder = new IncrementalDecoder(tokenizer);
  }

  /** Text completed by these ids of `segment` (segments come in order, starting at 0). */
  push(ids: readonly number[], segment = this.segment): string {
    let text = '';
    if (segment !== this.segment) {
      if (segment < this.segment) throw new RangeError(`segment ${segment} after segment ${this.segment}`);
      text += this.decoder.flush(); // a character cut at the boundary ends here (U+FFFD)
      this.segment = segment;
      this.joinPending = true;
    }
    return this.emit(text, this.decoder.push(ids));
  }

  /** End of stream: whatever is held back, with U+FFFD for an incomplete character. */
  flush(): string {
    return this.emit('', this.decoder.flush());
  }

  private emit(before: string, piece: string): string {
    let text = before;
    if (piece.length > 0 && this.joinPending) {
      this.joinPending = false;
      const after = before.length > 0 ? before.at(-1)! : this.lastChar;
      if (after !== '' && !/\s/u.test(after) && !NO_SPACE_BEFORE.test(piece)) text += ' ';
    }
    text += piece;
    if (text.length > 0) this.lastChar = text.at(-1)!;
    return text;
  }
}
