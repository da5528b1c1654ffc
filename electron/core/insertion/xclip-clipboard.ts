// The X11 CLIPBOARD through xclip: snapshot, a paste offer with a read receipt, and restore.
//
// The read receipt: `xclip -verbose` stays in the foreground and prints "Waiting for selection
// request number N" after each data transfer (TARGETS queries are not counted), so we know when
// the target app has actually read our text and can restore the old clipboard without racing it
// (the failure behind "the old clipboard got pasted" in other apps).
//
// Where the app ships `vxd-x11-offer` (native-models/desktop/x11_offer.c) the offer goes through
// it instead: it serves the text with KDE's pass-through hint beside it (pass-through.ts), which
// xclip's one target cannot, and reports reads of the text alone. If it cannot make the offer
// (no display, text too large for one transfer, a broken binary), xclip makes it.
//
// Limit: one xclip process serves one format, so restore keeps the most useful format (text if
// there was any, otherwise the first other format, e.g. image/png) and lists the rest as dropped.
// In the Electron app, ElectronClipboardStore snapshots and restores every format.

import { CommandError, endAfterGrace, type CommandRunner } from './command-runner';
import { passThroughMarkers } from './pass-through';
import type { ClipboardOffer, ClipboardSnapshot, ClipboardStore, ReadReceipt } from './types';

/** Where the build puts the offer helper, beside the addon (repository- or app-relative). */
export const X11_OFFER_HELPER = 'native-models/build/Release/vxd-x11-offer';

/** The process that serves an offer, and what its output lines mean. */
interface OfferServer {
  name: string;
  file: string;
  args: string[];
  /** A fresh reader of its lines: 'owning' once the selection is ours, 'read' per read of the text. */
  lines(): (line: string) => 'owning' | 'read' | null;
}

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

function helperServer(helper: string, selection: string): OfferServer {
  const hints = passThroughMarkers('linux').flatMap(({ format, payload }) => (typeof payload === 'string' ? ['-hint', `${format}=${payload}`] : []));
  return {
    name: 'vxd-x11-offer',
    file: helper,
    args: ['-selection', selection, ...hints],
    lines: () => (line) => (line === 'owning' ? 'owning' : line.startsWith('served ') ? 'read' : null),
  };
}

/** Targets that describe the selection rather than hold its content. */
const META_TARGETS = new Set([
  'TARGETS', 'TIMESTAMP', 'MULTIPLE', 'SAVE_TARGETS', 'DELETE', 'INSERT_SELECTION', 'INSERT_PROPERTY',
  'INCR', 'LENGTH', 'CLIPBOARD_MANAGER',
]);
const TEXT_TARGETS = ['UTF8_STRING', 'text/plain;charset=utf-8', 'STRING', 'TEXT', 'text/plain', 'COMPOUND_TEXT'];
/** Larger clipboard contents are not kept (and the user is told), never buffered without bound. */
export const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;
/** After the first read, wait this long for follow-up reads (some apps read twice) before restoring. */
const QUIET_AFTER_READ_MS = 120;
const OWNERSHIP_TIMEOUT_MS = 2000;
/**
 * A released offer is not killed at once: restore() takes the selection over and xclip exits by
 * itself, after answering requests already addressed to it. Killing it mid-request leaves the
 * requesting app (Chromium: its whole page) waiting for data that never comes.
 */
export const RELEASE_GRACE_MS = 3000;

interface XclipSnapshot extends ClipboardSnapshot {
  readonly kept: { target: string; data: Buffer } | null;
}

export class XclipClipboardStore implements ClipboardStore {
  readonly name = 'xclip';
  private helperFailed = false;

  /** `offerHelper`: the path of vxd-x11-offer, which makes offers where it can. */
  constructor(private readonly runner: CommandRunner, private readonly selection = 'clipboard',
    private readonly releaseGraceMs = RELEASE_GRACE_MS, private readonly offerHelper: string | null = null) {}

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
    if (this.offerHelper && !this.helperFailed) {
      try {
        return await this.serveOffer(text, helperServer(this.offerHelper, this.selection));
      } catch {
        this.helperFailed = true; // xclip makes this store's offers; it says so if it cannot either
      }
    }
    return this.serveOffer(text, xclipServer(this.selection));
  }

  private async serveOffer(text: string, spec: OfferServer): Promise<ClipboardOffer> {
    const server = this.runner.serve(spec.file, spec.args, text);
    const lineMeaning = spec.lines();
    let served = -1; // -1 until the selection is ours, then the reads of the text
    let servedAtChord = 0;
    let readAt = 0;
    const waiters = new Set<() => void>();
    let exited = false;
    server.onLine((line) => {
      const meaning = lineMeaning(line);
      if (meaning === 'owning') served = Math.max(served, 0);
      else if (meaning === 'read') {
        served = Math.max(served, 0) + 1;
        readAt = Date.now();
      } else return;
      for (const w of waiters) w();
    });
    void server.exited.then(() => {
      exited = true;
      for (const w of waiters) w();
    });
    const until = (done: () => boolean, timeoutMs: number): Promise<boolean> => new Promise((resolve) => {
      if (done()) return resolve(true);
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => { cleanup(); resolve(false); }, timeoutMs);
      const cleanup = (): void => { clearTimeout(timer); waiters.delete(check); };
      waiters.add(check);
    });

    // The paste chord must not go out before xclip owns the selection.
    const owning = await until(() => served >= 0 || exited, OWNERSHIP_TIMEOUT_MS);
    if (!owning || served < 0) {
      server.kill();
      throw new CommandError(`${spec.name} could not take the clipboard (is DISPLAY set and the X server reachable?)`);
    }
    return {
      markChord: () => { servedAtChord = Math.max(0, served); },
      waitForRead: async (timeoutMs: number): Promise<ReadReceipt> => {
        const deadline = Date.now() + timeoutMs;
        const readByTarget = (): boolean => served > servedAtChord;
        const gotRead = await until(() => readByTarget() || exited, timeoutMs);
        if (!gotRead || !readByTarget()) return 'timeout';
        // Let a second read (some toolkits read the text twice) finish before we take it back.
        while (Date.now() < deadline) {
          const quietFor = Date.now() - readAt;
          if (quietFor >= QUIET_AFTER_READ_MS || exited) break;
          await sleep(QUIET_AFTER_READ_MS - quietFor);
        }
        return 'read';
      },
      // xclip exits when another client takes the selection (or when it is killed).
      holdsClipboard: async () => !exited,
      release: () => endAfterGrace(server, this.releaseGraceMs),
    };
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
