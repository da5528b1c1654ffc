import { describe, expect, it } from 'vitest';
import { pasteText } from '../../../electron/core/insertion/paste';
import { FakeClipboard, FakeKeys } from './fakes';

describe('pasteText', () => {
  it('offers the text, sends the chord, waits for the read, then restores', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    keys.onPaste = () => { clipboard.readByTarget = clipboard.content; };
    const report = await pasteText('dictated', keys, { clipboard });
    expect(clipboard.readByTarget).toBe('dictated');
    expect(clipboard.content).toBe('previous');
    expect(clipboard.log).toEqual(['snapshot', 'offer:dictated', 'mark', 'wait', 'release', 'restore']);
    expect(report).toMatchObject({ method: 'pasted', selection: 'clipboard', receipt: 'read', restored: true });
  });

  it('uses Ctrl+Shift+V in terminals', async () => {
    const keys = new FakeKeys();
    keys.kind = 'terminal';
    await pasteText('ls', keys, { clipboard: new FakeClipboard() });
    expect(keys.calls).toContain('paste:terminal');
  });

  it('xterm-like terminals get PRIMARY borrowed and Shift+Insert; CLIPBOARD is not touched', async () => {
    const keys = new FakeKeys();
    keys.kind = 'primary-terminal';
    const clipboard = new FakeClipboard();
    const primary = new FakeClipboard();
    primary.content = 'old selection';
    keys.onPaste = () => { keys.text += primary.content; };
    const report = await pasteText('ls -la', keys, { clipboard, primary });
    expect(report).toMatchObject({ method: 'pasted', selection: 'primary', restored: true });
    expect(keys.calls).toContain('paste:primary-terminal');
    expect(keys.text).toBe('ls -la');
    expect(primary.content).toBe('old selection');
    expect(clipboard.log).toEqual([]);
  });

  it('without a PRIMARY store such a terminal gets the text typed', async () => {
    const keys = new FakeKeys();
    keys.kind = 'primary-terminal';
    const clipboard = new FakeClipboard();
    const report = await pasteText('ls', keys, { clipboard });
    expect(report).toMatchObject({ method: 'typed', selection: null });
    expect(keys.text).toBe('ls');
    expect(clipboard.log).toEqual([]);
  });

  it('leaves the text on the clipboard when the app never read it', async () => {
    const keys = new FakeKeys();
    const clipboard = new FakeClipboard();
    clipboard.receipt = 'timeout';
    const report = await pasteText('not lost', keys, { clipboard });
    expect(report.restored).toBe(false);
    expect(clipboard.content).toBe('not lost');
  });

  it('restores the clipboard when sending the chord fails', async () => {
    const keys = new FakeKeys();
    keys.sendPaste = async () => { throw new Error('xdotool failed'); };
    const clipboard = new FakeClipboard();
    await expect(pasteText('x', keys, { clipboard })).rejects.toThrow('xdotool failed');
    expect(clipboard.content).toBe('previous');
  });
});
