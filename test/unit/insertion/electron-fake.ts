import type { ElectronClipboardLike, ImageLike } from '../../../electron/core/insertion/electron-clipboard';

/** Models a clipboard that holds several formats at once, like the real one. */
export class FakeElectronClipboard implements ElectronClipboardLike {
  formats = new Map<string, unknown>();
  writes: unknown[] = [];
  availableFormats(): string[] { return [...this.formats.keys()]; }
  readText(): string { return (this.formats.get('text/plain') as string) ?? ''; }
  readHTML(): string { return (this.formats.get('text/html') as string) ?? ''; }
  readRTF(): string { return (this.formats.get('text/rtf') as string) ?? ''; }
  readImage(): ImageLike { return (this.formats.get('image/png') as ImageLike) ?? { isEmpty: () => true }; }
  readBuffer(format: string): Buffer { return (this.formats.get(format) as Buffer) ?? Buffer.alloc(0); }
  write(data: { text?: string; html?: string; rtf?: string; image?: never }): void {
    this.writes.push(data);
    this.formats.clear();
    if (data.text) this.formats.set('text/plain', data.text);
    if (data.html) this.formats.set('text/html', data.html);
    if (data.rtf) this.formats.set('text/rtf', data.rtf);
    if (data.image) this.formats.set('image/png', data.image);
  }
  writeBuffer(format: string, buffer: Buffer): void { this.formats.clear(); this.formats.set(format, buffer); }
  writeText(text: string): void { this.formats.clear(); this.formats.set('text/plain', text); }
  clear(): void { this.formats.clear(); }
}
