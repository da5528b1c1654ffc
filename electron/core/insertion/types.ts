// Types at the insertion module's boundaries: how keys reach the focused app and how the
// clipboard is saved, offered and restored. One implementation of each per platform.

/**
 * 'terminal': pastes CLIPBOARD on Ctrl+Shift+V. 'primary-terminal': xterm and rxvt, which paste
 * only the PRIMARY selection, on Shift+Insert. 'app': everything else, Ctrl+V.
 */
export type FocusedAppKind = 'terminal' | 'primary-terminal' | 'app';

/** The app with keyboard focus, as per-app insertion rules name it. */
export interface FocusedApp {
  /** For people (the X11 window class, e.g. "firefox"). */
  name: string;
  /** Every name a rule may use for it (X11: WM_CLASS instance and class). */
  names: string[];
}

/** A focused app from a command's output: one name per line, the first for people; null when none. */
export function appFromLines(output: string): FocusedApp | null {
  const names = output.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && line !== 'missing value');
  return names.length > 0 ? { name: names[0], names } : null;
}

/** Synthesizes input into whatever app has keyboard focus. */
export interface KeyInjector {
  readonly name: string;
  /** Terminals paste with Ctrl+Shift+V; everything else with Ctrl+V / Cmd+V. */
  focusedAppKind(): Promise<FocusedAppKind>;
  /** The focused app, where this platform can tell (X11, macOS, Windows); absent or null where it cannot. */
  focusedApp?(): Promise<FocusedApp | null>;
  /** Asking costs a process start of note (PowerShell): then only when a rule needs the answer. */
  readonly focusedAppCostly?: boolean;
  /** Sends the paste chord by keysym, so non-QWERTY layouts still mean "paste". */
  sendPaste(kind: FocusedAppKind): Promise<void>;
  /**
   * Types `text`. Throws KeysInterferedError when it can tell that some keystrokes never became
   * text (the user pressed Ctrl or Super while they went out, or held the grabbed hotkey's key).
   */
  typeText(text: string): Promise<void>;
  /** Deletes `count` characters before the cursor. */
  backspace(count: number): Promise<void>;
}

/**
 * How our synthesized keystrokes actually arrived, from a global key hook that sees them with the
 * modifier state the system applied (X11's XRecord does): the only way to know that a key typed
 * while the user pressed a chord became Ctrl+key, or went to the hotkey's grab, instead of text.
 */
export interface KeystrokeAudit {
  /**
   * Starts recording ordinary key presses (modifiers and the user's presses of the hotkey left
   * out) for a typing call that sends `text`, one press per character.
   */
  begin(text: string): KeystrokeRecording;
  /** Whether `char` is typed by the hotkey's key (a space, for Ctrl+Shift+Space). */
  typesHotkeyKey(char: string): boolean;
  /**
   * Whether typing may press the hotkey's key now: not while the user holds that key (X would take
   * our press for a repeat of it, unseen by the hook, and its grab takes every key) or a modifier
   * (our press could complete the user's chord and count as their hotkey).
   */
  mayPressHotkeyKey(): boolean;
  /**
   * True only while the hook runs, reports our keys, and sees no modifier held. Releasing the
   * modifiers then has nothing of ours to undo and could only take back a press the user made
   * since (on X11 an XTest key-up ends any XTest press, another client's too).
   */
  seesNoModifierHeld(): boolean;
  /**
   * Whether the hook can pace typing: it runs and reports our keys. Keys then go one at a time,
   * each once the hook has seen the one before, and a chord the user begins stops them within a key.
   */
  watchesTyping(): boolean;
  /**
   * Whether the user holds keys that turn a typed key into something else: Ctrl, Alt or Super (a
   * shortcut), or the grabbed hotkey's key (its grab takes every key). Not Shift: it only
   * capitalises, and typing presses it too.
   */
  userHoldsShortcutKeys(): boolean;
}

export interface KeystrokeRecording {
  /**
   * Waits briefly for one press per character, then stops. For each press, in order, whether it
   * never became text: it arrived under Ctrl or Super (a shortcut), or while the user held the
   * grabbed hotkey's key (X gave it to the grab). Null when it cannot tell (a different number of
   * presses, or none seen at all).
   */
  end(): Promise<boolean[] | null>;
  /** Resolves true once `count` presses of ours have arrived, false after `timeoutMs`. */
  waitForPresses(count: number, timeoutMs: number): Promise<boolean>;
  /** Typing stopped after `sent` characters: end() expects that many presses. */
  stoppedAfter(sent: number): void;
  /** Stops recording without an answer (the typing failed). */
  cancel(): void;
}

