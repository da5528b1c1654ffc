// The Wayland clipboard store under a real compositor (headless sway), with the app in the
// background as it is while the user dictates: wl-clipboard reaches the clipboard without focus,
// and vxd-wl-offer (native-models/desktop/wl_offer.c) offers through the data-control protocol
// with the pass-through hint and a read receipt. A paste is modelled by a target that reads the
// clipboard at the chord (wl-paste).
//
// Needs: sway, wl-clipboard (see .ci/run), and vxd-wl-offer, built with the engine where
// libwayland-client's headers are (npm run build:native).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipboardLender, NodeCommandRunner, pasteText, WAYLAND_OFFER_HELPER, WlClipboardStore } from '../../electron/core/insertion';
import { FakeKeys } from '../unit/insertion/fakes';
import { eventually } from './support/eventually';
import { startWaylandSession, type WaylandSession } from './support/wayland-session';

const helper = path.resolve(__dirname, '../..', WAYLAND_OFFER_HELPER);
const HINT = 'x-kde-passwordManagerHint';
let wl: WaylandSession;
let runner: NodeCommandRunner;

beforeAll(async () => {
  wl = await startWaylandSession();
  runner = new NodeCommandRunner(wl.env);
}, 30_000);

afterAll(async () => {
  await wl?.stop();
});

async function paste(type = 'text/plain'): Promise<string> {
  const r = await runner.run('wl-paste', ['--no-newline', '--type', type], { timeoutMs: 3000 });
  if (r.code !== 0) throw new Error(`wl-paste --type ${type}: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

async function copy(text: string, type = 'text/plain;charset=utf-8'): Promise<void> {
  await runner.detach('wl-copy', ['--type', type], text);
  await eventually(`the clipboard to hold ${type}`, async () => (await paste(type).catch(() => '')) === text);
}


describe('WlClipboardStore on a Wayland compositor', () => {
  it('a paste offers the dictation, and the user’s clipboard comes back a second after the chord', async () => {
    await copy('the user’s text');
    const keys = new FakeKeys();
    let readAtChord = '';
    keys.onPaste = () => { void paste().then((t) => { readAtChord = t; }); };
    const lender = new ClipboardLender(1000);
    const report = await pasteText('dictated, naïvely ✓', keys, { clipboard: lender.lent('clipboard', new WlClipboardStore(runner, 300)) });
    expect(report).toMatchObject({ method: 'pasted', receipt: 'unknown', restored: true });
    await eventually('the target to read the paste', async () => readAtChord !== '');
    expect(readAtChord).toBe('dictated, naïvely ✓');
    await eventually('the clipboard to come back', async () => (await paste()) === 'the user’s text');
    expect(lender.isLent('clipboard')).toBe(false);
  });

  it('whoever copies during the loan wins: the offer sees it lost the clipboard, and nothing is given back over it', async () => {
    await copy('old');
    const store = new WlClipboardStore(runner, 300);
    const lender = new ClipboardLender(600);
    const lending = await lender.lent('clipboard', store).lend('dictated');
    expect(await paste()).toBe('dictated');
    expect(await lending.offer.holdsClipboard()).toBe(true);
    lending.settled();
    await copy('copied by the user');
    await eventually('the offer to see it lost the clipboard', async () => !(await lending.offer.holdsClipboard()));
    await new Promise((r) => setTimeout(r, 800)); // past the give-back
    expect(await paste()).toBe('copied by the user');
  });

  it('restores a clipboard that held no text (an image) in its own type, and an empty one empty', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0]);
    await runner.detach('wl-copy', ['--type', 'image/png'], png);
    const readPng = async (): Promise<Buffer> => (await runner.run('wl-paste', ['--type', 'image/png'], { timeoutMs: 3000 })).stdout;
    await eventually('the image to be copied', async () => (await readPng()).equals(png));
    const store = new WlClipboardStore(runner, 300);
    const snap = await store.snapshot();
    expect(snap.formats).toEqual(['image/png']);
    const offer = await store.offer('t');
    offer.release();
    await store.restore(snap);
    await eventually('the image to come back, byte for byte', async () => (await readPng()).equals(png));

    await runner.detach('wl-copy', ['--clear'], '');
    await eventually('the clipboard to be empty', async () => (await runner.run('wl-paste', ['--list-types'])).code !== 0);
    const empty = await store.snapshot();
    expect(empty.formats).toEqual([]);
    const again = await store.offer('t');
    again.release();
    await store.restore(empty);
    await eventually('the clipboard to be empty again', async () => (await runner.run('wl-paste', ['--list-types'])).code !== 0);
  });
});

describe('vxd-wl-offer, the data-control offer', () => {
  it('offers the text with the pass-through hint beside it; only a read of the text is the target’s', async () => {
    expect(existsSync(helper), `${helper} is built with the engine where libwayland-client's headers are (apt install libwayland-dev)`).toBe(true);
    await copy('old');
    const store = new WlClipboardStore(runner, 300, helper);
    const offer = await store.offer('naïve café ✓');
    offer.markChord();
    const types = (await runner.run('wl-paste', ['--list-types'])).stdout.toString('utf8').split('\n');
    expect(types).toEqual(expect.arrayContaining(['text/plain;charset=utf-8', 'text/plain', HINT]));
    expect(await paste(HINT)).toBe('secret'); // what a clipboard manager looks at
    expect(await offer.waitForRead(300)).toBe('timeout');
    expect(await paste()).toBe('naïve café ✓');
    expect(await offer.waitForRead(2000)).toBe('read');
    expect(await offer.holdsClipboard()).toBe(true);
    await copy('copied by the user');
    await eventually('the helper to give up the clipboard', async () => !(await offer.holdsClipboard()));
    offer.release();
  });

  it('a paste through it has a read receipt: the give-back counts from the target’s read, not from the chord', async () => {
    await copy('the user’s text');
    const keys = new FakeKeys();
    keys.onPaste = () => { void paste(); };
    const lender = new ClipboardLender(1000);
    const report = await pasteText('dictated', keys, { clipboard: lender.lent('clipboard', new WlClipboardStore(runner, 300, helper)) });
    expect(report).toMatchObject({ method: 'pasted', receipt: 'read', restored: true });
    await eventually('the clipboard to come back', async () => (await paste()) === 'the user’s text');
  });

  it('where the helper cannot make the offer, wl-copy makes it (without the hint)', async () => {
    const store = new WlClipboardStore(runner, 300, path.join(path.dirname(helper), 'no-such-helper'));
    const offer = await store.offer('through wl-copy');
    expect(await paste()).toBe('through wl-copy');
    expect((await runner.run('wl-paste', ['--list-types'])).stdout.toString('utf8').split('\n')).not.toContain(HINT);
    expect(await offer.waitForRead(100)).toBe('unknown');
    offer.release();
  });
});
