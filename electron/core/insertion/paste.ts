// Paste with the clipboard borrowed and given back: save every format, offer our text, send the
// paste chord, wait for the target to read it, give the clipboard back. Giving it back before
// the target has read it pastes the old content instead (Handy #502, VoiceInk #415), and right
// after the read can still empty the paste (clipboard-loan.ts), so we wait for the read receipt
// where the store has one, and the give-back comes a second after it (or after the chord, where
// the store has no receipt), in the background.

import type { KeyInjector, LentClipboard, ReadReceipt } from './types';

/**
 * How long the target may take to read the clipboard after the chord before we give up. Apps
 * read within tens of milliseconds; a starved machine (load 15 on 2 cores, measured) took over 2 s.
 * Only a paste that fails waits this long.
 */
export const DEFAULT_READ_TIMEOUT_MS = 3000;

/** The selections a paste may borrow: CLIPBOARD, and PRIMARY for terminals that paste only that. */
export interface PasteStores {
  clipboard: LentClipboard;
  primary?: LentClipboard;
}

export interface PasteReport {
  /** 'typed' where the app pastes only PRIMARY and no PRIMARY store exists. */
  method: 'pasted' | 'typed';
  /** Which selection was borrowed (and given back). */
  selection: 'clipboard' | 'primary' | null;
  receipt: ReadReceipt;
  /** True when the old clipboard goes back (once the paste settles); false when we left our text there. */
  restored: boolean;
  /** Clipboard formats that could not be restored. */
  dropped: readonly string[];
}

export async function pasteText(text: string, keys: KeyInjector, stores: PasteStores,
  readTimeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<PasteReport> {
  // The focused window decides the chord and the selection.
  const kind = await keys.focusedAppKind();
  const selection = kind === 'primary-terminal' ? 'primary' : 'clipboard';
  const clipboard = selection === 'primary' ? stores.primary : stores.clipboard;
  if (!clipboard) {
    await keys.typeText(text);
    return { method: 'typed', selection: null, receipt: 'read', restored: true, dropped: [] };
  }
  const lending = await clipboard.lend(text);
  let receipt: ReadReceipt = 'timeout';
  try {
    lending.offer.markChord();
    await keys.sendPaste(kind);
    receipt = await lending.offer.waitForRead(readTimeoutMs);
  } catch (err) {
    await lending.failed();
    throw err;
  }
  if (receipt === 'timeout') {
    // The app never read it, so it was not pasted: keep the text where the user can paste it.
    await lending.keep();
    return { method: 'pasted', selection, receipt, restored: false, dropped: lending.dropped };
  }
  lending.settled();
  return { method: 'pasted', selection, receipt, restored: true, dropped: lending.dropped };
}
