// The X11 CLIPBOARD through xclip: snapshot, a paste offer with a read receipt, and restore.
//
// The read receipt (offer-server.ts): `xclip -verbose` stays in the foreground and prints "Waiting
// for selection request number N" after each data transfer (TARGETS queries are not counted).
//
// Where the app ships `vxd-x11-offer` (native-models/desktop/x11_offer.c) the offer goes through
// it instead: it serves the text with KDE's pass-through hint beside it (pass-through.ts), which
// xclip's one target cannot, and reports reads of the text alone. If it cannot make the offer
// (no display, text too large for one transfer, a broken binary), xclip makes it.
//
// Limit: one xclip process serves one format, so restore keeps the most useful format (text if
// there was any, otherwise the first other format, e.g. image/png) and lists the rest as dropped.
// In the Electron app, ElectronClipboardStore snapshots and restores every format.

import type { CommandRunner } from './command-runner';
import { HelperOffers, RELEASE_GRACE_MS, serveOffer, type OfferServer } from './offer-server';
import { MAX_SNAPSHOT_BYTES, type ClipboardOffer, type ClipboardSnapshot, type ClipboardStore } from './types';

function xclipServer(selection: string): OfferServer {
  return {
    name: 'xclip',
    file: 'xclip',
    args: ['-selection', selection, '-verbose', '-i', '-t', 'UTF8_STRING'],
    lines: () => {
      let seen = 0; // the first "number 1" line means "now owning, nothing served yet"
      return (line) => (/Waiting for selection request number \d+/.test(line) ? (++seen === 1 ? 'owning' : 'read') : null);
    },
  };
}

/** Targets that describe the selection rather than hold its content. */
export const META_TARGETS = new Set([
  'TARGETS', 'TIMESTAMP', 'MULTIPLE', 'SAVE_TARGETS', 'DELETE', 'INSERT_SELECTION', 'INSERT_PROPERTY',
  'INCR', 'LENGTH', 'CLIPBOARD_MANAGER',
]);
const TEXT_TARGETS = ['UTF8_STRING', 'text/plain;charset=utf-8', 'STRING', 'TEXT', 'text/plain', 'COMPOUND_TEXT'];

interface XclipSnapshot extends ClipboardSnapshot {
  readonly kept: { target: string; data: Buffer } | null;
}

export class XclipClipboardStore implements ClipboardStore {
  readonly name = 'xclip';
  private readonly helperOffers: HelperOffers;

  /** `offerHelper`: the path of vxd-x11-offer, which makes offers where it can. */
  constructor(private readonly runner: CommandRunner, private readonly selection = 'clipboard',
    private readonly releaseGraceMs = RELEASE_GRACE_MS, offerHelper: string | null = null) {
    this.helperOffers = new HelperOffers(runner, offerHelper, ['-selection', selection], releaseGraceMs);
  }

  async snapshot(): Promise<XclipSnapshot> {
    const listing = await this.runner.run('xclip', ['-selection', this.selection, '-o', '-t', 'TARGETS'], { timeoutMs: 2000 });
    if (listing.code !== 0) return emptySnapshot(); // nobody owns the clipboard
    const formats = listing.stdout.toString('utf8').split('\n').map((t) => t.trim())
      .filter((t) => t && !META_TARGETS.has(t));
    const chosen = formats.find((t) => TEXT_TARGETS.includes(t)) ?? formats[0];
    if (!chosen) return emptySnapshot();
    const dropped = formats.filter((t) => t !== chosen && !TEXT_TARGETS.includes(t))
      .map((t) => `${t} (xclip restores one format)`);
    try {
      const read = await this.runner.run('xclip', ['-selection', this.selection, '-o', '-t', chosen],
        { timeoutMs: 3000, maxOutputBytes: MAX_SNAPSHOT_BYTES });
      if (read.code !== 0) return { formats, dropped: [...dropped, `${chosen} (unreadable)`], kept: null } satisfies XclipSnapshot;
      return { formats, dropped, kept: { target: chosen, data: read.stdout } } satisfies XclipSnapshot;
    } catch (err) {
      const why = err instanceof Error ? err.message : 'unreadable';
      return { formats, dropped: [...dropped, `${chosen} (${why})`], kept: null } satisfies XclipSnapshot;
    }
  }

  async offer(text: string): Promise<ClipboardOffer> {
    return (await this.helperOffers.offer(text)) ?? serveOffer(this.runner, text, xclipServer(this.selection), this.releaseGraceMs);
  }

  async writeText(text: string): Promise<void> {
    await this.runner.detach('xclip', ['-selection', this.selection, '-i', '-t', 'UTF8_STRING'], text);
  }

  async restore(snapshot: ClipboardSnapshot): Promise<void> {
    const kept = (snapshot as Partial<XclipSnapshot>).kept ?? null;
    // An empty clipboard comes back as empty text, so the transcript does not linger there.
    const target = kept ? kept.target : 'UTF8_STRING';
    await this.runner.detach('xclip', ['-selection', this.selection, '-i', '-t', target], kept ? kept.data : '');
  }
}

function emptySnapshot(): XclipSnapshot {
  return { formats: [], dropped: [], kept: null };
}
