// The clipboard through Electron's clipboard module (main process): macOS and Windows, and X11's
// snapshot and restore, in the app (on Wayland the app in the background cannot reach the
// clipboard itself: wl-clipboard.ts). Electron 44 gave it the W3C shape: read() returns
// ClipboardItems, write() commits items atomically. So one read snapshots every format the
// clipboard holds (the standard MIME types and the platform's own, which Electron surfaces as
// `electron application/osclipboard;format="…"`), and one write puts them all back, which no
// command-line tool and not the old synchronous API could do. It has no read receipt: the loan's
// give-back, a second after the chord (clipboard-loan.ts), is the settle delay, and nothing waits
// for it.
//
// A paste's offer carries the platform's "only passing through" markers (pass-through.ts), so
// clipboard managers leave a transcript on its way into an app out of their history.
// The electron module is passed in by main (core never imports electron).

import { passThroughMarkers } from './pass-through';
import { META_TARGETS } from './xclip-clipboard';
import { MAX_SNAPSHOT_BYTES, type ClipboardOffer, type ClipboardSnapshot, type ClipboardStore } from './types';

/** What `getType('electron application/bookmark')` gives and takes. */
export interface ClipboardBookmarkLike { title: string; url: string }
export type ClipboardPayload = string | Blob | ClipboardBookmarkLike;

/** The subset of Electron's `ClipboardItem` used here. */
export interface ClipboardItemLike {
  readonly types: readonly string[];
  getType(type: string): Promise<Blob | ClipboardBookmarkLike>;
}

/** The subset of Electron's `clipboard` (44+) used here (same names, so main passes `clipboard`). */
export interface ElectronClipboardLike {
  read(): Promise<ClipboardItemLike[]>;
  readText(): Promise<string>;
  write(items: ClipboardItemLike[]): Promise<void>;
  writeText(text: string): Promise<void>;
  clear(): void | Promise<void>;
}

/** Electron's clipboard and a way to make its items (`new ClipboardItem(payloads)`). */
export interface ElectronClipboardApi {
  readonly clipboard: ElectronClipboardLike;
  makeItem(payloads: Record<string, ClipboardPayload>): ClipboardItemLike;
}

interface ElectronSnapshot extends ClipboardSnapshot {
  readonly items: readonly Record<string, ClipboardPayload>[];
}

/** A platform format by its own name, which Electron writes verbatim. */
export const osFormat = (name: string): string => `electron application/osclipboard;format="${name}"`;

const PLAIN_TEXT = 'text/plain';

export class ElectronClipboardStore implements ClipboardStore {
  readonly name = 'electron';
  private readonly markers: Record<string, ClipboardPayload>;

  constructor(private readonly api: ElectronClipboardApi, platform: NodeJS.Platform = process.platform) {
    this.markers = Object.fromEntries(passThroughMarkers(platform).map(({ format, payload }) =>
      [osFormat(format), typeof payload === 'string' ? payload : new Blob([payload])]));
  }

  async snapshot(): Promise<ClipboardSnapshot> {
    const formats: string[] = [];
    const dropped: string[] = [];
    const items: Record<string, ClipboardPayload>[] = [];
    let bytes = 0;
    for (const item of await this.api.clipboard.read()) {
      const kept: Record<string, ClipboardPayload> = {};
      for (const type of item.types) {
        formats.push(type);
        // X11's targets that describe the selection rather than hold content are never written back.
        if (META_TARGETS.has(osFormatName(type) ?? '')) continue;
        let payload: Blob | ClipboardBookmarkLike;
        try {
          payload = await item.getType(type);
        } catch (err) {
          dropped.push(`${type} (unreadable: ${err instanceof Error ? err.message : String(err)})`);
          continue;
        }
        if (isBlobLike(payload)) {
          if (bytes + payload.size > MAX_SNAPSHOT_BYTES) {
            dropped.push(`${type} (the clipboard holds more than ${MAX_SNAPSHOT_BYTES} bytes)`);
            continue;
          }
          bytes += payload.size;
          // Read now: the Blob may be backed by the clipboard, which our offer replaces.
          payload = new Blob([await payload.arrayBuffer()], { type: payload.type });
        }
        kept[type] = payload;
      }
      if (Object.keys(kept).length > 0) items.push(kept);
    }
    const snapshot: ElectronSnapshot = { formats, dropped, items };
    return snapshot;
  }

  async offer(text: string): Promise<ClipboardOffer> {
    await this.api.clipboard.write([this.api.makeItem({ [PLAIN_TEXT]: text, ...this.markers })]);
    return {
      markChord: () => undefined,
      // Slow targets (Electron apps, KDE) read several hundred ms after the chord (OpenWhispr
      // measured 450–1200 ms per platform): the give-back waits a second, the dictation does not.
      waitForRead: async () => 'unknown',
      release: () => undefined,
      holdsClipboard: async () => (await this.api.clipboard.readText()) === text,
    };
  }

  async writeText(text: string): Promise<void> {
    await this.api.clipboard.writeText(text);
  }

  async restore(snapshot: ClipboardSnapshot): Promise<void> {
    const { items } = snapshot as ElectronSnapshot;
    if (items.length > 0) await this.api.clipboard.write(items.map((item) => this.api.makeItem(item)));
    else await this.api.clipboard.clear();
  }
}

/** By shape, not `instanceof`: Electron's Blob need not be this realm's class. */
function isBlobLike(payload: Blob | ClipboardBookmarkLike): payload is Blob {
  return typeof (payload as Blob).arrayBuffer === 'function' && typeof (payload as Blob).size === 'number';
}

function osFormatName(type: string): string | null {
  return /^electron application\/osclipboard;format="(.*)"$/.exec(type)?.[1] ?? null;
}

/**
 * X11 in the app: Electron snapshots and restores every format, xclip makes the offer so we get
 * a read receipt instead of a guessed delay.
 */
export function combineClipboards(formats: ClipboardStore, offers: ClipboardStore): ClipboardStore {
  return {
    name: `${formats.name}+${offers.name}`,
    snapshot: () => formats.snapshot(),
    restore: (snapshot) => formats.restore(snapshot),
    offer: (text) => offers.offer(text),
    writeText: (text) => formats.writeText(text),
  };
}
