// Which of our typed keys the app took as shortcuts. The global hook (X11's XRecord) reports
// synthesized presses too, each with the modifiers held when the X server handled it: a key
// typed while the user pressed a chord shows up with Ctrl or Super and never became text.
// Alt is not counted: AltGr layouts type some ASCII through it, and the hook may call it Alt.

import type { KeystrokeAudit, KeystrokeRecording } from '../insertion/types';
import type { RawKeyEvent } from './matcher';

/** How long the hook may take to report presses after the typing process has exited. */
export const ARRIVAL_TIMEOUT_MS = 250;
const POLL_MS = 5;

const CANNOT_TELL: KeystrokeRecording = { end: async () => null };

export class KeystrokeAuditor implements KeystrokeAudit {
  private readonly open = new Set<boolean[]>();
  private ignoredKey: string | null = null;
  /** A recording saw none of its presses: this hook does not report synthesized keys. */
  private blind = false;

  /** `listening`: whether the hook runs now. */
  constructor(private readonly listening: () => boolean) {}

  /** The hotkey's own key: the user's press of it is not one of ours. */
  ignoreKey(key: string | null): void {
    this.ignoredKey = key;
  }

  handle(event: RawKeyEvent): void {
    if (event.type !== 'down' || event.modifierKey || this.open.size === 0) return;
    if (event.key !== null && event.key === this.ignoredKey) return;
    const shortcut = event.modifiers.has('ctrl') || event.modifiers.has('meta');
    for (const presses of this.open) presses.push(shortcut);
  }

  begin(): KeystrokeRecording {
    if (this.blind || !this.listening()) return CANNOT_TELL;
    const presses: boolean[] = [];
    this.open.add(presses);
    return {
      end: async (expected) => {
        const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
        while (presses.length < expected && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        this.open.delete(presses);
        if (expected > 0 && presses.length === 0) this.blind = true;
        // More presses than ours means the user typed too: which were ours is unknown.
        return presses.length === expected ? presses : null;
      },
    };
  }
}
