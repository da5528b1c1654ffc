// Which modifier keys the user is holding right now, from the global hook's events. Live typing
// waits while the user holds a modifier (say, the chord that stops dictation): keys typed then
// would become shortcuts (Ctrl+Shift+W closes a browser window).

import type { RawKeyEvent } from './matcher';

export class ModifierTracker {
  private readonly down = new Set<string>();

  handle(event: RawKeyEvent): void {
    if (event.modifierKey) {
      if (event.type === 'down') this.down.add(event.modifierKey);
      else this.down.delete(event.modifierKey);
    } else if (event.modifiers.size === 0) {
      // An ordinary key with no modifier flag: any release we missed has happened.
      this.down.clear();
    }
  }

  get anyHeld(): boolean {
    return this.down.size > 0;
  }

  /** Ctrl, Alt or Super (Meta) held: a typed key would be a shortcut. */
  get shortcutHeld(): boolean {
    for (const key of this.down) if (!key.startsWith('Shift')) return true;
    return false;
  }

  reset(): void {
    this.down.clear();
  }
}
