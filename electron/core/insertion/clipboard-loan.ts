// A paste borrows the clipboard, and giving it back too early loses the paste: Chromium drops a
// paste whose clipboard changes while it is still handling the text it has read (measured under
// Xvfb: a restore right at the read emptied 1 paste in 15; on CI an "é" of live typing vanished
// with the restore 120 ms after the read). So the clipboard goes back in the background, a while
// after the last paste's read, and pastes in between (live typing's accented letters) share the
// one loan: one snapshot, one give-back, no wait for either in the typing.
//
// Whoever copies meanwhile wins: a loan whose offer no longer holds the clipboard is not given
// back, and text left there for good (writeText) ends the loan first.

import type { ClipboardOffer, ClipboardSnapshot, ClipboardStore, Lending, LentClipboard } from './types';

/** How long after the last paste's read (or its chord, where the store has no receipt) the clipboard goes back. */
export const RETURN_AFTER_MS = 1000;

export type Selection = 'clipboard' | 'primary';

interface Loan {
  store: ClipboardStore;
  snapshot: ClipboardSnapshot;
  offer: ClipboardOffer;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Holds the open loans, one per selection. Long-lived (the stores are made afresh per
 * dictation): a dictation that starts while the last one's loan is open extends that loan, so it
 * never snapshots our own text as the user's.
 */
export class ClipboardLender {
  private readonly loans = new Map<Selection, Loan>();
  /** Give-backs under way: the next loan of a selection starts after its own. */
  private readonly returning = new Map<Selection, Promise<void>>();

  constructor(private readonly returnAfterMs = RETURN_AFTER_MS,
    private readonly onReturnFailed: (err: unknown) => void = () => undefined) {}

  /** `store` for `selection`, its pastes lent through this lender. */
  lent(selection: Selection, store: ClipboardStore): LentClipboard {
    return {
      name: store.name,
      lend: (text) => this.lend(selection, store, text),
      writeText: async (text) => {
        await this.returning.get(selection);
        this.close(selection);
        await store.writeText(text);
      },
    };
  }

  /** Gives back every loan now (the app is quitting). */
  async returnAll(): Promise<void> {
    await Promise.all([...this.loans.keys()].map((selection) => this.giveBack(selection)));
  }

  /** Whether a loan of `selection` is open (tests, status). */
  isLent(selection: Selection): boolean {
    return this.loans.has(selection);
  }

  private async lend(selection: Selection, store: ClipboardStore, text: string): Promise<Lending> {
    await this.returning.get(selection);
    const open = this.loans.get(selection);
    if (open?.timer) clearTimeout(open.timer);
    // Someone copied since our last offer: theirs is the content to give back, not the old one.
    const held = open ? await open.offer.holdsClipboard().catch(() => false) : false;
    const stillOpen = open && this.loans.get(selection) === open; // not given back meanwhile
    const continued = stillOpen && held ? open : null;
    if (stillOpen && !continued) this.close(selection);
    if (open && !stillOpen) await this.returning.get(selection);
    const snapshot = continued ? continued.snapshot : await store.snapshot();
    let offer: ClipboardOffer;
    try {
      offer = await store.offer(text);
    } catch (err) {
      if (continued) await this.giveBack(selection);
      throw err;
    }
    continued?.offer.release();
    const loan: Loan = { store, snapshot, offer, timer: null };
    this.loans.set(selection, loan);
    const current = (): boolean => this.loans.get(selection) === loan;
    return {
      offer,
      dropped: snapshot.dropped,
      settled: () => {
        if (!current()) return;
        loan.timer = setTimeout(() => { void this.giveBack(selection); }, this.returnAfterMs);
        loan.timer.unref?.();
      },
      failed: async () => { if (current()) await this.giveBack(selection); },
      keep: async () => {
        if (current()) this.close(selection);
        await store.writeText(text);
      },
    };
  }

  /** Ends the loan without giving the clipboard back. */
  private close(selection: Selection): void {
    const loan = this.loans.get(selection);
    if (!loan) return;
    if (loan.timer) clearTimeout(loan.timer);
    this.loans.delete(selection);
    loan.offer.release();
  }

  private giveBack(selection: Selection): Promise<void> {
    const loan = this.loans.get(selection);
    if (!loan) return this.returning.get(selection) ?? Promise.resolve();
    // Out of the map at once, so a second give-back or a new loan waits on this one.
    if (loan.timer) clearTimeout(loan.timer);
    this.loans.delete(selection);
    const done = (async () => {
      let ours = false;
      try {
        ours = await loan.offer.holdsClipboard();
      } finally {
        loan.offer.release();
      }
      if (ours) await loan.store.restore(loan.snapshot);
    })().catch(this.onReturnFailed).finally(() => {
      if (this.returning.get(selection) === done) this.returning.delete(selection);
    });
    this.returning.set(selection, done);
    return done;
  }
}
