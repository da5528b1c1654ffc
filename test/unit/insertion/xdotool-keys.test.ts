import { describe, expect, it } from 'vitest';
import { isTerminal, parseWmClass } from '../../../electron/core/insertion/terminals';
import { chunkByCodePoints, splitByKeymap, XdotoolKeys } from '../../../electron/core/insertion/xdotool-keys';
import { KEY_DELAY_MS, keysymOf, OWN_MODIFIER_SETTLE_MS } from '../../../electron/core/insertion/watched-typing';
import { KeysInterferedError, KeysPausedError, type KeystrokeAudit } from '../../../electron/core/insertion/types';
import { FakeRunner } from './fakes';

interface AuditOptions {
  /** The character the hotkey's key types. */
  hotkeyKey?: string;
  /** Whether the user holds the hotkey's key or a modifier (mayPressHotkeyKey's answer). */
  held?: () => boolean;
  seesNoneHeld?: () => boolean;
  /** Whether the user holds Ctrl, Alt or Super (or the grabbed hotkey's key). */
  chord?: () => boolean;
  /** Whether the hook reports our presses (paces the typing). */
  reports?: boolean;
}

/**
 * The hook's answer for each typing run, in order; records how many presses each run expected at
 * its end (fewer than its text where typing stopped early).
 */
function audit(answers: (boolean[] | null)[], o: AuditOptions = {}): KeystrokeAudit & { expected: number[]; cancelled: number } {
  const expected: number[] = [];
  const a = {
    expected,
    cancelled: 0,
    begin: (text: string) => {
      let count = Array.from(text).length;
      return {
        end: async () => { expected.push(count); return answers.shift() ?? null; },
        waitForPresses: async () => o.reports ?? true,
        stoppedAfter: (sent: number) => { count = sent; },
        cancel: () => { a.cancelled += 1; },
      };
    },
    typesHotkeyKey: (char: string) => char === o.hotkeyKey,
    mayPressHotkeyKey: () => !(o.held?.() ?? false),
    seesNoModifierHeld: o.seesNoneHeld ?? (() => false),
    watchesTyping: () => true,
    userHoldsShortcutKeys: o.chord ?? (() => false),
  };
  return a;
}

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const CHAR_OF_KEYSYM = new Map(PRINTABLE.map((c) => [keysymOf(c), c]));

/** The characters a streamed xdotool was asked to type, from its `key` lines. */
function keysOf(r: FakeRunner, stream = 0): string {
  const prefix = `key --delay ${KEY_DELAY_MS} `;
  return r.streams[stream].written.map((line) => (line.startsWith(prefix) && line.endsWith('\n') &&
    CHAR_OF_KEYSYM.get(line.slice(prefix.length, -1))) || '?').join('');
}

function runner(wmClass: string | null, active = true): FakeRunner {
  return new FakeRunner((file) => {
    if (file === 'xdotool') return (args) => {
      if (args[0] === 'getactivewindow') return active ? { stdout: Buffer.from('4194312\n') } : { code: 1 };
      if (args[0] === 'getwindowfocus') return { stdout: Buffer.from('777\n') };
      return {};
    };
    if (file === 'xprop') return () => wmClass === null ? { code: 1 } : { stdout: Buffer.from(`WM_CLASS(STRING) = ${wmClass}\n`) };
    return undefined;
  });
}

describe('terminal detection', () => {
  it('parses WM_CLASS and recognises terminals', () => {
    expect(parseWmClass('WM_CLASS(STRING) = "gnome-terminal-server", "Gnome-terminal"\n')).toEqual(['gnome-terminal-server', 'Gnome-terminal']);
    expect(isTerminal(['gnome-terminal-server', 'Gnome-terminal'])).toBe(true);
    expect(isTerminal(['kitty', 'kitty'])).toBe(true);
    expect(isTerminal(['chromium', 'Chromium'])).toBe(false);
  });

  it('asks the active window, or the focused one without a window manager', async () => {
    const r = runner('"gnome-terminal-server", "Gnome-terminal"', false);
    expect(await new XdotoolKeys(r).focusedAppKind()).toBe('terminal');
    expect(r.runs.find((x) => x.file === 'xprop')?.args).toEqual(['-id', '777', 'WM_CLASS']);
  });

  it('xterm pastes PRIMARY with Shift+Insert', async () => {
    const r = runner('"xterm", "XTerm"');
    const keys = new XdotoolKeys(r);
    expect(await keys.focusedAppKind()).toBe('primary-terminal');
    await keys.sendPaste('primary-terminal');
    expect(r.runs.filter((x) => x.args[0] === 'key').map((x) => x.args)).toEqual([['key', 'shift+Insert']]);
  });

  it('treats an unknown window as an ordinary app', async () => {
    expect(await new XdotoolKeys(runner(null)).focusedAppKind()).toBe('app');
    expect(await new XdotoolKeys(runner('"chromium", "Chromium"')).focusedAppKind()).toBe('app');
  });
});

