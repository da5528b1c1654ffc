// Token ids → the partial transcripts the UI shows. Text is made incrementally by the Tekken
// detokenizer (a UTF-8 character split across tokens waits until it is whole); leading whitespace
// is dropped (Tekken words start with a space), so `text` only ever grows and `appended` is exact.
// A stream that went on after an early EOS (ContinuousSession) gives ids by segment; the segments'
// text is joined by the same SegmentedDecoder the CLI uses.

import { SegmentedDecoder } from '../../../native-models/js/continuation';
import type { Tekken } from '../../../native-models/js/tokenizer/tekken';

export interface TranscriptStep {
  appended: string;
  text: string;
  tokenIds: number[];
}

export class TranscriptBuilder {
  private readonly decoder: SegmentedDecoder;
  private raw = '';
  private shown = '';
  private readonly ids: number[] = [];

  constructor(tokenizer: Tekken) {
    this.decoder = new SegmentedDecoder(tokenizer);
  }

  get text(): string {
    return this.shown;
  }

  /** Every id received so far, pads and specials included, in stream order. */
  get tokenIds(): readonly number[] {
    return this.ids;
  }

  /** Ids of `segment` (0, then 1 after the first early EOS, …; default: the latest); in order. */
  push(ids: readonly number[], segment?: number): TranscriptStep {
    for (const id of ids) this.ids.push(id);
    return this.advance(this.decoder.push(ids, segment), [...ids]);
  }

  /** End of stream: releases a held-back partial character (as U+FFFD if it never completed). */
  finish(): TranscriptStep {
    return this.advance(this.decoder.flush(), []);
  }

  private advance(piece: string, tokenIds: number[]): TranscriptStep {
    this.raw += piece;
    const next = this.raw.trimStart();
    const appended = next.slice(this.shown.length);
    this.shown = next;
    return { appended, text: next, tokenIds };
  }
}
