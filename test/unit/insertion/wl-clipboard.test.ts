import { describe, expect, it } from 'vitest';
import { WlClipboardStore } from '../../../electron/core/insertion/wl-clipboard';
import { FakeRunner } from './fakes';

describe('WlClipboardStore (commands as sent; the real compositor runs in test/e2e/wayland-clipboard.test.ts)', () => {
  it('snapshots text where there is any, and says which other formats cannot come back', async () => {
    const runner = new FakeRunner((file) => (file === 'wl-paste' ? (args) => (args[0] === '--list-types'
      ? { stdout: Buffer.from('text/html\ntext/plain;charset=utf-8\nimage/png\n') }
      : { stdout: Buffer.from(args.includes('text/plain;charset=utf-8') ? 'plain' : '?') }) : undefined));
    const store = new WlClipboardStore(runner);
    const snap = await store.snapshot();
    expect(snap.dropped).toEqual(['text/html (wl-copy restores one format)', 'image/png (wl-copy restores one format)']);
    await store.restore(snap);
    expect(runner.detached).toEqual([{ file: 'wl-copy', args: ['--type', 'text/plain;charset=utf-8'], input: 'plain' }]);
  });

  it('a wl-copy that exits before its text reads back is a clear error, not a paste of the old clipboard', async () => {
    const runner = new FakeRunner((file) => (file === 'wl-paste' ? () => ({ stdout: Buffer.from('old') }) : undefined));
    const offer = new WlClipboardStore(runner).offer('new');
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.served[0]).toMatchObject({ file: 'wl-copy', args: ['--foreground', '--type', 'text/plain;charset=utf-8'], input: 'new' });
    runner.served[0].exit(); // e.g. no compositor reachable
    await expect(offer).rejects.toThrow(/wl-copy could not take the clipboard/);
  });

  it('with vxd-wl-offer: the hint goes with the text and reads are reported; a compositor without data-control hands this store’s offers to wl-copy', async () => {
    const runner = new FakeRunner((file) => (file === 'wl-paste' ? () => ({ stdout: Buffer.from('ü') }) : undefined));
    const store = new WlClipboardStore(runner, 30, '/app/vxd-wl-offer');
    const first = store.offer('é');
    await Promise.resolve();
    expect(runner.served[0]).toMatchObject({ file: '/app/vxd-wl-offer', args: ['-hint', 'x-kde-passwordManagerHint=secret'], input: 'é' });
    runner.served[0].lines('owning');
    const offer = await first;
    offer.markChord();
    const receipt = offer.waitForRead(1000);
    runner.served[0].lines('served text/plain;charset=utf-8');
    expect(await receipt).toBe('read');

    const second = store.offer('ü');
    await Promise.resolve();
    runner.served[1].exit(); // "the compositor has no data-control protocol" (GNOME)
    await second;
    expect(runner.served[2]).toMatchObject({ file: 'wl-copy', input: 'ü' });
    await store.offer('ü');
    expect(runner.served[3].file).toBe('wl-copy'); // not asked again
  });
});
