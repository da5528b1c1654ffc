import { describe, expect, it } from 'vitest';
import { XclipClipboardStore } from '../../../electron/core/insertion/xclip-clipboard';
import { FakeRunner } from './fakes';

function runnerWithClipboard(targets: Record<string, string> | null): FakeRunner {
  return new FakeRunner((file) => file === 'xclip' ? (args) => {
    const target = args[args.indexOf('-t') + 1];
    if (!targets) return { code: 1, stderr: 'Error: target TARGETS not available' };
    if (target === 'TARGETS') return { stdout: Buffer.from(['TARGETS', 'TIMESTAMP', ...Object.keys(targets)].join('\n') + '\n') };
    return target in targets ? { stdout: Buffer.from(targets[target]) } : { code: 1 };
  } : undefined);
}

describe('XclipClipboardStore', () => {
  it('snapshots the text and restores it in the same format', async () => {
    const runner = runnerWithClipboard({ 'text/html': '<b>old</b>', UTF8_STRING: 'old text', 'image/png': '\x89PNG' });
    const store = new XclipClipboardStore(runner);
    const snap = await store.snapshot();
    expect(snap.formats).toEqual(['text/html', 'UTF8_STRING', 'image/png']);
    expect(snap.dropped).toEqual(['text/html (xclip restores one format)', 'image/png (xclip restores one format)']);
    await store.restore(snap);
    expect(runner.detached).toEqual([{ file: 'xclip', args: ['-selection', 'clipboard', '-i', '-t', 'UTF8_STRING'], input: 'old text' }]);
  });

  it('keeps a non-text clipboard (an image) in its own format', async () => {
    const runner = runnerWithClipboard({ 'image/png': 'PNGDATA' });
    const store = new XclipClipboardStore(runner);
    await store.restore(await store.snapshot());
    expect(runner.detached[0]).toMatchObject({ args: ['-selection', 'clipboard', '-i', '-t', 'image/png'], input: 'PNGDATA' });
  });

  it('an empty clipboard comes back empty', async () => {
    const runner = runnerWithClipboard(null);
    const store = new XclipClipboardStore(runner);
    const snap = await store.snapshot();
    expect(snap.formats).toEqual([]);
    await store.restore(snap);
    expect(runner.detached[0].input).toBe('');
  });

  it('drops an oversized format with a reason instead of buffering it', async () => {
    const runner = new FakeRunner((file) => file === 'xclip' ? (args, options) => {
      const target = args[args.indexOf('-t') + 1];
      if (target === 'TARGETS') return { stdout: Buffer.from('UTF8_STRING\n') };
      expect(options.maxOutputBytes).toBeGreaterThan(0);
      return new Error('xclip wrote more than 33554432 bytes');
    } : undefined);
    const snap = await new XclipClipboardStore(runner).snapshot();
    expect(snap.dropped).toEqual(['UTF8_STRING (xclip wrote more than 33554432 bytes)']);
  });

  it('an offer resolves only once xclip owns the selection, and reports the read', async () => {
    const runner = new FakeRunner();
    const store = new XclipClipboardStore(runner, 'clipboard', 30);
    let owned = false;
    const offerPromise = store.offer('new').then((o) => { owned = true; return o; });
    await Promise.resolve();
    expect(owned).toBe(false);
    const served = runner.served[0];
    expect(served.args).toContain('-verbose');
    expect(served.input).toBe('new');
    served.lines('  Waiting for selection request number 1');
    const offer = await offerPromise;
    const receipt = offer.waitForRead(1000);
    served.lines('  Waiting for selection request number 2');
    expect(await receipt).toBe('read');
    // Released: it may still be answering a request, so it is not killed at once.
    offer.release();
    expect(served.killed).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(served.killed).toBe(true);
  });

  it('a released offer that exits by itself (the selection was taken over) is not killed', async () => {
    const runner = new FakeRunner();
    const offerPromise = new XclipClipboardStore(runner, 'clipboard', 30).offer('x');
    await Promise.resolve();
    const served = runner.served[0];
    served.lines('  Waiting for selection request number 1');
    const offer = await offerPromise;
    expect(await offer.holdsClipboard()).toBe(true);
    offer.release();
    served.exit();
    await new Promise((r) => setTimeout(r, 60));
    expect(served.killed).toBe(false);
    expect(await offer.holdsClipboard()).toBe(false); // someone else owns the clipboard now
  });

  it('a read before the chord (a clipboard manager) is not taken for the target reading it', async () => {
    const runner = new FakeRunner();
    const offerPromise = new XclipClipboardStore(runner).offer('mine');
    await Promise.resolve();
    const served = runner.served[0];
    served.lines('  Waiting for selection request number 1');
    const offer = await offerPromise;
    served.lines('  Waiting for selection request number 2'); // the clipboard manager's copy
    offer.markChord();
    expect(await offer.waitForRead(40)).toBe('timeout');
    const receipt = offer.waitForRead(1000);
    served.lines('  Waiting for selection request number 3'); // the target
    expect(await receipt).toBe('read');
  });

  it('an offer that is never read times out', async () => {
    const runner = new FakeRunner();
    const store = new XclipClipboardStore(runner);
    const offerPromise = store.offer('unread');
    await Promise.resolve();
    runner.served[0].lines('  Waiting for selection request number 1');
    const offer = await offerPromise;
    expect(await offer.waitForRead(30)).toBe('timeout');
  });

  it('an xclip that dies before owning the selection is a clear error', async () => {
    const runner = new FakeRunner();
    const offerPromise = new XclipClipboardStore(runner).offer('x');
    await Promise.resolve();
    runner.served[0].exit();
    await expect(offerPromise).rejects.toThrow(/could not take the clipboard/);
  });

  it('with the offer helper: the hint goes with the text, and a helper that cannot offer hands this store’s offers to xclip', async () => {
    const runner = new FakeRunner();
    const store = new XclipClipboardStore(runner, 'primary', 30, '/app/vxd-x11-offer');
    const first = store.offer('é');
    await Promise.resolve();
    const helper = runner.served[0];
    expect(helper).toMatchObject({ file: '/app/vxd-x11-offer', args: ['-selection', 'primary', '-hint', 'x-kde-passwordManagerHint=secret'], input: 'é' });
    helper.lines('owning');
    const offer = await first;
    offer.markChord();
    const receipt = offer.waitForRead(1000);
    helper.lines('served UTF8_STRING');
    expect(await receipt).toBe('read');
    offer.release();

    const second = store.offer('ü');
    await Promise.resolve();
    runner.served[1].exit(); // e.g. the text does not fit one transfer
    await new Promise((r) => setTimeout(r, 0));
    expect(runner.served[2]).toMatchObject({ file: 'xclip', args: ['-selection', 'primary', '-verbose', '-i', '-t', 'UTF8_STRING'], input: 'ü' });
    runner.served[2].lines('  Waiting for selection request number 1');
    await second;
    const third = store.offer('ß');
    await Promise.resolve();
    expect(runner.served[3].file).toBe('xclip'); // not asked again
    runner.served[3].lines('  Waiting for selection request number 1');
    await third;
  });
});
