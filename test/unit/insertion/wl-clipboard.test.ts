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
});