/**
 * Typing went out while the user pressed a chord: `intact` (a prefix of the text) is in the app
 * as typed, then came a keystroke that never became text, and after it `strays` characters of
 * ours landed out of place. The caller waits for the keys, deletes the strays and types the rest.
 */
export class KeysInterferedError extends Error {
  constructor(readonly intact: string, readonly strays: number) {
    super(`keystrokes arrived as shortcuts after ${Array.from(intact).length} characters (a modifier was held)`);
    this.name = 'KeysInterferedError';
  }
}

/**
 * Typing stopped before a key because the user began a chord: `intact` is in the app and nothing
 * landed out of place. The caller waits for the keys and types the rest (no repair, unless nothing
 * was typed: then it counts as one, so a chord that never ends cannot stall typing forever).
 */
export class KeysPausedError extends KeysInterferedError {
  constructor(intact: string) {
    super(intact, 0);
    this.message = `typing paused after ${Array.from(intact).length} characters (the user holds a modifier)`;
    this.name = 'KeysPausedError';
  }
}

/** What was on the clipboard before we borrowed it; opaque to everyone but its store. */
/** Larger clipboard contents are not kept (and the user is told), never buffered without bound. */
export const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;

export interface ClipboardSnapshot {
  /** The formats it held, for messages and tests (e.g. ['UTF8_STRING', 'image/png']). */
  readonly formats: readonly string[];
  /** Formats that could not be kept (too large, unreadable), with the reason. */
  readonly dropped: readonly string[];
}

export type ReadReceipt = 'read' | 'unknown' | 'timeout';

/** Our text, offered on the clipboard for one paste. */
export interface ClipboardOffer {
  /**
   * Called right before the paste chord: only reads after it count as the target's. A clipboard
   * manager reads every new clipboard at once, and restoring on its read would race the target.
   */
  markChord(): void;
  /**
   * Resolves when the target has read the text ('read'), at once when this store cannot tell
   * ('unknown': the loan's give-back delay is then the settle), or after timeoutMs ('timeout').
   */
  waitForRead(timeoutMs: number): Promise<ReadReceipt>;
  /** Stops offering (restore() takes the selection over anyway). */
  release(): void;
  /** Whether our text is still what the clipboard holds (no one has copied since). */
  holdsClipboard(): Promise<boolean>;
}

export interface ClipboardStore {
  readonly name: string;
  snapshot(): Promise<ClipboardSnapshot>;
  /** Puts the text on the clipboard for a paste and watches for the target reading it. */
  offer(text: string): Promise<ClipboardOffer>;
  /** Leaves the text on the clipboard for good (clipboard-only mode and fallbacks). */
  writeText(text: string): Promise<void>;
  restore(snapshot: ClipboardSnapshot): Promise<void>;
}

/** One paste's hold on the clipboard. */
export interface Lending {
  /** Our text on the clipboard, with its read receipt. */
  readonly offer: ClipboardOffer;
  /** Formats of the user's clipboard that the give-back cannot restore. */
  readonly dropped: readonly string[];
  /** The paste went through: give the clipboard back once no other paste follows. */
  settled(): void;
  /** The paste failed: give the clipboard back now. */
  failed(): Promise<void>;
  /** The app never read it: leave the text on the clipboard for good, where the user can paste it. */
  keep(): Promise<void>;
}

/** A clipboard store whose pastes go through loans. */
export interface LentClipboard {
  readonly name: string;
  lend(text: string): Promise<Lending>;
  /** Leaves the text on the clipboard for good; a loan still open is not given back over it. */
  writeText(text: string): Promise<void>;
}

/** The tools a platform needs, or exactly what is missing and how to get it. */
export type PlatformInsertion =
  | { available: true; keys: KeyInjector; clipboard: LentClipboard; primary?: LentClipboard; description: string }
  | { available: false; reason: string; clipboard: LentClipboard | null };

export class InsertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InsertionError';
  }
}
