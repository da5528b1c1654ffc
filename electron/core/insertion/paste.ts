// Paste with the clipboard borrowed and given back: save every format, offer our text, send the
// paste chord, wait for the target to read it, restore. Restoring before the target has read
// the clipboard pastes the old content instead (Handy #502, VoiceInk #415), so we wait for the
// read receipt where the store has one and for a settle delay where it does not.

import type { ClipboardStore, KeyInjector, ReadReceipt } from './types';

/**
 * How long the target may take to read the clipboard after the chord before we give up. Apps
 * read within tens of milliseconds; a starved machine (load 15 on 2 cores, measured) took over 2 s.
 * Only a paste that fails waits this long.
 */
export const DEFAULT_READ_TIMEOUT_MS = 3000;

/** The selections a paste may borrow: CLIPBOARD, and PRIMARY for terminals that paste only that. */
export interface PasteStores {
  clipboard: ClipboardStore;
  primary?: ClipboardStore;
}

export interface PasteReport {
  /** 'typed' where the app pastes only PRIMARY and no PRIMARY store exists. */
  method: 'pasted' | 'typed';
  /** Which selection was borrowed (and given back). */
  selection: 'clipboard' | 'primary' | null;
  receipt: ReadReceipt;
  /** True when the old clipboard is back; false when we left our text there (see message). */
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
  const snapshot = await clipboard.snapshot();
  const offer = await clipboard.offer(text);
  let receipt: ReadReceipt = 'timeout';
  try {
    offer.markChord();
    await keys.sendPaste(kind);
    receipt = await offer.waitForRead(readTimeoutMs);
  } catch (err) {
    offer.release();
    await clipboard.restore(snapshot);
    throw err;
  }
  offer.release();
  if (receipt === 'timeout') {
    // The app never read it, so it was not pasted: keep the text where the user can paste it.
    await clipboard.writeText(text);
    return { method: 'pasted', selection, receipt, restored: false, dropped: snapshot.dropped };
  }
  await clipboard.restore(snapshot);
  return { method: 'pasted', selection, receipt, restored: true, dropped: snapshot.dropped };
}
