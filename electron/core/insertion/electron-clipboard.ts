// The clipboard through Electron's API (main process), used on every platform in the app: it
// snapshots and restores all standard formats together (text, HTML, RTF, image, bookmark), which
// no single command-line tool can. It has no read receipt: the loan's give-back, a second after
// the chord (clipboard-loan.ts), is the settle delay, and nothing waits for it.
// The electron module is passed in by main (core never imports electron).

import type { ClipboardOffer, ClipboardSnapshot, ClipboardStore } from './types';

/** An opaque NativeImage; only handed back to write(). */
export interface ImageLike { isEmpty(): boolean }

/** The subset of Electron's `clipboard` used here (same names, so main passes `clipboard`). */
export interface ElectronClipboardLike {
  availableFormats(): string[];
  readText(): string;
  readHTML(): string;
  readRTF(): string;
  readImage(): ImageLike;
  readBuffer(format: string): Buffer;
  write(data: { text?: string; html?: string; rtf?: string; image?: never }): void;
  writeBuffer(format: string, buffer: Buffer): void;
  writeText(text: string): void;
  clear(): void;
}

interface ElectronSnapshot extends ClipboardSnapshot {
  readonly standard: { text?: string; html?: string; rtf?: string; image?: ImageLike };
  readonly custom: { format: string; data: Buffer } | null;
}

const STANDARD = /^(text\/plain|text\/html|text\/rtf|image\/)/;
const MAX_CUSTOM_BYTES = 32 * 1024 * 1024;

export class ElectronClipboardStore implements ClipboardStore {
  readonly name = 'electron';
  constructor(private readonly clipboard: ElectronClipboardLike) {}

  async snapshot(): Promise<ClipboardSnapshot> {
    const formats = this.clipboard.availableFormats();
    const standard: ElectronSnapshot['standard'] = {};
    const text = this.clipboard.readText();
    if (text) standard.text = text;
    const html = this.clipboard.readHTML();
    if (html) standard.html = html;
    const rtf = this.clipboard.readRTF();
    if (rtf) standard.rtf = rtf;
    const image = this.clipboard.readImage();
    if (!image.isEmpty()) standard.image = image;
    const customFormats = formats.filter((f) => !STANDARD.test(f));
    const dropped: string[] = [];
    let custom: ElectronSnapshot['custom'] = null;
    // Electron can write one custom format, and only alone: keep it when nothing standard exists.
    if (Object.keys(standard).length === 0 && customFormats.length > 0) {
      const data = this.clipboard.readBuffer(customFormats[0]);
      if (data.length <= MAX_CUSTOM_BYTES) custom = { format: customFormats[0], data };
      else dropped.push(`${customFormats[0]} (larger than ${MAX_CUSTOM_BYTES} bytes)`);
      dropped.push(...customFormats.slice(1).map((f) => `${f} (only one custom format can be restored)`));
    } else {
      dropped.push(...customFormats.map((f) => `${f} (not a standard format)`));
    }
    const snapshot: ElectronSnapshot = { formats, dropped, standard, custom };
    return snapshot;
  }

  async offer(text: string): Promise<ClipboardOffer> {
    this.clipboard.writeText(text);
    return {
      markChord: () => undefined,
      // Slow targets (Electron apps, KDE) read several hundred ms after the chord (OpenWhispr
      // measured 450–1200 ms per platform): the give-back waits a second, the dictation does not.
      waitForRead: async () => 'unknown',
      release: () => undefined,
      holdsClipboard: () => this.clipboard.readText() === text,
    };
  }

  async writeText(text: string): Promise<void> {
    this.clipboard.writeText(text);
  }

  async restore(snapshot: ClipboardSnapshot): Promise<void> {
    const { standard, custom } = snapshot as ElectronSnapshot;
    if (standard && Object.keys(standard).length > 0) {
      this.clipboard.write(standard as { text?: string; html?: string; rtf?: string; image?: never });
    } else if (custom) {
      this.clipboard.writeBuffer(custom.format, custom.data);
    } else {
      this.clipboard.clear();
    }
  }
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
