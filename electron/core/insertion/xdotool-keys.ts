// X11 input through xdotool (XTest). Keys go by keysym: xdotool looks the keysym up in the current
// keymap, so "ctrl+v" is Ctrl plus whatever physical key makes "v" on Dvorak, AZERTY, etc. — it
// never turns into another shortcut.
//
// Modifiers the user still holds (a push-to-talk chord) would turn typed text into shortcuts, so
// they are released before every keystroke batch, unless the global hook sees none held: then a
// key-up could only end a chord the user began since the caller checked (a stop tap's Ctrl+Shift,
// whose Space then typed a space instead of stopping). Not with --clearmodifiers: it presses them
// again afterwards, and if the user let go meanwhile they stay stuck down.

import { runChecked, type CommandRunner } from './command-runner';
import { appKindOf, parseWmClass } from './terminals';
import { KeysInterferedError, KeysPausedError, type FocusedApp, type FocusedAppKind, type KeyInjector, type KeystrokeAudit } from './types';
import { typeWatched } from './watched-typing';

/** Per-key delay for typing keys the layout has. */
const TYPE_DELAY_MS = 8;
/**
 * Characters the layout lacks (é on a US map, any emoji) xdotool types by remapping a spare
 * keycode for a moment and mapping it back right after; apps that look the keysym up later
 * (Chromium does) then lose the character. Under Xvfb even 150 ms between keys was not always
 * enough, so such runs are pasted instead when a paste path is given, and typed slowly otherwise.
 */
const REMAPPED_KEY_DELAY_MS = 150;

/** Inserts a run of text through the clipboard (borrowed and restored). */
export type PasteRun = (text: string) => Promise<void>;
const MODIFIER_KEYSYMS = ['Control_L', 'Control_R', 'Shift_L', 'Shift_R', 'Alt_L', 'Alt_R', 'Super_L', 'Super_R',
  'Meta_L', 'Meta_R', 'ISO_Level3_Shift'];
/** Printable ASCII, newline and tab: on the keymap of every Latin layout. */
const ON_KEYMAP = /[\x20-\x7e\n\t]+/y;
/** Long text goes in pieces so one call never runs into the command timeout. */
const TYPE_CHUNK_CHARS = 200;

export class XdotoolKeys implements KeyInjector {
  readonly name = 'xdotool';
  /**
   * `audit` (the global hook) paces typing key by key, so a chord the user begins stops it within
   * a key, and tells which keys never became text (the chord's, or the hotkey's grab's); without
   * it batches go out whole and such keys are lost silently.
   */
  constructor(private readonly runner: CommandRunner, private readonly pasteRun: PasteRun | null = null,
    private readonly audit: KeystrokeAudit | null = null) {}

  async focusedAppKind(): Promise<FocusedAppKind> {
    return appKindOf(await this.focusedClasses());
  }

  async focusedApp(): Promise<FocusedApp | null> {
    const classes = (await this.focusedClasses()).filter((c) => c.trim() !== '');
    return classes.length > 0 ? { name: classes.at(-1)!, names: classes } : null;
  }

  /** The focused window's WM_CLASS strings (instance, class); [] when it cannot tell. */
  private async focusedClasses(): Promise<string[]> {
    const window = await this.focusedWindow();
    if (!window || !this.runner.has('xprop')) return [];
    const props = await this.runner.run('xprop', ['-id', window, 'WM_CLASS'], { timeoutMs: 1500 });
    return props.code === 0 ? parseWmClass(props.stdout.toString('utf8')) : [];
  }

  async sendPaste(kind: FocusedAppKind): Promise<void> {
    await this.releaseModifiers();
    const chord = kind === 'terminal' ? 'ctrl+shift+v' : kind === 'primary-terminal' ? 'shift+Insert' : 'ctrl+v';
    await runChecked(this.runner, 'xdotool', ['key', chord]);
  }

  async typeText(text: string): Promise<void> {
    await this.releaseModifiers();
    let done = '';
    for (const run of splitByKeymap(text)) {
      if (!run.onKeymap && this.pasteRun) {
        await this.pasteRun(run.text);
      } else if (run.onKeymap && this.audit?.watchesTyping()) {
        await this.typeWatchedRun(run.text, this.audit, done);
      } else {
        // No hook to watch the keys: one call per chunk, remapped keys slowly.
        const delay = run.onKeymap ? TYPE_DELAY_MS : REMAPPED_KEY_DELAY_MS;
        for (const chunk of chunkByCodePoints(run.text, TYPE_CHUNK_CHARS)) {
          // --file - reads the text from stdin: no argument parsing of text that starts with "-".
          await runChecked(this.runner, 'xdotool', ['type', '--delay', String(delay), '--file', '-'],
            { input: chunk, timeoutMs: 5000 + Array.from(chunk).length * (delay + 50) });
        }
      }
      done += run.text;
    }
  }

  /**
   * Types `run` after `done` key by key; throws KeysInterferedError when the hook saw keys lost,
   * KeysPausedError when it stopped before a key because the user began a chord.
   */
  private async typeWatchedRun(run: string, audit: KeystrokeAudit, done: string): Promise<void> {
    const chars = Array.from(run);
    const { sent, lost } = await typeWatched(this.runner, run, audit);
    const first = lost ? lost.indexOf(true) : -1;
    if (lost && first >= 0) {
      const strays = lost.slice(first).filter((gone) => !gone).length;
      throw new KeysInterferedError(done + chars.slice(0, first).join(''), strays);
    }
    if (sent < chars.length) throw new KeysPausedError(done + chars.slice(0, sent).join(''));
  }

  async backspace(count: number): Promise<void> {
    if (count <= 0) return;
    await this.releaseModifiers();
    await runChecked(this.runner, 'xdotool', ['key', '--delay', String(TYPE_DELAY_MS), '--repeat', String(count), 'BackSpace'],
      { timeoutMs: 5000 + count * 50 });
  }

  private async releaseModifiers(): Promise<void> {
    if (this.audit?.seesNoModifierHeld()) return;
    // --delay 0: xdotool's default 12 ms between keys made this ~160 ms a call (Xvfb), ~30 ms now.
    await runChecked(this.runner, 'xdotool', ['keyup', '--delay', '0', ...MODIFIER_KEYSYMS]);
  }

  private async focusedWindow(): Promise<string | null> {
    // getactivewindow needs an EWMH window manager; getwindowfocus works without one.
    for (const command of ['getactivewindow', 'getwindowfocus']) {
      const result = await this.runner.run('xdotool', [command], { timeoutMs: 1500 });
      const id = result.stdout.toString('utf8').trim();
      if (result.code === 0 && /^\d+$/.test(id)) return id;
    }
    return null;
  }
}

/** Runs of characters on every Latin keymap, and runs of characters that need a remapped key. */
export function splitByKeymap(text: string): { text: string; onKeymap: boolean }[] {
  const runs: { text: string; onKeymap: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    ON_KEYMAP.lastIndex = i;
    const match = ON_KEYMAP.exec(text);
    if (match) {
      runs.push({ text: match[0], onKeymap: true });
      i += match[0].length;
      continue;
    }
    let end = i;
    while (end < text.length) {
      ON_KEYMAP.lastIndex = end;
      if (ON_KEYMAP.test(text)) break;
      end += 1;
    }
    runs.push({ text: text.slice(i, end), onKeymap: false });
    i = end;
  }
  return runs;
}

/** Splits without cutting a surrogate pair in half. */
export function chunkByCodePoints(text: string, size: number): string[] {
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size).join(''));
  return chunks;
}
