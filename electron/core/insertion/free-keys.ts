// Our keys wait for the user's: while they hold a chord's modifiers, a typed key would be a
// shortcut; while they hold the hotkey's key, X11's grab takes every key. Live typing, the
// backspaces of "scratch that" and the paste chord (the grab only) wait here before sending.

export interface KeyGate {
  /**
   * False while the user holds keys that would turn typed text into shortcuts (a chord pressed to
   * stop dictation); keys wait for it, up to MAX_WAIT_FOR_KEYS_MS.
   */
  mayTypeNow?: () => boolean;
  /**
   * True while keys could not reach the app at all: the user holds the hotkey's key, and on X11
   * its key grab takes every key until that key goes up (push-to-talk types on release; a stop tap
   * lasts ~100 ms). Keys wait for it with no deadline but MAX_WAIT_FOR_RELEASE_MS, a guard against
   * a release the hook never reported.
   */
  keysTaken?: () => boolean;
}

/** After this, type anyway (held modifiers are released first by the injector). */
export const MAX_WAIT_FOR_KEYS_MS = 1500;
export const MAX_WAIT_FOR_RELEASE_MS = 10 * 60_000;
const KEYS_POLL_MS = 15;

export function keysBusy(gate: KeyGate): boolean {
  return (gate.keysTaken?.() ?? false) || (gate.mayTypeNow ? !gate.mayTypeNow() : false);
}

/** Resolves once the gate is free (or its waits ran out, or `stopped()`). */
export async function waitForFreeKeys(gate: KeyGate, stopped: () => boolean = () => false): Promise<void> {
  const start = Date.now();
  // The modifiers' short wait counts from the hotkey's release: the chord's modifiers go up just
  // after its key.
  let released = start;
  const waiting = (): boolean => {
    const now = Date.now();
    if (gate.keysTaken?.()) {
      released = now;
      return now - start < MAX_WAIT_FOR_RELEASE_MS;
    }
    return keysBusy(gate) && now - released < MAX_WAIT_FOR_KEYS_MS;
  };
  while (!stopped() && waiting()) {
    await new Promise((resolve) => setTimeout(resolve, KEYS_POLL_MS));
  }
}
