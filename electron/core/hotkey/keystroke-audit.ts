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
const POLL_MS = 5;

const CANNOT_TELL: KeystrokeRecording = { end: async () => null, cancel: () => undefined };

interface Recording {
  /** The characters typed, one press each, in order. */
  readonly chars: readonly string[];
  /** Per press of ours, in order: whether it never became text (a shortcut, or the grab's). */
  readonly presses: boolean[];
  /** Every event the hook reported meanwhile, ours or not. */
  events: number;
}

export class KeystrokeAuditor implements KeystrokeAudit {
  private readonly open = new Set<Recording>();
  private hotkey: HotkeyBinding | null = null;
  private grabbed = false;
  /** Presses of the hotkey's key that were ours and are not yet released. */
  private oursDown = 0;
  /** A recording saw no event at all: this hook does not report synthesized keys. */
  private blind = false;

  /**
   * `listening`: whether the hook runs now. `userHoldsHotkey`: whether the user holds the hotkey
   * (its chord pressed, its key not yet up: the hotkey matcher's state, fed the events this
   * auditor does not claim as ours).
   */
  constructor(private readonly listening: () => boolean, private readonly userHoldsHotkey: () => boolean) {}

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
    this.oursDown = 0;
  }

  /**
   * Takes every event the hook reports. True when it is one of our own presses or releases of the
   * hotkey's key, which the hotkey matcher must not take for the user's.
   */
  handle(event: RawKeyEvent): boolean {
    for (const recording of this.open) recording.events += 1;
    const hotkey = this.hotkey;
    const hotkeyKey = hotkey !== null && event.key === hotkey.key;
    if (hotkeyKey && event.type === 'up') {
      if (this.oursDown > 0) {
        this.oursDown -= 1;
        return true;
      }
      return false;
    }
    if (event.type !== 'down' || event.modifierKey) return false;
    if (hotkeyKey && !this.ourHotkeyPress(event)) return false;
    if (this.open.size === 0) return false;
    if (hotkeyKey) this.oursDown += 1;
    // While the user holds the grabbed chord, every key goes to the grab.
    const lost = (this.grabbed && this.userHoldsHotkey()) || event.modifiers.has('ctrl') || event.modifiers.has('meta');
    for (const recording of this.open) recording.presses.push(lost);
    return hotkeyKey;
  }

  typesHotkeyKey(char: string): boolean {
    return this.hotkey !== null && keyOfChar(char) === this.hotkey.key;
  }

  hotkeyHeld(): boolean {
    return this.userHoldsHotkey();
  }

  /** `text`: what the typing call sends, one press per character. */
  begin(text: string): KeystrokeRecording {
    if (this.blind || !this.listening()) return CANNOT_TELL;
    const recording: Recording = { chars: Array.from(text), presses: [], events: 0 };
    this.open.add(recording);
    return {
      end: async () => {
        const { presses } = recording;
        const expected = recording.chars.length;
        const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
        while (presses.length < expected && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        this.open.delete(recording);
        if (expected > 0 && recording.events === 0) this.blind = true;
        // More presses than ours means the user typed too: which were ours is unknown.
        return presses.length === expected ? presses : null;
      },
      cancel: () => { this.open.delete(recording); },
    };
  }

  /**
   * Whether a press of the hotkey's key is ours. A key we never type (F9) is always the user's
   * (held push-to-talk repeats too). A typing key (the default Ctrl+Shift+Space) is the user's
   * only under the binding's chord while our next character is not that key: one of our spaces
   * caught under the user's chord is ours, and a user's press that comes just when we type the
   * same key is taken for ours (ours then comes to the matcher in its place: the tap still counts).
   */
  private ourHotkeyPress(event: RawKeyEvent): boolean {
    const hotkey = this.hotkey!;
    if (!isTypingKey(hotkey.key)) return false;
    const underChord = hotkey.modifiers.size > 0 && [...hotkey.modifiers].every((m) => event.modifiers.has(m));
    if (!underChord) return true;
    for (const recording of this.open) {
      const next = recording.chars[recording.presses.length];
      if (next !== undefined && this.typesHotkeyKey(next)) return true;
    }
    return false;
  }
}
