/**
 * Streaming detokenizer: feed token ids as the engine emits them, get text as soon as it is complete.
 * Bytes of a UTF-8 character split across tokens are held back until the character is whole, so live
 * text is never garbled; special tokens are skipped.
 */
import type { Tekken } from './tekken.js';

export class IncrementalDecoder {
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(private readonly tokenizer: Tekken) {}

  /** Text completed by these ids (possibly empty). */
  push(ids: readonly number[]): string {
    let text = '';
    for (const id of ids) {
      if (this.tokenizer.isSpecial(id)) continue;
      text += this.utf8.decode(this.tokenizer.tokenBytes(id), { stream: true });
    }
    return text;
  }

  /** End of stream: whatever is held back, with U+FFFD for an incomplete character. */
  flush(): string {
    return this.utf8.decode();
  }
}
