// A space between consecutive dictations: only where the caret is still where the last one left
// it (no key or click since, as the hook saw it), never for text that hugs the word before, and
// never where no hook tells. The user's presses are counted; ours, while inserting and just after, are not.
import { describe, expect, it } from 'vitest';
import type { InsertionMode } from '../../../electron/common/ipc-contract';
import { InputActivityTracker, OWN_INPUT_SETTLE_MS } from '../../../electron/core/hotkey/input-activity';
import type { RawKeyEvent } from '../../../electron/core/hotkey/matcher';
import { isScratchCommand } from '../../../electron/common/voice-commands';
import { DictationSpacing } from '../../../electron/core/insertion/dictation-spacing';
import { Inserter } from '../../../electron/core/insertion/inserter';
import type { PlatformInsertion } from '../../../electron/core/insertion/types';
import { FakeClipboard, FakeKeys, lent } from './fakes';

const down = (key: string | null, modifierKey: string | null = null): RawKeyEvent => ({ type: 'down', key, modifiers: new Set(), modifierKey });

function tracker(hooked = true) {
  let now = 1000;
  const ignored = new Set(['Space']);
  const activity = new InputActivityTracker(() => hooked, () => ignored, () => now);
  return { activity, advance: (ms: number) => { now += ms; } };
}

describe('InputActivityTracker', () => {
  it('counts the user\'s key and mouse presses, not modifiers, key-ups, the hotkey\'s key or our own keys', () => {
    const { activity, advance } = tracker();
    expect(activity.serial()).toBe(0);
    activity.key(down('A'));
    activity.key({ ...down('A'), type: 'up' });
    activity.key(down(null, 'CtrlRight'));
    activity.key(down('Space'));
    activity.pointer();
    expect(activity.serial()).toBe(2);
    const release = activity.holdOwnInput();
    activity.key(down('V')); // our paste chord
    release();
    advance(OWN_INPUT_SETTLE_MS - 1);
    activity.key(down('V')); // heard late
    expect(activity.serial()).toBe(2);
    advance(2);
    activity.key(down('Enter'));
    expect(activity.serial()).toBe(3);
  });

  it('knows nothing without a hook', () => {
    expect(tracker(false).activity.serial()).toBeNull();
  });
});

function setup(mode: InsertionMode, options: { hooked?: boolean; spaceBetween?: boolean } = {}) {
  const keys = new FakeKeys();
  const clipboard = new FakeClipboard();
  keys.onPaste = () => { keys.text += clipboard.content; };
  const platform: PlatformInsertion = { available: true, keys, clipboard: lent(clipboard), description: 'fake' };
  const { activity, advance } = tracker(options.hooked ?? true);
  const inserter = new Inserter({
    platform: () => platform, mode: () => mode, spacing: new DictationSpacing(activity), spaceBetween: () => options.spaceBetween ?? true,
  });
  const dictate = async (text: string) => {
    const session = inserter.begin();
    session.partial(text.slice(0, 4));
    const outcome = await session.finish(text);
    advance(OWN_INPUT_SETTLE_MS);
    return outcome;
  };
  return { keys, activity, dictate, inserter };
}

describe('a space between consecutive dictations', () => {
  it.each(['paste', 'type'] as const)('%s: the next dictation continues the line with a space; after a key or a click, it starts clean', async (mode) => {
    const { keys, activity, dictate } = setup(mode);
    await dictate(' Hello world.');
    await dictate(' How are you?');
    expect(keys.text).toBe('Hello world. How are you?');
    activity.key(down('Enter'));
    keys.text += '\n';
    await dictate(' New line.');
    expect(keys.text).toBe('Hello world. How are you?\nNew line.');
    activity.pointer();
    await dictate(' Elsewhere.');
    expect(keys.text).toBe('Hello world. How are you?\nNew line.Elsewhere.'); // the click moved the caret: we cannot know where
  });

  it('a dictation that heard nothing leaves the caret where the last one did: the next still continues', async () => {
    const { keys, dictate } = setup('paste');
    await dictate(' First.');
    await dictate('');
    await dictate(' Second.');
    expect(keys.text).toBe('First. Second.');
  });

  it('not before punctuation that hugs the word before, nor after whitespace we left', async () => {
    const { keys, dictate } = setup('paste');
    await dictate(' Hello');
    await dictate(', world');
    await dictate('!\n\n');
    await dictate(' Next paragraph.');
    expect(keys.text).toBe('Hello, world!\n\nNext paragraph.');
  });

  it('never without a hook, with the setting off, in clipboard mode, or after a cancelled one', async () => {
    for (const [mode, options] of [['paste', { hooked: false }], ['paste', { spaceBetween: false }]] as const) {
      const { keys, dictate } = setup(mode, options);
      await dictate(' One.');
      await dictate(' Two.');
      expect(keys.text).toBe('One.Two.');
    }
    const clip = setup('clipboard');
    await clip.dictate(' One.');
    await clip.dictate(' Two.');
    expect(clip.keys.calls).toEqual([]);

    const { keys, inserter, dictate } = setup('type');
    await dictate(' One.');
    const cancelled = inserter.begin();
    cancelled.partial(' Two');
    cancelled.abort();
    await dictate(' Three.');
    expect(keys.text.endsWith('Three.')).toBe(true);
    expect(keys.text).not.toContain(' Three.');
  });
});

