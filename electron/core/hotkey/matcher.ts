// Turns raw key events from the global hook into press/release of one hotkey.
// The release is the main key going up: modifiers going up while it is held do not end a
// push-to-talk press, because live typing lifts held modifiers before it types.

import type { HotkeyBinding, Modifier } from './accelerator';

export interface RawKeyEvent {
  type: 'down' | 'up';
  /** Canonical key name (see accelerator.ts) or null for a key we do not name. */
  key: string | null;
  modifiers: ReadonlySet<Modifier>;
  /** Set when the key itself is a modifier (e.g. 'CtrlRight'). */
  modifierKey?: string | null;
}

export class HotkeyMatcher {
  private held = false;

  constructor(private readonly binding: HotkeyBinding, private readonly onPress: () => void, private readonly onRelease: () => void) {}

  get isHeld(): boolean { return this.held; }

  handle(event: RawKeyEvent): void {
    if (event.key !== this.binding.key) return;
    if (event.type === 'down') {
      if (this.held) return; // auto-repeat
      if (!sameModifiers(event.modifiers, this.binding.modifiers)) return;
      this.held = true;
      this.onPress();
    } else if (this.held) {
      this.held = false;
      this.onRelease();
    }
  }

  /** The hook stopped or lost track: release what we think is held. */
  reset(): void {
    if (!this.held) return;
    this.held = false;
    this.onRelease();
  }
}

function sameModifiers(a: ReadonlySet<Modifier>, b: ReadonlySet<Modifier>): boolean {
  if (a.size !== b.size) return false;
  for (const m of a) if (!b.has(m)) return false;
  return true;
}
