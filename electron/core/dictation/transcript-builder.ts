// Token ids → the partial transcripts the UI shows. Text is made incrementally by the Tekken
// detokenizer (a UTF-8 character split across tokens waits until it is whole); leading whitespace
// is dropped (Tekken words start with a space), so `text` only ever grows and `appended` is exact.
// A stream that went on after an early EOS (ContinuousSession) gives ids by segment; the segments'
// text is joined by the same SegmentedDecoder the CLI uses. The user's replacements and words apply
// here, so the UI, live typing, the final insert and history all see the same text.

import { SegmentedDecoder } from '../../../native-models/js/continuation';
import type { Tekken } from '../../../native-models/js/tokenizer/tekken';
import type { ReplacementRule } from '../../common/ipc-contract';
import { StreamingReplacer } from './replacements';

export interface TranscriptStep {
  appended: string;
  text: string;
  tokenIds: number[];
}

export class TranscriptBuilder {
  private readonly decoder: SegmentedDecoder;
  private readonly replacer: StreamingReplacer;
  private started = false;
  private readonly ids: number[] = [];

  constructor(tokenizer: Tekken, replacements: readonly ReplacementRule[] = [], words: readonly string[] = []) {
    this.decoder = new SegmentedDecoder(tokenizer);
    this.replacer = new StreamingReplacer(replacements, words);
  }

  get text(): string {
    return this.replacer.output;
  }

  /** Every id received so far, pads and specials included, in stream order. */
  get tokenIds(): readonly number[] {
    return this.ids;
  }

  /** Ids of `segment` (0, then 1 after the first early EOS, …; default: the latest); in order. */
  push(ids: readonly number[], segment?: number): TranscriptStep {
    for (const id of ids) this.ids.push(id);
    return this.advance(this.decoder.push(ids, segment), [...ids], false);
  }

  /**
   * End of stream: releases a held-back partial character (as U+FFFD if it never completed) and
   * words held for a replacement that may still have matched.
   */
  finish(): TranscriptStep {
    return this.advance(this.decoder.flush(), [], true);
  }

  private advance(piece: string, tokenIds: number[], final: boolean): TranscriptStep {
    // Leading whitespace is dropped until the first visible character.
    const visible = this.started ? piece : piece.trimStart();
    if (visible) this.started = true;
    const appended = final ? this.replacer.finish(visible) : this.replacer.push(visible);
    return { appended, text: this.replacer.output, tokenIds };
  }
}
