import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClipboardLender } from '../../../electron/core/insertion/clipboard-loan';
import { pasteText } from '../../../electron/core/insertion/paste';
import { FakeClipboard, FakeKeys, lent } from './fakes';

describe('pasteText', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('offers the text, sends the chord, waits for the read, and gives the clipboard back a while later', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    keys.onPaste = () => { clipboard.readByTarget = clipboard.content; };
    const report = await pasteText('dictated', keys, { clipboard: lent(clipboard, 1000) });
    expect(clipboard.readByTarget).toBe('dictated');
    expect(report).toMatchObject({ method: 'pasted', selection: 'clipboard', receipt: 'read', restored: true });
    // Not right at the read: an app still handling the paste (Chromium) drops it when the clipboard changes.
    expect(clipboard.log).toEqual(['snapshot', 'offer:dictated', 'mark', 'wait']);
    await vi.advanceTimersByTimeAsync(999);
    expect(clipboard.content).toBe('dictated');
    await vi.advanceTimersByTimeAsync(1);
    expect(clipboard.content).toBe('previous');
    expect(clipboard.log.slice(4)).toEqual(['release', 'restore']);
  });

  it('uses Ctrl+Shift+V in terminals', async () => {
    const keys = new FakeKeys();
    keys.kind = 'terminal';
    await pasteText('ls', keys, { clipboard: lent(new FakeClipboard()) });
    expect(keys.calls).toContain('paste:terminal');
  });

  it('xterm-like terminals get PRIMARY borrowed and Shift+Insert; CLIPBOARD is not touched', async () => {
    const keys = new FakeKeys();
    keys.kind = 'primary-terminal';
    const clipboard = new FakeClipboard();
    const primary = new FakeClipboard();
    primary.content = 'old selection';
    keys.onPaste = () => { keys.text += primary.content; };
    const lender = new ClipboardLender(10);
    const report = await pasteText('ls -la', keys, { clipboard: lender.lent('clipboard', clipboard), primary: lender.lent('primary', primary) });
    expect(report).toMatchObject({ method: 'pasted', selection: 'primary', restored: true });
    expect(keys.calls).toContain('paste:primary-terminal');
    expect(keys.text).toBe('ls -la');
    expect(lender.isLent('primary')).toBe(true);
    expect(lender.isLent('clipboard')).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(primary.content).toBe('old selection');
    expect(clipboard.log).toEqual([]);
  });

  it('without a PRIMARY store such a terminal gets the text typed', async () => {
    const keys = new FakeKeys();
    keys.kind = 'primary-terminal';
    const clipboard = new FakeClipboard();
    const report = await pasteText('ls', keys, { clipboard: lent(clipboard) });
    expect(report).toMatchObject({ method: 'typed', selection: null });
    expect(keys.text).toBe('ls');
    expect(clipboard.log).toEqual([]);
  });

  it('leaves the text on the clipboard when the app never read it, and does not give the old one back over it', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    clipboard.receipt = 'timeout';
    const lender = new ClipboardLender(10);
    const report = await pasteText('not lost', keys, { clipboard: lender.lent('clipboard', clipboard) });
    expect(report.restored).toBe(false);
    expect(lender.isLent('clipboard')).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(clipboard.content).toBe('not lost');
  });

  it('gives the clipboard back at once when sending the chord fails', async () => {
    const keys = new FakeKeys();
    keys.sendPaste = async () => { throw new Error('xdotool failed'); };
    const clipboard = new FakeClipboard();
    await expect(pasteText('x', keys, { clipboard: lent(clipboard, 1000) })).rejects.toThrow('xdotool failed');
    expect(clipboard.content).toBe('previous');
  });
});
