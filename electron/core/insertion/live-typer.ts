// Live typing: as Voxtral emits tokens (final once emitted), type each settled piece into the
// focused app, through one queue so pieces never interleave, then reconcile against the final
// text at stop so nothing is lost or typed twice.

import { keysBusy, waitForFreeKeys, type KeyGate } from './free-keys';
import { KeysInterferedError, KeysPausedError, type KeyInjector } from './types';

export interface LiveTyperOptions extends KeyGate {
  /** Type a word only once the next whitespace arrives (apps with autocomplete prefer this). */
  holdBackPartialWord?: boolean;
}

export { MAX_WAIT_FOR_KEYS_MS, MAX_WAIT_FOR_RELEASE_MS } from './free-keys';
/** Retypes after keys turned into shortcuts, per piece, before typing is given up. */
export const MAX_REPAIRS = 3;

export class LiveTypingError extends Error {
  constructor(message: string, readonly typed: string) {
    super(message);
    this.name = 'LiveTypingError';
  }
}

export class LiveTyper {
  /** Settled text we want in the app. */
  private wanted = '';
  /** Text the injector confirmed typed, in the app now. */
  private confirmed = '';
  private pump: Promise<void> | null = null;
  private failure: Error | null = null;
  private aborted = false;

  constructor(private readonly keys: KeyInjector, private readonly options: LiveTyperOptions = {}) {}

  get typed(): string { return this.confirmed; }

  /** `text` is everything settled so far; only what extends what was typed is typed. */
  update(text: string): void {
    if (this.aborted || this.failure) return;
    const ready = settledPrefix(text, this.options.holdBackPartialWord ?? false);
    // Not an extension (should not happen with Voxtral): leave it to the final reconcile.
    if (ready.length <= this.wanted.length || !ready.startsWith(this.wanted)) return;
    this.wanted = ready;
    this.pump ??= this.typeWanted();
  }

  /** Waits for typing to catch up, then makes the app's text equal `finalText`. */
  async finish(finalText: string): Promise<void> {
    await this.pump;
    if (this.failure) throw new LiveTypingError(this.failure.message, this.confirmed);
    if (this.aborted) return;
    const common = commonPrefixLength(this.confirmed, finalText);
    const extra = Array.from(this.confirmed.slice(common)).length;
    try {
      if (this.keysBusy()) await this.waitForFreeKeys();
      if (extra > 0) await this.keys.backspace(extra);
      this.confirmed = this.confirmed.slice(0, common);
      const rest = finalText.slice(common);
      if (rest) await this.typeRepairing(rest);
    } catch (err) {
      throw new LiveTypingError(err instanceof Error ? err.message : String(err), this.confirmed);
    }
  }

  /** Drops whatever is still waiting; what is typed stays typed. */
  abort(): void {
    this.aborted = true;
  }

  private keysBusy(): boolean {
    return keysBusy(this.options);
  }

  private waitForFreeKeys(): Promise<void> {
    return waitForFreeKeys(this.options, () => this.aborted);
  }

  /**
   * Types `piece` after what is confirmed. Keys that went out while the user pressed a chord
   * reach the app as shortcuts: then wait for the keys, delete what landed after the first lost
   * key, and type from there again. A pause for a chord that lost nothing and made progress is
   * no repair.
   */
  private async typeRepairing(piece: string): Promise<void> {
    for (let repairs = 0; ;) {
      try {
        await this.keys.typeText(piece);
        this.confirmed += piece;
        return;
      } catch (err) {
        if (!(err instanceof KeysInterferedError)) throw err;
        this.confirmed += err.intact;
        if (!(err instanceof KeysPausedError && err.intact !== '')) {
          if (repairs >= MAX_REPAIRS) throw err;
          repairs += 1;
        }
        piece = piece.slice(err.intact.length);
        await this.waitForFreeKeys();
        if (this.aborted) return;
        if (err.strays > 0) await this.keys.backspace(err.strays);
      }
    }
  }

  /**
   * The one typing loop: types whatever is wanted but not yet typed, in one call, until it has
   * caught up. Pieces that arrive while a call runs are typed together by the next call, so a
   * slow target never makes pieces interleave or pile up one process each.
   */
  private async typeWanted(): Promise<void> {
    try {
      while (!this.aborted && this.confirmed.length < this.wanted.length) {
        if (this.keysBusy()) await this.waitForFreeKeys();
        await this.typeRepairing(this.wanted.slice(this.confirmed.length));
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.pump = null;
    }
  }
}

/**
 * The part of `text` that is safe to type: no trailing U+FFFD (a UTF-8 character still split
 * across tokens) or lone high surrogate, and optionally nothing after the last whitespace.
 */
export function settledPrefix(text: string, holdBackPartialWord: boolean): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end -= 1;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  let settled = text.slice(0, end);
  if (holdBackPartialWord) {
    const lastSpace = Math.max(settled.lastIndexOf(' '), settled.lastIndexOf('\n'), settled.lastIndexOf('\t'));
    settled = lastSpace >= 0 ? settled.slice(0, lastSpace + 1) : '';
  }
  return settled;
}

/** Common prefix length in UTF-16 units, never ending inside a surrogate pair. */
export function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  if (i > 0 && i < a.length && isHighSurrogate(a.charCodeAt(i - 1))) i -= 1;
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
