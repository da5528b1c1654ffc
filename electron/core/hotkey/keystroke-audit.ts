// Which of our typed keys the app took as shortcuts. The global hook (X11's XRecord) reports
// synthesized presses too, each with the modifiers held when the X server handled it: a key
// typed while the user pressed a chord shows up with Ctrl or Super and never became text.
// Alt is not counted: AltGr layouts type some ASCII through it, and the hook may call it Alt.

import type { KeystrokeAudit, KeystrokeRecording } from '../insertion/types';
import { isTypingKey, type HotkeyBinding } from './accelerator';
import type { RawKeyEvent } from './matcher';

/** How long the hook may take to report presses after the typing process has exited. */
export const ARRIVAL_TIMEOUT_MS = 250;
const POLL_MS = 5;

const CANNOT_TELL: KeystrokeRecording = { end: async () => null, cancel: () => undefined };

interface Recording {
  /** Per press of ours, in order: whether it arrived as a shortcut. */
  readonly presses: boolean[];
  /** Every event the hook reported meanwhile, ours or not. */
  events: number;
}

export class KeystrokeAuditor implements KeystrokeAudit {
  private readonly open = new Set<Recording>();
  private hotkey: HotkeyBinding | null = null;
  /** A recording saw no event at all: this hook does not report synthesized keys. */
  private blind = false;

  /** `listening`: whether the hook runs now. */
  constructor(private readonly listening: () => boolean) {}

  /** Recordings not yet ended or cancelled (each one counts every event the hook reports). */
  get openRecordings(): number {
    return this.open.size;
  }

  /** The bound hotkey: the user's presses of it are not ours. */
  setHotkey(binding: HotkeyBinding | null): void {
    this.hotkey = binding;
  }

  handle(event: RawKeyEvent): void {
    if (this.open.size === 0) return;
    for (const recording of this.open) recording.events += 1;
    if (event.type !== 'down' || event.modifierKey || this.isHotkeyPress(event)) return;
    const shortcut = event.modifiers.has('ctrl') || event.modifiers.has('meta');
    for (const recording of this.open) recording.presses.push(shortcut);
  }

  begin(): KeystrokeRecording {
    if (this.blind || !this.listening()) return CANNOT_TELL;
    const recording: Recording = { presses: [], events: 0 };
    this.open.add(recording);
    return {
      end: async (expected) => {
        const { presses } = recording;
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
   * The user's press of the hotkey. A key we may type ourselves (the default Ctrl+Shift+Space)
   * counts as the hotkey only with the binding's modifiers: our plain spaces are ours, and one of
   * ours caught under exactly that chord cannot be told apart (that recording then cannot tell).
   */
  private isHotkeyPress(event: RawKeyEvent): boolean {
    const hotkey = this.hotkey;
    if (!hotkey || event.key !== hotkey.key) return false;
    if (!isTypingKey(hotkey.key)) return true;
    return hotkey.modifiers.size > 0 && [...hotkey.modifiers].every((m) => event.modifiers.has(m));
  }
}
