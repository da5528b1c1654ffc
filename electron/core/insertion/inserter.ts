// The insertion sink the coordinator drives: one session per dictation, in the mode the user
// chose (paste, live typing, clipboard only), with fallbacks that never lose the text: whatever
// cannot be typed or pasted is left on the clipboard, and the outcome says why.

import type { InsertionMode } from '../../common/ipc-contract';
import type { InsertionOutcome, InsertionSession, InsertionSink } from '../coordinator/types';
import type { DictationSpacing } from './dictation-spacing';
import { LiveTyper, LiveTypingError } from './live-typer';
import { DEFAULT_READ_TIMEOUT_MS, pasteText } from './paste';
import type { PlatformInsertion } from './types';

export interface InserterOptions {
  /** Resolved lazily (once per dictation) so a tool installed meanwhile is found. */
  platform: () => PlatformInsertion;
  mode: () => InsertionMode;
  holdBackPartialWord?: boolean;
  /** See LiveTyperOptions.mayTypeNow. */
  mayTypeNow?: () => boolean;
  /** See LiveTyperOptions.keysTaken. */
  keysTaken?: () => boolean;
  readTimeoutMs?: number;
  /** A space before a dictation that continues the last one (dictation-spacing.ts); absent: never. */
  spacing?: DictationSpacing;
  /** The user's setting for it (Settings.insertion.spaceBetween). */
  spaceBetween?: () => boolean;
}

export class Inserter implements InsertionSink {
  constructor(private readonly options: InserterOptions) {}

  begin(): InsertionSession {
    const mode = this.options.mode();
    const platform = this.options.platform();
    const typer = mode === 'type' && platform.available
      ? new LiveTyper(platform.keys, {
        holdBackPartialWord: this.options.holdBackPartialWord, mayTypeNow: this.options.mayTypeNow, keysTaken: this.options.keysTaken,
      })
      : null;
    // Decided as the dictation starts: keys the user presses during it are not in the count
    // (ours are not either: the session holds them as ours until it ends).
    const { spacing } = this.options;
    const continuing = spacing && mode !== 'clipboard' && (this.options.spaceBetween?.() ?? true) ? spacing.separator() : () => '';
    const releaseOwn = spacing?.holdOwnInput() ?? (() => undefined);
    const prepared = (text: string) => {
      const body = normalize(text);
      return continuing(body) + body;
    };
    return {
      partial: (text) => typer?.update(prepared(text)),
      finish: async (finalText) => {
        const text = prepared(finalText);
        try {
          const outcome = await this.finish(mode, platform, typer, text);
          // Nothing said: the caret is still where the last one left it.
          if (text !== '') spacing?.inserted(outcome.delivered === 'typed' || outcome.delivered === 'pasted' ? text : null);
          return outcome;
        } finally {
          releaseOwn();
        }
      },
      abort: () => {
        spacing?.inserted(null); // live typing may have left part of it: where the caret is, we cannot say
        releaseOwn();
        typer?.abort();
      },
    };
  }

  private async finish(mode: InsertionMode, platform: PlatformInsertion, typer: LiveTyper | null, text: string): Promise<InsertionOutcome> {
    if (typer) {
      try {
        await typer.finish(text);
        return { delivered: 'typed', message: null };
      } catch (err) {
        const typed = err instanceof LiveTypingError ? err.typed : '';
        return this.leaveOnClipboard(platform, text,
          `Typing stopped after ${Array.from(typed).length} characters (${messageOf(err)}).`);
      }
    }
    if (text === '') return { delivered: 'none', message: null };
    if (mode === 'clipboard') return this.leaveOnClipboard(platform, text, null);
    if (!platform.available) return this.leaveOnClipboard(platform, text, platform.reason);
    try {
      const report = await pasteText(text, platform.keys, { clipboard: platform.clipboard, primary: platform.primary },
        this.options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
      if (!report.restored) {
        const where = report.selection === 'primary' ? 'selection (middle-click to paste)' : 'clipboard';
        return { delivered: 'clipboard', message: `The app did not take the paste; the text is on the ${where}.` };
      }
      if (report.method === 'typed') return { delivered: 'typed', message: null };
      const lost = report.dropped.length > 0 ? `Clipboard restored without: ${report.dropped.join(', ')}.` : null;
      return { delivered: 'pasted', message: lost };
    } catch (err) {
      return this.leaveOnClipboard(platform, text, `Paste failed (${messageOf(err)}).`);
    }
  }

  private async leaveOnClipboard(platform: PlatformInsertion, text: string, why: string | null): Promise<InsertionOutcome> {
    const clipboard = platform.clipboard;
    if (!clipboard) return { delivered: 'none', message: `${why ?? ''} The clipboard is not reachable either; the text is only in history.`.trim() };
    try {
      await clipboard.writeText(text);
      return { delivered: 'clipboard', message: why ? `${why} The text is on the clipboard.` : null };
    } catch (err) {
      return { delivered: 'none', message: `${why ?? ''} Could not reach the clipboard either (${messageOf(err)}).`.trim() };
    }
  }
}

/** Voxtral's first piece usually starts with a space; the app's cursor needs none. */
function normalize(text: string): string {
  return text.replace(/^\s+/, '');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
