// Keymap text typed one key at a time through one xdotool process in script mode ("xdotool -"
// runs each line as it arrives), each key sent once the global hook has reported the one before.
// A chord the user begins meanwhile (a stop tap's Ctrl+Shift) then stops the typing within a key.
// With one `xdotool type` per batch, every key left in the batch went out under the chord as a
// shortcut: Ctrl+Shift+O opened Chromium's bookmarks, Ctrl+Shift+R reloaded the page.

import { checkExit, type CommandRunner } from './command-runner';
import type { KeystrokeAudit } from './types';

/** `key --delay 4`: ~4.6 ms a key, the pace `type --delay 8` had (Xvfb: 79 keys in ~365 ms, ~390 before). */
export const KEY_DELAY_MS = 4;
/** How long our own Shift or AltGr (the key before needed it) may take to come up. */
export const OWN_MODIFIER_SETTLE_MS = 30;
/** The hook reports a key within a few ms; past this it cannot pace typing, which goes on unpaced. */
export const PACE_TIMEOUT_MS = 250;
const SETTLE_POLL_MS = 2;

export interface WatchedTyping {
  /** How many characters went out: all, or fewer where the user began a chord. */
  sent: number;
  /** Per character sent, whether it never became text; null when the hook cannot tell. */
  lost: boolean[] | null;
}

/** Types `text` (printable ASCII, newline, tab: see splitByKeymap) key by key. */
export async function typeWatched(runner: CommandRunner, text: string, audit: KeystrokeAudit): Promise<WatchedTyping> {
  const chars = Array.from(text);
  const recording = audit.begin(text);
  const xdotool = runner.stream('xdotool', ['-']);
  let sent = 0;
  let paced = true;
  try {
    for (const char of chars) {
      if (paced && !(await mayType(audit, char, sent === 0))) break;
      xdotool.write(`key --delay ${KEY_DELAY_MS} ${keysymOf(char)}\n`);
      sent += 1;
      if (paced) paced = await recording.waitForPresses(sent, PACE_TIMEOUT_MS);
    }
    checkExit('xdotool', await xdotool.close(5000 + chars.length * (KEY_DELAY_MS + 50)));
  } catch (err) {
    recording.cancel();
    throw err;
  }
  recording.stoppedAfter(sent);
  return { sent, lost: await recording.end() };
}

/**
 * Whether the next key may go. The hotkey's key never while the user holds it or a modifier (see
 * KeystrokeAudit.mayPressHotkeyKey); other keys not while the user holds Ctrl, Alt or Super,
 * except the first, which the caller sends after waiting for free keys (and releasing them).
 */
async function mayType(audit: KeystrokeAudit, char: string, first: boolean): Promise<boolean> {
  if (audit.typesHotkeyKey(char) && !audit.mayPressHotkeyKey()) return false;
  if (first) return true;
  const deadline = Date.now() + OWN_MODIFIER_SETTLE_MS;
  while (audit.userHoldsShortcutKeys()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  return true;
}

const NAMED_KEYSYMS: Record<string, string> = {
  ' ': 'space', '!': 'exclam', '"': 'quotedbl', '#': 'numbersign', $: 'dollar', '%': 'percent', '&': 'ampersand',
  "'": 'apostrophe', '(': 'parenleft', ')': 'parenright', '*': 'asterisk', '+': 'plus', ',': 'comma', '-': 'minus',
  '.': 'period', '/': 'slash', ':': 'colon', ';': 'semicolon', '<': 'less', '=': 'equal', '>': 'greater',
  '?': 'question', '@': 'at', '[': 'bracketleft', '\\': 'backslash', ']': 'bracketright', '^': 'asciicircum',
  _: 'underscore', '`': 'grave', '{': 'braceleft', '|': 'bar', '}': 'braceright', '~': 'asciitilde',
  '\n': 'Return', '\t': 'Tab',
};

/** The X keysym name xdotool's `key` takes for a character on every Latin keymap. */
export function keysymOf(char: string): string {
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const name = NAMED_KEYSYMS[char];
  if (!name) throw new Error(`no keysym name for ${JSON.stringify(char)}`);
  return name;
}
