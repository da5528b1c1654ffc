// A DictationPort that replays a fixed, pre-decided token stream through the real Tekken
// incremental detokenizer at the model's pace (one token per 80 ms), the way the dictation
// controller will feed the coordinator once the engine runs here.

import type { DictationPort, FinalResult, PartialUpdate } from '../../../electron/core/coordinator';
import { IncrementalDecoder } from '../../../native-models/js/tokenizer/incremental-decoder';
import type { Tekken } from '../../../native-models/js/tokenizer/tekken';

export class ReplayDictationPort implements DictationPort {
  private listeners = new Set<(u: PartialUpdate) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private decoder: IncrementalDecoder | null = null;
  private next = 0;
  private text = '';
  calls: string[] = [];

  /**
   * `pace.holdWhen`: once the text so far satisfies it, no more tokens come until stop() (a
   * speaker's pause), so a test can act while nothing is being typed.
   */
  constructor(private readonly tekken: Tekken, private readonly tokens: readonly number[],
    private readonly pace: { loadMs: number; msPerToken: number; holdWhen?: (text: string) => boolean } = { loadMs: 150, msPerToken: 80 }) {}

  async start(): Promise<void> {
    this.calls.push('start');
    await new Promise((r) => setTimeout(r, this.pace.loadMs)); // "model load"
    this.decoder = new IncrementalDecoder(this.tekken);
    this.next = 0;
    this.text = '';
    this.timer = setInterval(() => {
      if (this.pace.holdWhen?.(this.text)) return;
      if (this.next < this.tokens.length) this.push([this.tokens[this.next++]]);
    }, this.pace.msPerToken);
  }

  async stop(): Promise<FinalResult> {
    this.calls.push('stop');
    this.halt();
    // The flush: whatever the right padding still decodes comes out at once.
    this.push(this.tokens.slice(this.next));
    this.next = this.tokens.length;
    this.text += this.decoder?.flush() ?? '';
    return { text: this.text };
  }

  cancel(): void {
    this.calls.push('cancel');
    this.halt();
  }

  onPartial(listener: (u: PartialUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private push(ids: readonly number[]): void {
    if (!this.decoder || ids.length === 0) return;
    const appended = this.decoder.push(ids);
    if (!appended) return;
    this.text += appended;
    for (const l of this.listeners) l({ text: this.text, appended });
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * Ids for `text` in this vocabulary by greedy longest match (the pre-decided stream); characters
 * listed in `splitBytes` are emitted one byte-token per UTF-8 byte, as a model may do.
 */
export function tokensFor(tekken: Tekken, text: string, splitBytes: readonly string[] = []): number[] {
  const byBytes = new Map<string, number>();
  for (let id = tekken.numSpecial; id < tekken.vocabSize; id++) {
    const bytes = tekken.tokenBytes(id);
    if (bytes.length > 0) {
      const key = Buffer.from(bytes).toString('latin1');
      if (!byBytes.has(key)) byBytes.set(key, id);
    }
  }
  const ids: number[] = [];
  let run = '';
  const flushRun = (): void => {
    const bytes = Buffer.from(run, 'utf8').toString('latin1');
    let i = 0;
    while (i < bytes.length) {
      let len = Math.min(16, bytes.length - i);
      while (len > 1 && !byBytes.has(bytes.slice(i, i + len))) len -= 1;
      const id = byBytes.get(bytes.slice(i, i + len));
      if (id === undefined) throw new Error(`no token for byte ${bytes.charCodeAt(i)}`);
      ids.push(id);
      i += len;
    }
    run = '';
  };
  for (const ch of text) {
    if (!splitBytes.includes(ch)) { run += ch; continue; }
    flushRun();
    for (const b of Buffer.from(ch, 'utf8')) {
      const id = byBytes.get(String.fromCharCode(b));
      if (id === undefined) throw new Error(`no byte token for ${b}`);
      ids.push(id);
    }
  }
  flushRun();
  return ids;
}