describe('the focused app, for per-app modes', () => {
  it('is named by its WM_CLASS class, matched by either string; null when X cannot say', async () => {
    expect(await new XdotoolKeys(runner('"Navigator", "firefox"')).focusedApp()).toEqual({ name: 'firefox', names: ['Navigator', 'firefox'] });
    expect(await new XdotoolKeys(runner('"code"')).focusedApp()).toEqual({ name: 'code', names: ['code'] });
    expect(await new XdotoolKeys(runner(null)).focusedApp()).toBeNull();
    const noXprop = runner('"code", "Code"');
    noXprop.installed.delete('xprop');
    expect(await new XdotoolKeys(noXprop).focusedApp()).toBeNull();
  });
});

describe('XdotoolKeys', () => {
  it('sends the paste chord by keysym after releasing held modifiers (never re-pressing them)', async () => {
    const r = runner(null);
    const keys = new XdotoolKeys(r);
    await keys.sendPaste('app');
    await keys.sendPaste('terminal');
    const args = r.runs.map((x) => x.args);
    expect(args.filter((a) => a[0] === 'key')).toEqual([['key', 'ctrl+v'], ['key', 'ctrl+shift+v']]);
    // All at once: xdotool's default 12 ms between keys made the release ~160 ms.
    expect(args[0].slice(0, 3)).toEqual(['keyup', '--delay', '0']);
    expect(args[0]).toContain('Control_L');
    expect(args.flat()).not.toContain('--clearmodifiers');
  });

  it('releases modifiers before a batch only where the hook does not see them all up (a key-up would end a chord the user just began)', async () => {
    let seesNoneHeld = true;
    const r = runner(null);
    const keys = new XdotoolKeys(r, null, audit([[false], [false], [false]], { seesNoneHeld: () => seesNoneHeld }));
    await keys.typeText('a');
    await keys.sendPaste('app');
    expect(r.runs.map((x) => x.args[0])).toEqual(['key']);
    seesNoneHeld = false;  // a modifier held, or a hook that cannot tell
    await keys.typeText('b');
    expect(r.runs.map((x) => x.args[0])).toEqual(['key', 'keyup']);
    expect([keysOf(r, 0), keysOf(r, 1)]).toEqual(['a', 'b']);
    const noHook = runner(null);
    await new XdotoolKeys(noHook).typeText('c');
    expect(noHook.runs.map((x) => x.args[0])).toEqual(['keyup', 'type']);
  });

  it('types text through stdin so text starting with "-" is not an option', async () => {
    const r = runner(null);
    await new XdotoolKeys(r).typeText('--help me');
    expect(r.runs[1].args).toEqual(['type', '--delay', '8', '--file', '-']);
    expect(r.runs[1].input).toBe('--help me');
  });

  it('reports a failing xdotool with its own words, and stops its keystroke recording', async () => {
    const r = new FakeRunner(() => () => ({ code: 1, stderr: 'Error: BadWindow (invalid Window parameter)' }));
    await expect(new XdotoolKeys(r).typeText('x')).rejects.toThrow(/xdotool failed: Error: BadWindow/);
    const failingType = new FakeRunner();
    failingType.streamResult = { code: 1, stderr: 'Error: BadWindow' };
    const a = audit([]);
    await expect(new XdotoolKeys(failingType, null, a).typeText('x')).rejects.toThrow(/xdotool failed: Error: BadWindow/);
    expect(a.cancelled).toBe(1);
    expect(a.expected).toEqual([]);
  });

  it('pastes characters the layout lacks, or types them slowly without a paste path', async () => {
    const r = runner(null);
    await new XdotoolKeys(r).typeText('a café!');
    expect(r.runs.filter((x) => x.args[0] === 'type').map((x) => [x.args[2], x.input])).toEqual([['8', 'a caf'], ['150', 'é'], ['8', '!']]);
    const pasted: string[] = [];
    const r2 = runner(null);
    await new XdotoolKeys(r2, async (t) => { pasted.push(t); }).typeText('a café!');
    expect(pasted).toEqual(['é']);
    expect(r2.runs.filter((x) => x.args[0] === 'type').map((x) => x.input)).toEqual(['a caf', '!']);
    expect(splitByKeymap('\u{1F600}x')).toEqual([{ text: '\u{1F600}', onKeymap: false }, { text: 'x', onKeymap: true }]);
  });

  it('chunks long text without splitting surrogate pairs', () => {
    expect(chunkByCodePoints('a\uD83D\uDE00b', 2)).toEqual(['a\uD83D\uDE00', 'b']);
  });

  it('says which keys became shortcuts: the text before the first is intact, the keys after it that landed are strays', async () => {
    const f = false;
    const t = true;
    const a = audit([[f, f, f, t, t, f, f]]);
    const err = await new XdotoolKeys(runner(null), null, a).typeText('Hi there').catch((e: unknown) => e);
    // "Hi there" is one keymap run: 8 presses expected; keys 3 and 4 ("th") arrived under Ctrl.
    expect(a.expected).toEqual([8]);
    expect(err).toBeInstanceOf(KeysInterferedError);
    expect((err as KeysInterferedError).intact).toBe('Hi ');
    expect((err as KeysInterferedError).strays).toBe(2);
  });

  it('counts pasted runs as intact and audits only what xdotool typed', async () => {
    const f = false;
    const a = audit([[f, f, f, f, f], [true, f]]);
    const pasted: string[] = [];
    const err = await new XdotoolKeys(runner(null), async (text) => { pasted.push(text); }, a).typeText('a café!?')
      .catch((e: unknown) => e);
    expect(pasted).toEqual(['é']);
    expect(a.expected).toEqual([5, 2]);
    expect((err as KeysInterferedError).intact).toBe('a café');
    expect((err as KeysInterferedError).strays).toBe(1);
  });

  it('never presses the hotkey\'s key while the user holds it or a modifier, even as the first key', async () => {
    let holding = false;
    // The user presses the chord while "be" is being typed.
    const r = runner(null);
    r.onWrite = (line) => { if (line.endsWith(' b\n')) holding = true; };
    const a = audit([[false, false, false, false, false]], { hotkeyKey: ' ', held: () => holding });
    const err = await new XdotoolKeys(r, null, a).typeText('to be or').catch((e: unknown) => e);
    expect(keysOf(r)).toBe('to be');
    expect(a.expected).toEqual([5]);
    // Nothing of ours lost: a pause, and the rest is typed once the key is up.
    expect(err).toBeInstanceOf(KeysPausedError);
    expect((err as KeysInterferedError).intact).toBe('to be');
    const first = await new XdotoolKeys(r, null, audit([[]], { hotkeyKey: ' ', held: () => true })).typeText(' or').catch((e: unknown) => e);
    expect(keysOf(r, 1)).toBe('');
    expect((first as KeysInterferedError).intact).toBe('');
  });

  it('stops before the next key once the user holds Ctrl, Alt or Super, waiting briefly for our own AltGr to come up', async () => {
    let chordAt: number | null = 3;
    let written = 0;
    const r = runner(null);
    r.onWrite = () => { written += 1; };
    const a = audit([[false, false, false]], { chord: () => chordAt !== null && written >= chordAt });
    const err = await new XdotoolKeys(r, null, a).typeText('Hi there').catch((e: unknown) => e);
    expect(keysOf(r)).toBe('Hi ');
    expect(a.expected).toEqual([3]);
    expect(err).toBeInstanceOf(KeysPausedError);
    expect((err as KeysPausedError).intact).toBe('Hi ');
    expect((err as KeysPausedError).strays).toBe(0);
    // Held for a moment only (AltGr of the key before): typing goes on.
    written = 0;
    const r2 = runner(null);
    r2.onWrite = () => { written += 1; if (written === 2) setTimeout(() => { chordAt = null; }, OWN_MODIFIER_SETTLE_MS / 3); };
    chordAt = 2;
    await new XdotoolKeys(r2, null, audit([null], { chord: () => chordAt !== null && written >= chordAt })).typeText('a@b');
    expect(keysOf(r2)).toBe('a@b');
  });

  it('the first key goes even while a chord is held (the caller waited for it and released it), and all go unpaced when the hook stops reporting', async () => {
    const r = runner(null);
    const err = await new XdotoolKeys(r, null, audit([null], { chord: () => true })).typeText('ab').catch((e: unknown) => e);
    expect(keysOf(r)).toBe('a');
    expect((err as KeysPausedError).intact).toBe('a');
    const r2 = runner(null);
    await new XdotoolKeys(r2, null, audit([null], { chord: () => true, reports: false })).typeText('ab');
    expect(keysOf(r2)).toBe('ab');
    expect(r2.streams[0]).toMatchObject({ file: 'xdotool', args: ['-'], closed: true });
  });

  it('names every character on the keymap by its keysym', () => {
    const names = PRINTABLE.map(keysymOf);
    expect(new Set(names).size).toBe(PRINTABLE.length);
    expect(names.slice(0, 4)).toEqual(['space', 'exclam', 'quotedbl', 'numbersign']);
    expect(keysymOf('Q')).toBe('Q');
    expect(keysymOf('\n')).toBe('Return');
    expect(() => keysymOf('é')).toThrow(/no keysym/);
  });

  it('trusts the typing when the hook saw all keys as text, or cannot tell', async () => {
    const r = runner(null);
    await new XdotoolKeys(r, null, audit([[false, false], null])).typeText('ok');
    await new XdotoolKeys(r, null, audit([null])).typeText('fine');
    expect([keysOf(r, 0), keysOf(r, 1)]).toEqual(['ok', 'fine']);
  });
});