describe('“scratch that”', () => {
  it('accepts the phrase alone, in any case and punctuation, and nothing more', () => {
    for (const said of [' Scratch that.', 'scratch that', 'SCRATCH THAT!', ' Undo that.', '  scratch   that ,']) expect(isScratchCommand(said), said).toBe(true);
    for (const said of ['scratch that itch', 'Please scratch that.', 'scratch', 'that', '']) expect(isScratchCommand(said), said).toBe(false);
    for (const said of [' Efface ça.', 'Annule ca !', ' Streich das.', 'Lösch das!', ' Borra eso.', '¡Deshaz eso!', ' Cancella questo.', ' Apaga isso.', ' Schrap dat.']) {
      expect(isScratchCommand(said), said).toBe(true);
    }
    for (const said of ['Efface ça et recommence.', 'Das streich ich.', 'No borra eso']) expect(isScratchCommand(said), said).toBe(false);
  });

  it.each(['paste', 'type'] as const)('%s: removes the last dictation (its space too) and its own words typed live; the next one starts clean', async (mode) => {
    const { keys, dictate } = setup(mode);
    await dictate(' Keep this.');
    await dictate(' Remove this.');
    expect(keys.text).toBe('Keep this. Remove this.');
    expect(await dictate(' Scratch that.')).toEqual({ delivered: 'typed', message: 'Removed the last dictation', command: 'scratch' });
    expect(keys.text).toBe('Keep this.');
    // The caret follows "Keep this." again: the next one goes on after a space, or is taken back too.
    await dictate(' Next.');
    expect(keys.text).toBe('Keep this. Next.');
    await dictate(' Scratch that.');
    await dictate(' Scratch that.');
    expect(keys.text).toBe('');
    expect(await dictate(' Scratch that.')).toMatchObject({ delivered: 'none', command: 'scratch', message: expect.stringContaining('Nothing was removed') });
    await dictate(' Fresh start.');
    expect(keys.text).toBe('Fresh start.');
  });

  it('takes back only the dictations since the user’s last press: older text is theirs to edit', async () => {
    const { keys, activity, dictate } = setup('paste');
    await dictate(' Before the click.');
    activity.pointer();
    keys.text += ' ';
    await dictate(' After it.');
    await dictate(' Scratch that.');
    expect(keys.text).toBe('Before the click. ');
    expect(await dictate(' Scratch that.')).toMatchObject({ delivered: 'none', command: 'scratch' });
    expect(keys.text).toBe('Before the click. ');
  });

  it('removes nothing once the user pressed a key or clicked since, or where no hook tells, and says why', async () => {
    const moved = setup('paste');
    await moved.dictate(' Hello.');
    moved.activity.pointer();
    expect(await moved.dictate(' Scratch that.')).toMatchObject({ delivered: 'none', command: 'scratch' });
    expect(moved.keys.text).toBe('Hello.');
    expect(moved.keys.calls.filter((c) => c.startsWith('backspace'))).toEqual([]);
    const blind = setup('paste', { hooked: false });
    await blind.dictate(' Hello.');
    expect(await blind.dictate(' Scratch that.')).toMatchObject({ delivered: 'none', command: 'scratch' });
    expect(blind.keys.text).toBe('Hello.');
  });

  it('waits while the hotkey’s key is still down (its grab would take the first backspaces)', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    keys.onPaste = () => { keys.text += clipboard.content; };
    const { activity } = tracker();
    let held = false;
    const inserter = new Inserter({
      platform: () => ({ available: true, keys, clipboard: lent(clipboard), description: 'fake' }), mode: () => 'paste',
      spacing: new DictationSpacing(activity), keysTaken: () => held,
    });
    await inserter.begin().finish(' Gone soon.');
    held = true;
    const scratching = inserter.begin().finish(' Scratch that.');
    await new Promise((r) => setTimeout(r, 60));
    expect(keys.calls.filter((c) => c.startsWith('backspace'))).toEqual([]);
    held = false;
    expect(await scratching).toMatchObject({ delivered: 'typed', command: 'scratch' });
    expect(keys.text).toBe('');
  });

  it('a paste also waits while the hotkey’s key is down (not for modifiers: the chord lifts them)', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    keys.onPaste = () => { keys.text += clipboard.content; };
    let held = true;
    const inserter = new Inserter({
      platform: () => ({ available: true, keys, clipboard: lent(clipboard), description: 'fake' }), mode: () => 'paste', keysTaken: () => held, mayTypeNow: () => false,
    });
    const pasting = inserter.begin().finish('Hello');
    await new Promise((r) => setTimeout(r, 60));
    expect(keys.calls.filter((c) => c.startsWith('paste'))).toEqual([]);
    held = false;
    expect(await pasting).toMatchObject({ delivered: 'pasted' });
    expect(keys.text).toBe('Hello');
  });

  it('clipboard mode writes the words like any others (nothing was typed to take back)', async () => {
    const { keys, dictate } = setup('clipboard');
    expect(await dictate(' Scratch that.')).toEqual({ delivered: 'clipboard', message: null });
    expect(keys.calls).toEqual([]);
  });
});
