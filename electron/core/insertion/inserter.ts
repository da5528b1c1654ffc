// The insertion sink the coordinator drives: one session per dictation, in the mode the user
// chose (paste, live typing, clipboard only), with fallbacks that never lose the text: whatever
// cannot be typed or pasted is left on the clipboard, and the outcome says why.

import type { AppInsertionRule, InsertionMode } from '../../common/ipc-contract';
import type { InsertionOutcome, InsertionSession, InsertionSink } from '../coordinator/types';
import { isScratchCommand } from '../../common/voice-commands';
import { modeForApp } from './app-rules';
import { waitForFreeKeys } from './free-keys';
import type { DictationSpacing } from './dictation-spacing';
import { LiveTyper, LiveTypingError } from './live-typer';
import { DEFAULT_READ_TIMEOUT_MS, pasteText } from './paste';
import type { FocusedApp, PlatformInsertion } from './types';

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
  /** Per-app modes (Settings.insertion.perApp), read per dictation; the focused app is asked only when there are some. */
  appRules?: () => readonly AppInsertionRule[];
  /** Told the focused app a dictation went to, when it was asked (Settings offers recent ones for rules). */
  onFocusedApp?: (app: FocusedApp) => void;
}

export class Inserter implements InsertionSink {
  constructor(private readonly options: InserterOptions) {}

  begin(): InsertionSession {
    const platform = this.options.platform();
    const { spacing } = this.options;
    // Decided as the dictation starts: keys the user presses during it are not in the count
    // (ours are not either: the session holds them as ours until it ends).
    const separator = spacing && (this.options.spaceBetween?.() ?? true) ? spacing.separator() : null;
    // What "scratch that" may take back: the last dictation, if the caret is still right after it.
    const previous = spacing?.previousIfUntouched() ?? null;
    const releaseOwn = spacing?.holdOwnInput() ?? (() => undefined);
    const resolved = this.sessionMode(platform, this.options.mode(), this.options.appRules?.() ?? []);
    let aborted = false;
    const prepared = (mode: InsertionMode, text: string) => {
      const body = normalize(text);
      return (separator && mode !== 'clipboard' ? separator(body) : '') + body;
    };
    return {
      partial: (text) => {
        void resolved.then(({ mode, typer }) => { if (!aborted) typer?.update(prepared(mode, text)); });
      },
      finish: async (finalText) => {
        try {
          const { mode, typer } = await resolved;
          if (mode !== 'clipboard' && isScratchCommand(finalText)) {
            const outcome = await this.scratch(platform, typer, previous);
            // Taken back: the caret follows the dictation before it again. Else unknown.
            if (outcome.delivered === 'typed') spacing?.scratched();
            else spacing?.inserted(null);
            return outcome;
          }
          const text = prepared(mode, finalText);
          const outcome = await this.finish(mode, platform, typer, text);
          // Nothing said: the caret is still where the last one left it.
          if (text !== '') spacing?.inserted(outcome.delivered === 'typed' || outcome.delivered === 'pasted' ? text : null);
          return outcome;
        } finally {
          releaseOwn();
        }
      },
      abort: () => {
        aborted = true;
        spacing?.inserted(null); // live typing may have left part of it: where the caret is, we cannot say
        releaseOwn();
        void resolved.then(({ typer }) => typer?.abort());
      },
    };
  }

  /**
   * "Scratch that": the command's own words go (typed live, they are on screen), then the last
   * dictation, by as many backspaces as it had characters. Only while the caret must still be
   * right after it: any key or click since, and it could delete the user's own text.
   */
  private async scratch(platform: PlatformInsertion, typer: LiveTyper | null, previous: string | null): Promise<InsertionOutcome> {
    const failed = (message: string): InsertionOutcome => ({ delivered: 'none', message, command: 'scratch' });
    try {
      if (typer) {
        try {
          await typer.finish('');
        } catch (err) {
          // Typing broke off (a chord pressed during it): what did reach the app goes by hand.
          if (!(err instanceof LiveTypingError)) throw err;
          if (err.typed !== '' && platform.available) await platform.keys.backspace(Array.from(err.typed).length);
        }
      }
      if (previous === null) {
        return failed('Nothing was removed: “scratch that” takes back the last dictation only while the text cursor is still right after it (no key pressed and no click since).');
      }
      if (!platform.available) return failed(`Nothing was removed: ${platform.reason}`);
      // The stop tap may still hold the hotkey's key (its grab would take our first backspaces).
      await waitForFreeKeys({ keysTaken: this.options.keysTaken, mayTypeNow: this.options.mayTypeNow });
      await platform.keys.backspace(Array.from(previous).length);
      return { delivered: 'typed', message: 'Removed the last dictation', command: 'scratch' };
    } catch (err) {
      return failed(`The last dictation could not be removed (${messageOf(err)}).`);
    }
  }

  /**
   * The session's mode, and its live typer when it types. The app focused as the dictation starts
   * is where its text goes: a rule naming it picks the mode (asked once; the text waits for the
   * answer, a few milliseconds of xprop). Without rules it is asked only to tell Settings which
   * apps the user dictates into, and nothing waits for it; not where asking starts PowerShell.
   */
  private sessionMode(platform: PlatformInsertion, fallback: InsertionMode, rules: readonly AppInsertionRule[]): Promise<{ mode: InsertionMode; typer: LiveTyper | null }> {
    const keys = platform.available ? platform.keys : null;
    const asked: Promise<FocusedApp | null> = keys?.focusedApp && (rules.length > 0 || (this.options.onFocusedApp && !keys.focusedAppCostly))
      ? keys.focusedApp().catch(() => null).then((app) => {
        if (app) this.options.onFocusedApp?.(app);
        return app;
      })
      : Promise.resolve(null);
    return (rules.length > 0 ? asked : Promise.resolve(null)).then((app) => {
      const mode = modeForApp(app, rules) ?? fallback;
      const typer = mode === 'type' && keys
        ? new LiveTyper(keys, { holdBackPartialWord: this.options.holdBackPartialWord, mayTypeNow: this.options.mayTypeNow, keysTaken: this.options.keysTaken })
        : null;
      return { mode, typer };
    });
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
      // A stop tap may still hold the hotkey's key, whose grab would take the paste chord. (Held
      // modifiers alone do not wait: the injector lifts them for the chord.)
      await waitForFreeKeys({ keysTaken: this.options.keysTaken });
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
