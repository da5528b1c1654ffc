// A paste's offer served by a process that reports on stderr when the selection is its own and
// when the text is read: xclip -verbose, or our helpers (vxd-x11-offer on X11, vxd-wl-offer on
// Wayland compositors with data-control), which also offer the pass-through hint. From those
// lines comes the read receipt: the old clipboard goes back once the target app has read the
// text, not after a guess (the failure behind "the old clipboard got pasted" in other apps).

import { CommandError, endAfterGrace, type CommandRunner } from './command-runner';
import { passThroughMarkers } from './pass-through';
import type { ClipboardOffer, ReadReceipt } from './types';

/** Where the build puts the helpers, beside the addon (repository- or app-relative paths). */
export const X11_OFFER_HELPER = 'native-models/build/Release/vxd-x11-offer';
export const WAYLAND_OFFER_HELPER = 'native-models/build/Release/vxd-wl-offer';

/** The process that serves an offer, and what its output lines mean. */
export interface OfferServer {
  name: string;
  file: string;
  args: string[];
  /** A fresh reader of its lines: 'owning' once the selection is ours, 'read' per read of the text. */
  lines(): (line: string) => 'owning' | 'read' | null;
}

/** After the first read, wait this long for follow-up reads (some apps read twice) before restoring. */
const QUIET_AFTER_READ_MS = 120;
const OWNERSHIP_TIMEOUT_MS = 2000;
/**
 * A released offer is not killed at once: restore() takes the selection over and the server exits
 * by itself, after answering requests already addressed to it (endAfterGrace).
 */
export const RELEASE_GRACE_MS = 3000;

/** One of our helpers, named by its path, with the pass-through hint beside the text. */
function helperServer(helper: string, args: string[]): OfferServer {
  const hints = passThroughMarkers('linux').flatMap(({ format, payload }) => (typeof payload === 'string' ? ['-hint', `${format}=${payload}`] : []));
  return {
    name: helper.split('/').pop() ?? helper,
    file: helper,
    args: [...args, ...hints],
    lines: () => (line) => (line === 'owning' ? 'owning' : line.startsWith('served ') ? 'read' : null),
  };
}

/**
 * A store's offers through one of our helpers while it can make them: after the first it could
 * not (no display, no data-control, a text too large for one transfer, a broken binary), null, and
 * the store's own tool (xclip, wl-copy) makes this store's offers.
 */
export class HelperOffers {
  private failed = false;
  constructor(private readonly runner: CommandRunner, private readonly helper: string | null,
    private readonly args: string[], private readonly releaseGraceMs: number) {}

  async offer(text: string): Promise<ClipboardOffer | null> {
    if (!this.helper || this.failed) return null;
    try {
      return await serveOffer(this.runner, text, helperServer(this.helper, this.args), this.releaseGraceMs);
    } catch {
      this.failed = true;
      return null;
    }
  }
}

/** Serves `text` through `spec`; resolves once the selection is its own, so the chord may go out. */
export async function serveOffer(runner: CommandRunner, text: string, spec: OfferServer, releaseGraceMs = RELEASE_GRACE_MS): Promise<ClipboardOffer> {
  const server = runner.serve(spec.file, spec.args, text);
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

  const owning = await until(() => served >= 0 || exited, OWNERSHIP_TIMEOUT_MS);
  if (!owning || served < 0) {
    server.kill();
    throw new CommandError(`${spec.name} could not take the clipboard (is the display reachable?)`);
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
        await new Promise((r) => setTimeout(r, QUIET_AFTER_READ_MS - quietFor));
      }
      return 'read';
    },
    // The server exits when another client takes the selection (or when it is killed).
    holdsClipboard: async () => !exited,
    release: () => endAfterGrace(server, releaseGraceMs),
  };
}
