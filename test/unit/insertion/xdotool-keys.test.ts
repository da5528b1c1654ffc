import { describe, expect, it } from 'vitest';
import { isTerminal, parseWmClass } from '../../../electron/core/insertion/terminals';
import { chunkByCodePoints, splitBeforeHotkeyKey, splitByKeymap, XdotoolKeys } from '../../../electron/core/insertion/xdotool-keys';
import { KeysInterferedError, type KeystrokeAudit } from '../../../electron/core/insertion/types';
import { FakeRunner } from './fakes';

/**
 * The hook's answer for each typing run, in order; records how many presses each run expected.
 * `hotkeyKey`: the character the hotkey's key types; `held()`: whether the user holds it (or a modifier).
 */
function audit(answers: (boolean[] | null)[], hotkeyKey: string | null = null, held = () => false, seesNoneHeld = () => false):
  KeystrokeAudit & { expected: number[]; cancelled: number } {
  const expected: number[] = [];
  const a = {
    expected,
    cancelled: 0,
    begin: (text: string) => ({
      end: async () => { expected.push(Array.from(text).length); return answers.shift() ?? null; },
      cancel: () => { a.cancelled += 1; },
    }),
    typesHotkeyKey: (char: string) => char === hotkeyKey,
    mayPressHotkeyKey: () => !held(),
    seesNoModifierHeld: seesNoneHeld,
  };
  return a;
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

describe('XdotoolKeys', () => {
  it('sends the paste chord by keysym after releasing held modifiers (never re-pressing them)', async () => {
    const r = runner(null);
    const keys = new XdotoolKeys(r);
    await keys.sendPaste('app');
    await keys.sendPaste('terminal');
    const args = r.runs.map((x) => x.args);
    expect(args.filter((a) => a[0] === 'key')).toEqual([['key', 'ctrl+v'], ['key', 'ctrl+shift+v']]);
    expect(args[0][0]).toBe('keyup');
    expect(args[0]).toContain('Control_L');
    expect(args.flat()).not.toContain('--clearmodifiers');
  });

  it('releases modifiers before a batch only where the hook does not see them all up (a key-up would end a chord the user just began)', async () => {
    let seesNoneHeld = true;
    const r = runner(null);
    const keys = new XdotoolKeys(r, null, audit([[false], [false], [false]], null, () => false, () => seesNoneHeld));
    await keys.typeText('a');
    await keys.sendPaste('app');
    expect(r.runs.map((x) => x.args[0])).toEqual(['type', 'key']);
    seesNoneHeld = false;  // a modifier held, or a hook that cannot tell
    await keys.typeText('b');
    expect(r.runs.map((x) => x.args[0])).toEqual(['type', 'key', 'keyup', 'type']);
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
    const failingType = new FakeRunner(() => (args) => (args[0] === 'type' ? { code: 1, stderr: 'Error: BadWindow' } : {}));
    const a = audit([]);
    await expect(new XdotoolKeys(failingType, null, a).typeText('x')).rejects.toThrow(/BadWindow/);
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

  it('types each character of the hotkey\'s key as the start of a call, and stops before one while the user holds that key', async () => {
    const f = false;
    expect(splitBeforeHotkeyKey(' to be or', { typesHotkeyKey: (c) => c === ' ' })).toEqual([' to', ' be', ' or']);
    let holding = false;
    // The user presses the chord while " be" is being typed.
    const r = new FakeRunner(() => (args, options) => { if (args[0] === 'type' && options.input === ' be') holding = true; return {}; });
    const a = audit([[f, f], [f, f, f], [f, f, f]], ' ', () => holding);
    const err = await new XdotoolKeys(r, null, a).typeText('to be or').catch((e: unknown) => e);
    expect(r.runs.filter((x) => x.args[0] === 'type').map((x) => x.input)).toEqual(['to', ' be']);
    // Nothing of ours lost: the rest is typed once the key is up.
    expect((err as KeysInterferedError).intact).toBe('to be');
    expect((err as KeysInterferedError).strays).toBe(0);
  });

  it('trusts the typing when the hook saw all keys as text, or cannot tell', async () => {
    const r = runner(null);
    await new XdotoolKeys(r, null, audit([[false, false], null])).typeText('ok');
    await new XdotoolKeys(r, null, audit([null])).typeText('fine');
    expect(r.runs.filter((x) => x.args[0] === 'type').map((x) => x.input)).toEqual(['ok', 'fine']);
  });
});
