// The X11 paste offer helper (native-models/desktop/x11_offer.c) under a real X server, through
// the store that uses it: what other clients see on the clipboard (the text, in UTF-8 and
// Latin-1, and KDE's pass-through hint that Klipper and CopyQ read), which reads count as the
// target's, and xclip taking over where the helper cannot make the offer.
//
// Needs: Xvfb, openbox, xclip (see .ci/run) and the helper, built with the engine where libX11's
// headers are (npm run build:native).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCommandRunner, XclipClipboardStore, X11_OFFER_HELPER } from '../../electron/core/insertion';
import { eventually } from './support/eventually';
import { startXSession, type XSession } from './support/x-session';

const helper = path.resolve(__dirname, '../..', X11_OFFER_HELPER);
const HINT = 'x-kde-passwordManagerHint';

let x: XSession;
let runner: NodeCommandRunner;

beforeAll(async () => {
  expect(existsSync(helper), `${helper} is built with the engine where libX11's headers are (apt install libx11-dev)`).toBe(true);
  x = await startXSession();
  runner = new NodeCommandRunner(x.env);
}, 30_000);

afterAll(async () => {
  await x?.stop();
});

const read = (target: string, selection = 'clipboard'): Promise<string> =>
  x.x('xclip', ['-selection', selection, '-o', '-t', target]);


describe('vxd-x11-offer, the X11 paste offer', () => {
  it('offers the text with the pass-through hint beside it; only a read of the text is the target’s', async () => {
    const store = new XclipClipboardStore(runner, 'clipboard', 300, helper);
    const offer = await store.offer('naïve café ✓');
    offer.markChord();
    // A clipboard manager looks at the targets and the hint first: neither is the paste.
    expect((await read('TARGETS')).split('\n')).toEqual(expect.arrayContaining(['UTF8_STRING', 'STRING', HINT]));
    expect(await read(HINT)).toBe('secret');
    expect(await offer.waitForRead(300)).toBe('timeout');

    expect(await read('UTF8_STRING')).toBe('naïve café ✓');
    expect(await offer.waitForRead(2000)).toBe('read');
    // STRING is Latin-1: ï and é fit, ✓ does not.
    const latin1 = await x.x('sh', ['-c', 'xclip -selection clipboard -o -t STRING | od -An -tx1 -v']);
    expect(latin1.trim().split(/\s+/)).toEqual([...Buffer.from('naïve café ?', 'latin1')].map((b) => b.toString(16).padStart(2, '0')));
    expect(await offer.holdsClipboard()).toBe(true);

    // Whoever copies next owns the clipboard, and the offer knows it has lost it.
    await runner.detach('xclip', ['-selection', 'clipboard', '-i'], 'copied by the user');
    await eventually('the helper to give up the clipboard', async () => !(await offer.holdsClipboard()));
    expect(await read('UTF8_STRING')).toBe('copied by the user');
    offer.release();
  });

  it('offers PRIMARY the same way (xterm’s Shift+Insert), leaving CLIPBOARD alone', async () => {
    await runner.detach('xclip', ['-selection', 'clipboard', '-i'], 'clipboard stays');
    await eventually('the clipboard to be set', async () => (await read('UTF8_STRING').catch(() => '')) === 'clipboard stays');
    const offer = await new XclipClipboardStore(runner, 'primary', 300, helper).offer('into xterm');
    expect(await read('UTF8_STRING', 'primary')).toBe('into xterm');
    expect(await read(HINT, 'primary')).toBe('secret');
    expect(await read('UTF8_STRING')).toBe('clipboard stays');
    offer.release();
  });

  it('where the helper cannot make the offer, xclip makes it (without the hint)', async () => {
    const store = new XclipClipboardStore(runner, 'clipboard', 300, path.join(path.dirname(helper), 'no-such-helper'));
    const offer = await store.offer('through xclip');
    expect(await read('UTF8_STRING')).toBe('through xclip');
    expect((await read('TARGETS')).split('\n')).not.toContain(HINT);
    offer.markChord();
    await read('UTF8_STRING');
    expect(await offer.waitForRead(2000)).toBe('read');
    offer.release();
  });
});
