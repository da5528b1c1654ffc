// The Wayland clipboard through wl-clipboard (wl-copy, wl-paste): snapshot, a paste offer, restore.
//
// Why not Electron's clipboard there: a Wayland compositor honours wl_data_device.set_selection
// only from the client with keyboard focus, and the app is in the background while the user
// dictates into another one, so Electron's write is silently dropped (and its read-back answers
// from Chromium's own cache, so the write even looks done: TranscriptionSuite PR #174, KDE Plasma
// 6.7). wl-clipboard reaches the clipboard without focus: the data-control protocol on wlroots
// compositors and KDE, a momentary surface on GNOME.
//
// Where the app ships `vxd-wl-offer` (native-models/desktop/wl_offer.c) and the compositor has
// the data-control protocol (sway, Hyprland, KDE), the offer goes through it: the text with KDE's
// pass-through hint beside it, and a read receipt (offer-server.ts). Elsewhere (GNOME) wl-copy
// offers: one type (its text aliases aside) and no reads reported, so the loan's give-back a
// second after the chord is the settle, as with Electron's clipboard. Restore keeps the most
// useful format (text if there was any) and lists the rest as dropped.

import { CommandError, endAfterGrace, type CommandRunner } from './command-runner';
import { HelperOffers, RELEASE_GRACE_MS } from './offer-server';
import { MAX_SNAPSHOT_BYTES, type ClipboardOffer, type ClipboardSnapshot, type ClipboardStore } from './types';

const TEXT_TYPE = 'text/plain;charset=utf-8';
/** Types wl-copy offers by itself beside a text type (and wl-paste lists back). */
const TEXT_TYPES = [TEXT_TYPE, 'text/plain', 'UTF8_STRING', 'STRING', 'TEXT'];
const OWNERSHIP_TIMEOUT_MS = 2000;
const OWNERSHIP_POLL_MS = 25;

interface WlSnapshot extends ClipboardSnapshot {
  readonly kept: { type: string; data: Buffer } | null;
}

export class WlClipboardStore implements ClipboardStore {
  readonly name = 'wl-clipboard';
  private readonly helperOffers: HelperOffers;

  /** `offerHelper`: the path of vxd-wl-offer, which makes offers where the compositor has data-control. */
  constructor(private readonly runner: CommandRunner, private readonly releaseGraceMs = RELEASE_GRACE_MS,
    offerHelper: string | null = null) {
    this.helperOffers = new HelperOffers(runner, offerHelper, [], releaseGraceMs);
  }

  async snapshot(): Promise<WlSnapshot> {
    const listing = await this.runner.run('wl-paste', ['--list-types'], { timeoutMs: 2000 });
    if (listing.code !== 0) return { formats: [], dropped: [], kept: null }; // "Nothing is copied"
    const formats = listing.stdout.toString('utf8').split('\n').map((t) => t.trim()).filter(Boolean);
    const chosen = TEXT_TYPES.find((t) => formats.includes(t)) ?? formats[0];
    if (!chosen) return { formats, dropped: [], kept: null };
    const dropped = formats.filter((t) => t !== chosen && !TEXT_TYPES.includes(t)).map((t) => `${t} (wl-copy restores one format)`);
    try {
      const read = await this.runner.run('wl-paste', ['--no-newline', '--type', chosen], { timeoutMs: 3000, maxOutputBytes: MAX_SNAPSHOT_BYTES });
      if (read.code !== 0) return { formats, dropped: [...dropped, `${chosen} (unreadable)`], kept: null };
      return { formats, dropped, kept: { type: chosen, data: read.stdout } };
    } catch (err) {
      return { formats, dropped: [...dropped, `${chosen} (${err instanceof Error ? err.message : 'unreadable'})`], kept: null };
    }
  }

  async offer(text: string): Promise<ClipboardOffer> {
    // No data-control (GNOME): wl-copy makes this store's offers.
    return (await this.helperOffers.offer(text)) ?? this.offerThroughWlCopy(text);
  }

  private async offerThroughWlCopy(text: string): Promise<ClipboardOffer> {
    const server = this.runner.serve('wl-copy', ['--foreground', '--type', TEXT_TYPE], text);
    let exited = false;
    void server.exited.then(() => { exited = true; });
    // wl-copy says nothing when it owns the clipboard: it does once our text reads back. The
    // paste chord must not go out before. Each look is a wl-paste (on GNOME a momentary
    // surface), so the first waits for wl-copy to have started rather than fail at once.
    const deadline = Date.now() + OWNERSHIP_TIMEOUT_MS;
    do {
      await new Promise((r) => setTimeout(r, OWNERSHIP_POLL_MS));
      if (exited || Date.now() > deadline) {
        server.kill();
        throw new CommandError('wl-copy could not take the clipboard (is the Wayland session reachable?)');
      }
    } while (!(await this.holds(text)));
    return {
      markChord: () => undefined,
      waitForRead: async () => 'unknown',
      // wl-copy --foreground exits once another client takes the clipboard.
      holdsClipboard: async () => !exited,
      release: () => endAfterGrace(server, this.releaseGraceMs),
    };
  }

  async writeText(text: string): Promise<void> {
    await this.runner.detach('wl-copy', ['--type', TEXT_TYPE], text);
  }

  async restore(snapshot: ClipboardSnapshot): Promise<void> {
    const { kept } = snapshot as WlSnapshot;
    if (kept) await this.runner.detach('wl-copy', ['--type', kept.type], kept.data);
    else await this.runner.detach('wl-copy', ['--clear'], '');
  }

  private async holds(text: string): Promise<boolean> {
    const read = await this.runner.run('wl-paste', ['--no-newline', '--type', TEXT_TYPE], { timeoutMs: 1000 }).catch(() => null);
    return read !== null && read.code === 0 && read.stdout.toString('utf8') === text;
  }
}
