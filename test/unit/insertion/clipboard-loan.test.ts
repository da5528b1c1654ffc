import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClipboardLender } from '../../../electron/core/insertion/clipboard-loan';
import { pasteText } from '../../../electron/core/insertion/paste';
import { FakeClipboard, FakeKeys } from './fakes';

/** A paste into a fake app that appends what the clipboard holds at the chord. */
function app(clipboard: FakeClipboard): FakeKeys {
  const keys = new FakeKeys();
  keys.onPaste = () => { keys.text += clipboard.content; };
  return keys;
}

describe('ClipboardLender', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('pastes in quick succession (live typing’s accented letters) share one loan: one snapshot, one give-back', async () => {
    const clipboard = new FakeClipboard();
    const keys = app(clipboard);
    const lender = new ClipboardLender(1000);
    const stores = { clipboard: lender.lent('clipboard', clipboard) };
    await pasteText('é', keys, stores);
    await vi.advanceTimersByTimeAsync(500);
    await pasteText('ü', keys, stores);
    await vi.advanceTimersByTimeAsync(999);
    expect(clipboard.content).toBe('ü');
    await vi.advanceTimersByTimeAsync(1);
    expect(keys.text).toBe('éü');
    expect(clipboard.content).toBe('previous');
    expect(clipboard.log.filter((entry) => entry === 'snapshot' || entry === 'restore')).toEqual(['snapshot', 'restore']);
  });

  it('a loan outlives the stores of one dictation: the next one’s stores extend it, never snapshotting our own text', async () => {
    const clipboard = new FakeClipboard();
    const keys = app(clipboard);
    const lender = new ClipboardLender(1000);
    await pasteText('first', keys, { clipboard: lender.lent('clipboard', clipboard) });
    // The platform is detected afresh per dictation: new store objects, the same lender.
    await pasteText(' second', keys, { clipboard: lender.lent('clipboard', clipboard) });
    await vi.advanceTimersByTimeAsync(1000);
    expect(keys.text).toBe('first second');
    expect(clipboard.content).toBe('previous');
  });

  it('a paste that comes while the give-back is still asking whom the clipboard holds waits for the old content to return, then snapshots that', async () => {
    const clipboard = new FakeClipboard();
    const keys = app(clipboard);
    const lender = new ClipboardLender(1000);
    const stores = { clipboard: lender.lent('clipboard', clipboard) };
    await pasteText('first', keys, stores);
    // Electron's clipboard answers asynchronously: the check outlasts the next paste's start.
    const offerOf = clipboard.offer.bind(clipboard);
    clipboard.offer = async (text) => {
      const offer = await offerOf(text);
      return { ...offer, holdsClipboard: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(clipboard.content === text), 50)) };
    };
    await pasteText(' second', keys, stores);
    await vi.advanceTimersByTimeAsync(1000); // the give-back starts its 50 ms check
    const third = pasteText(' third', keys, stores);
    await vi.advanceTimersByTimeAsync(50);
    await third;
    await vi.advanceTimersByTimeAsync(1050);
    expect(keys.text).toBe('first second third');
    expect(clipboard.content).toBe('previous');
    expect(clipboard.log.filter((entry) => entry === 'snapshot' || entry === 'restore')).toEqual(['snapshot', 'restore', 'snapshot', 'restore']);
  });

  it('whoever copies during the loan wins: no give-back over their copy, and the next paste gives theirs back', async () => {
    const clipboard = new FakeClipboard();
    const keys = app(clipboard);
    const lender = new ClipboardLender(1000);
    const stores = { clipboard: lender.lent('clipboard', clipboard) };
    await pasteText('dictated', keys, stores);
    clipboard.content = 'copied by the user';
    await vi.advanceTimersByTimeAsync(1000);
    expect(clipboard.content).toBe('copied by the user');
    expect(clipboard.log).not.toContain('restore');

    clipboard.content = 'copied again';
    await pasteText(' more', keys, stores);
    await pasteText(' and more', keys, stores);
    clipboard.log = [];
    await vi.advanceTimersByTimeAsync(1000);
    expect(clipboard.content).toBe('copied again');
    expect(clipboard.log).toEqual(['release', 'restore']);
  });

  it('a copy between two pastes of one loan: the second paste keeps that copy to give back, not the older content', async () => {
    const clipboard = new FakeClipboard();
    const keys = app(clipboard);
    const lender = new ClipboardLender(1000);
    const stores = { clipboard: lender.lent('clipboard', clipboard) };
    await pasteText('one', keys, stores);
    clipboard.content = 'copied in between';
    await pasteText(' two', keys, stores);
    await vi.advanceTimersByTimeAsync(1000);
    expect(keys.text).toBe('one two');
    expect(clipboard.content).toBe('copied in between');
    expect(clipboard.log.filter((entry) => entry === 'snapshot' || entry === 'restore')).toEqual(['snapshot', 'snapshot', 'restore']);
  });

  it('text left on the clipboard for good ends the loan: the old content does not come back over it', async () => {
    const clipboard = new FakeClipboard();
    const lender = new ClipboardLender(1000);
    const lent = lender.lent('clipboard', clipboard);
    await pasteText('pasted', app(clipboard), { clipboard: lent });
    await lent.writeText('kept for the user');
    expect(lender.isLent('clipboard')).toBe(false);
    await vi.advanceTimersByTimeAsync(2000);
    expect(clipboard.content).toBe('kept for the user');
  });

  it('returnAll gives every open loan back now (the app quitting)', async () => {
    const clipboard = new FakeClipboard();
    const primary = new FakeClipboard();
    primary.content = 'selected';
    const lender = new ClipboardLender(60_000);
    await pasteText('a', app(clipboard), { clipboard: lender.lent('clipboard', clipboard) });
    const terminal = app(primary);
    terminal.kind = 'primary-terminal';
    await pasteText('b', terminal, { clipboard: lender.lent('clipboard', clipboard), primary: lender.lent('primary', primary) });
    await lender.returnAll();
    expect([clipboard.content, primary.content]).toEqual(['previous', 'selected']);
    expect(lender.isLent('clipboard') || lender.isLent('primary')).toBe(false);
  });

  it('an offer that fails inside a loan gives the clipboard back before the error goes on', async () => {
    const clipboard = new FakeClipboard();
    const lender = new ClipboardLender(1000);
    const lent = lender.lent('clipboard', clipboard);
    await pasteText('one', app(clipboard), { clipboard: lent });
    clipboard.offer = async () => { throw new Error('xclip could not take the clipboard'); };
    await expect(pasteText('two', app(clipboard), { clipboard: lent })).rejects.toThrow('xclip could not take the clipboard');
    expect(clipboard.content).toBe('previous');
    expect(lender.isLent('clipboard')).toBe(false);
  });

  it('a give-back that fails is reported, and the next paste starts a fresh loan', async () => {
    const clipboard = new FakeClipboard();
    const failures: unknown[] = [];
    const lender = new ClipboardLender(10, (err) => failures.push(err));
    const lent = lender.lent('clipboard', clipboard);
    const restore = clipboard.restore.bind(clipboard);
    clipboard.restore = async () => { throw new Error('X server gone'); };
    await pasteText('one', app(clipboard), { clipboard: lent });
    await vi.advanceTimersByTimeAsync(10);
    expect(failures.map((err) => (err as Error).message)).toEqual(['X server gone']);
    clipboard.restore = restore;
    clipboard.content = 'previous again';
    await pasteText('two', app(clipboard), { clipboard: lent });
    await vi.advanceTimersByTimeAsync(10);
    expect(clipboard.content).toBe('previous again');
  });
});
