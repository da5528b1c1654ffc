import { describe, expect, it, vi } from 'vitest';
import { ClipboardLender } from '../../../electron/core/insertion/clipboard-loan';
import { pasteText } from '../../../electron/core/insertion/paste';
import { FakeKeys } from './fakes';
import { ElectronClipboardStore } from '../../../electron/core/insertion/electron-clipboard';
import { FakeElectronClipboard } from './electron-fake';

describe('ElectronClipboardStore', () => {
  it('restores text, HTML, RTF and image together after borrowing the clipboard', async () => {
    const cb = new FakeElectronClipboard();
    const image = { isEmpty: () => false };
    cb.formats.set('text/plain', 'plain');
    cb.formats.set('text/html', '<i>rich</i>');
    cb.formats.set('text/rtf', '{\\rtf1 rich}');
    cb.formats.set('image/png', image);
    const store = new ElectronClipboardStore(cb);
    const snap = await store.snapshot();
    const offer = await store.offer('transcript');
    expect(cb.readText()).toBe('transcript');
    expect(await offer.waitForRead(1000)).toBe('unknown');
    expect(offer.holdsClipboard()).toBe(true);
    await store.restore(snap);
    expect(offer.holdsClipboard()).toBe(false);
    expect(cb.readText()).toBe('plain');
    expect(cb.readHTML()).toBe('<i>rich</i>');
    expect(cb.readRTF()).toBe('{\\rtf1 rich}');
    expect(cb.readImage()).toBe(image);
    expect(snap.dropped).toEqual([]);
  });

  it('keeps a lone custom format, and reports custom formats it cannot keep', async () => {
    const cb = new FakeElectronClipboard();
    cb.formats.set('application/x-app-data', Buffer.from('xyz'));
    const store = new ElectronClipboardStore(cb);
    const snap = await store.snapshot();
    await store.offer('t');
    await store.restore(snap);
    expect(cb.readBuffer('application/x-app-data').toString()).toBe('xyz');

    cb.formats.set('text/plain', 'both');
    const mixed = await store.snapshot();
    expect(mixed.dropped).toEqual(['application/x-app-data (not a standard format)']);
  });

  it('an empty clipboard is cleared again on restore', async () => {
    const cb = new FakeElectronClipboard();
    const store = new ElectronClipboardStore(cb);
    const snap = await store.snapshot();
    await store.offer('t');
    await store.restore(snap);
    expect(cb.availableFormats()).toEqual([]);
  });

  it('a paste waits for no settle delay: the loan gives every format back a second after the chord', async () => {
    vi.useFakeTimers();
    try {
      const cb = new FakeElectronClipboard();
      cb.formats.set('text/plain', 'mine');
      cb.formats.set('text/html', '<b>mine</b>');
      const keys = new FakeKeys();
      let pasted = '';
      keys.onPaste = () => { pasted = cb.readText(); };
      const lender = new ClipboardLender(1000);
      const report = await pasteText('dictated', keys, { clipboard: lender.lent('clipboard', new ElectronClipboardStore(cb)) });
      expect(report).toMatchObject({ receipt: 'unknown', restored: true });
      expect(pasted).toBe('dictated');
      await vi.advanceTimersByTimeAsync(999);
      expect(cb.readText()).toBe('dictated');
      await vi.advanceTimersByTimeAsync(1);
      expect([cb.readText(), cb.readHTML()]).toEqual(['mine', '<b>mine</b>']);
    } finally {
      vi.useRealTimers();
    }
  });
});
