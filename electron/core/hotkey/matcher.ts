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

/**
 * How long a right-hand modifier bound alone must be held by itself before it counts as a press:
 * Right Ctrl+C is the user's copy, not dictation. Going up alone sooner is a tap (press and
 * release at once). The warm microphone's 320 ms pre-roll keeps the speech of this wait.
 */
export const MODIFIER_ALONE_MS = 200;

/** The hotkey as a right-hand modifier alone (HotkeyBinding.modifierOnly). */
export class ModifierAloneMatcher {
  private state: 'up' | 'pending' | 'held' | 'chord' = 'up';
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly binding: HotkeyBinding, private readonly onPress: () => void, private readonly onRelease: () => void) {}

  get isHeld(): boolean { return this.state === 'held'; }

  handle(event: RawKeyEvent): void {
    if (event.modifierKey === this.binding.key) {
      if (event.type === 'down') {
        if (this.state !== 'up') return; // auto-repeat
        this.state = 'pending';
        this.timer = setTimeout(() => {
          this.timer = null;
          this.state = 'held';
          this.onPress();
        }, MODIFIER_ALONE_MS);
        return;
      }
      const was = this.state;
      this.clear();
      if (was === 'pending') {
        this.onPress(); // a tap
        this.onRelease();
      } else if (was === 'held') {
        this.onRelease();
      }
      return;
    }
    // Another key while it is down but not yet a press: a chord, the user's own shortcut.
    if (event.type === 'down' && this.state === 'pending') {
      this.clear();
      this.state = 'chord';
    }
  }

  reset(): void {
    const held = this.state === 'held';
    this.clear();
    if (held) this.onRelease();
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.state = 'up';
  }
}

/** The matcher for a binding: a chord of a key and modifiers, or a right-hand modifier alone. */
export function createMatcher(binding: HotkeyBinding, onPress: () => void, onRelease: () => void): HotkeyMatcher | ModifierAloneMatcher {
  return binding.modifierOnly ? new ModifierAloneMatcher(binding, onPress, onRelease) : new HotkeyMatcher(binding, onPress, onRelease);
}
