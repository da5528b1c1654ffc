import { describe, expect, it } from 'vitest';
import type { InsertionMode } from '../../../electron/common/ipc-contract';
import { Inserter } from '../../../electron/core/insertion/inserter';
import type { PlatformInsertion } from '../../../electron/core/insertion/types';
import { FakeClipboard, FakeKeys } from './fakes';

function setup(mode: InsertionMode, available = true): { keys: FakeKeys; clipboard: FakeClipboard; inserter: Inserter } {
  const keys = new FakeKeys();
  const clipboard = new FakeClipboard();
  keys.onPaste = () => { keys.text += clipboard.content; };
  const platform: PlatformInsertion = available
    ? { available: true, keys, clipboard, description: 'fake' }
    : { available: false, reason: 'Typing into other apps on X11 needs xdotool.', clipboard };
  return { keys, clipboard, inserter: new Inserter({ platform: () => platform, mode: () => mode }) };
}

describe('Inserter', () => {
  it('paste mode pastes the final text and gives the clipboard back', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    const session = inserter.begin();
    session.partial(' Hello');
    expect(keys.text).toBe('');
    const outcome = await session.finish(' Hello there.');
    expect(outcome).toEqual({ delivered: 'pasted', message: null });
    expect(keys.text).toBe('Hello there.');
    expect(clipboard.content).toBe('previous');
  });

  it('type mode types live pieces without the leading space, then the rest', async () => {
    const { keys, inserter } = setup('type');
    const session = inserter.begin();
    session.partial(' Hello');
    session.partial(' Hello wor');
    const outcome = await session.finish(' Hello world.');
    expect(outcome.delivered).toBe('typed');
    expect(keys.text).toBe('Hello world.');
    expect(keys.calls.filter((c) => c.startsWith('type:'))).toEqual(['type:Hello', 'type: wor', 'type:ld.']);
  });

  it('clipboard mode leaves the text on the clipboard and types nothing', async () => {
    const { keys, clipboard, inserter } = setup('clipboard');
    const outcome = await inserter.begin().finish('keep this');
    expect(outcome).toEqual({ delivered: 'clipboard', message: null });
    expect(clipboard.content).toBe('keep this');
    expect(keys.calls).toEqual([]);
  });

  it('missing tools fall back to the clipboard and say why', async () => {
    const { clipboard, inserter } = setup('paste', false);
    const outcome = await inserter.begin().finish('fallback');
    expect(outcome.delivered).toBe('clipboard');
    expect(outcome.message).toMatch(/needs xdotool.*on the clipboard/);
    expect(clipboard.content).toBe('fallback');
  });

  it('a typing failure leaves the whole text on the clipboard', async () => {
    const { keys, clipboard, inserter } = setup('type');
    keys.failTypingAfter = 3;
    const session = inserter.begin();
    session.partial('abc');
    session.partial('abcdef');
    const outcome = await session.finish('abcdef');
    expect(outcome.delivered).toBe('clipboard');
    expect(outcome.message).toMatch(/Typing stopped after 3 characters/);
    expect(clipboard.content).toBe('abcdef');
  });

  it('a paste that fails leaves the text on the clipboard', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    keys.sendPaste = async () => { throw new Error('xdotool is not installed'); };
    const outcome = await inserter.begin().finish('safe');
    expect(outcome.message).toMatch(/Paste failed \(xdotool is not installed\)/);
    expect(clipboard.content).toBe('safe');
  });

  it('empty text inserts nothing', async () => {
    const { keys, clipboard, inserter } = setup('paste');
    expect(await inserter.begin().finish('   ')).toEqual({ delivered: 'none', message: null });
    expect(keys.calls).toEqual([]);
    expect(clipboard.log).toEqual([]);
  });
});
