// Which of our typed keys never became text. The global hook (X11's XRecord) reports synthesized
// presses too, each with the modifiers held when the X server handled it: a key typed while the
// user pressed a chord shows up with Ctrl or Super (a shortcut), and one typed while the user held
// the grabbed hotkey's key went to the grabbing client.
// Alt is not counted: AltGr layouts type some ASCII through it, and the hook may call it Alt.

import type { KeystrokeAudit, KeystrokeRecording } from '../insertion/types';
import { isTypingKey, keyOfChar, type HotkeyBinding } from './accelerator';
import type { RawKeyEvent } from './matcher';

/** How long the hook may take to report presses after the typing process has exited. */
export const ARRIVAL_TIMEOUT_MS = 250;

const CANNOT_TELL: KeystrokeRecording = {
  end: async () => null, waitForPresses: async () => false, stoppedAfter: () => undefined, cancel: () => undefined,
};

interface Recording {
  /** Per press of ours, in order: whether it never became text (a shortcut, or the grab's). */
  readonly presses: boolean[];
  /** Every event the hook reported meanwhile, ours or not. */
  events: number;
  /** Woken by each press, so typing paced by the hook waits no longer than the hook does. */
  wake: (() => void) | null;
}

export class KeystrokeAuditor implements KeystrokeAudit {
  private readonly open = new Set<Recording>();
  private hotkey: HotkeyBinding | null = null;
  private grabbed = false;
  /** A recording saw no event at all: this hook does not report synthesized keys. */
  private blind = false;

  /**
   * `listening`: whether the hook runs now. `userHoldsHotkey`: whether the user holds the hotkey
   * (its chord pressed, its key not yet up: the hotkey matcher's state). `userHoldsModifier`:
   * whether the user holds any modifier key. `userHoldsShortcutModifier`: Ctrl, Alt or Super.
   */
  constructor(private readonly listening: () => boolean, private readonly userHoldsHotkey: () => boolean,
    private readonly userHoldsModifier: () => boolean, private readonly userHoldsShortcutModifier: () => boolean) {}

  /** Recordings not yet ended or cancelled (each one counts every event the hook reports). */
  get openRecordings(): number {
    return this.open.size;
  }

  /**
   * The bound hotkey: the user's presses of it are not ours. `grabbed`: X11 delivers the chord
   * through a passive key grab (globalShortcut's, or the other app's that holds it), so while the
   * user holds its key every key goes to the grabbing client: ours then never reach the app.
   */
  setHotkey(binding: HotkeyBinding | null, grabbed = false): void {
    this.hotkey = binding;
    this.grabbed = grabbed;
  }

  handle(event: RawKeyEvent): void {
    if (this.open.size === 0) return;
    for (const recording of this.open) recording.events += 1;
    if (event.type !== 'down' || event.modifierKey || this.isHotkeyPress(event)) return;
    // While the user holds the grabbed chord, every key goes to the grab.
    const lost = (this.grabbed && this.userHoldsHotkey()) || event.modifiers.has('ctrl') || event.modifiers.has('meta');
    for (const recording of this.open) {
      recording.presses.push(lost);
      recording.wake?.();
    }
  }

  typesHotkeyKey(char: string): boolean {
    return this.hotkey !== null && keyOfChar(char) === this.hotkey.key;
  }

  mayPressHotkeyKey(): boolean {
    return !this.userHoldsHotkey() && !this.userHoldsModifier();
  }

  seesNoModifierHeld(): boolean {
    return this.watchesTyping() && !this.userHoldsModifier();
  }

  watchesTyping(): boolean {
    return this.listening() && !this.blind;
  }

  userHoldsShortcutKeys(): boolean {
    return this.userHoldsShortcutModifier() || (this.grabbed && this.userHoldsHotkey());
  }

  /** `text`: what the typing call sends, one press per character. */
  begin(text: string): KeystrokeRecording {
    if (this.blind || !this.listening()) return CANNOT_TELL;
    const recording: Recording = { presses: [], events: 0, wake: null };
    this.open.add(recording);
    let expected = Array.from(text).length;
    return {
      end: async () => {
        const { presses } = recording;
        await arrival(recording, expected, ARRIVAL_TIMEOUT_MS);
        this.open.delete(recording);
        if (expected > 0 && recording.events === 0) this.blind = true;
        // More presses than ours means the user typed too: which were ours is unknown.
        return presses.length === expected ? presses : null;
      },
      waitForPresses: (count, timeoutMs) => arrival(recording, count, timeoutMs),
      stoppedAfter: (sent) => { expected = sent; },
      cancel: () => { this.open.delete(recording); },
    };
  }

  /**
   * The user's press of the hotkey. A key we never type (F9) always is (held push-to-talk repeats
   * too). A key we do type (the default Ctrl+Shift+Space) is only under the binding's chord: our
   * plain spaces are ours, and typing never presses that key while the user holds a modifier
   * (mayPressHotkeyKey), so one of ours is under the chord only if the user pressed it in the few
   * milliseconds between that check and our press.
   */
  private isHotkeyPress(event: RawKeyEvent): boolean {
    const hotkey = this.hotkey;
    if (!hotkey || event.key !== hotkey.key) return false;
    if (!isTypingKey(hotkey.key)) return true;
    return hotkey.modifiers.size > 0 && [...hotkey.modifiers].every((m) => event.modifiers.has(m));
  }
}

/** Waits until the recording holds `count` presses (true) or `timeoutMs` has passed (false). */
async function arrival(recording: Recording, count: number, timeoutMs: number): Promise<boolean> {
  if (recording.presses.length >= count) return true;
  return new Promise((resolve) => {
    const wake = (): void => {
      if (recording.presses.length < count) return;
      clearTimeout(timer);
      recording.wake = null;
      resolve(true);
    };
    // Answered after the loop's pending I/O: when the thread was busy past the deadline, the
    // timer runs before the hook's queued reports, which would read as a hook that stopped. A
    // report among those may have answered already and the next wait set its own wake: kept.
    const timer = setTimeout(() => setImmediate(() => {
      if (recording.wake === wake) recording.wake = null;
      resolve(recording.presses.length >= count);
    }), timeoutMs);
    recording.wake = wake;
  });
}
