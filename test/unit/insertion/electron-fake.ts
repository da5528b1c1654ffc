import type {
  ClipboardBookmarkLike, ClipboardItemLike, ClipboardPayload, ElectronClipboardApi, ElectronClipboardLike,
} from '../../../electron/core/insertion/electron-clipboard';

const BOOKMARK = 'electron application/bookmark';

/** Models Electron's ClipboardItem: strings are UTF-8 Blobs, the bookmark stays an object. */
export class FakeClipboardItem implements ClipboardItemLike {
  private readonly payloads: Map<string, Blob | ClipboardBookmarkLike>;
  unreadable = new Set<string>();
  constructor(payloads: Record<string, ClipboardPayload>) {
    this.payloads = new Map(Object.entries(payloads).map(([type, p]) => [type, typeof p === 'string' ? new Blob([p]) : p]));
  }
  get types(): string[] { return [...this.payloads.keys()]; }
  async getType(type: string): Promise<Blob | ClipboardBookmarkLike> {
    const payload = this.payloads.get(type);
    if (!payload) throw new Error(`NotFoundError: ${type}`);
    if (this.unreadable.has(type)) throw new Error('the owner did not answer');
    return payload;
  }
}

/** Models Electron 44+'s clipboard: items of several formats, written and read whole. */
export class FakeElectronClipboard implements ElectronClipboardLike, ElectronClipboardApi {
  items: FakeClipboardItem[] = [];
  writes: FakeClipboardItem[][] = [];
  readonly clipboard = this;
  makeItem = (payloads: Record<string, ClipboardPayload>): FakeClipboardItem => new FakeClipboardItem(payloads);

  /** Sets the clipboard as another app's copy would. */
  set(payloads: Record<string, ClipboardPayload>): FakeClipboardItem {
    const item = new FakeClipboardItem(payloads);
    this.items = [item];
    return item;
  }
  async read(): Promise<ClipboardItemLike[]> { return [...this.items]; }
  async readText(): Promise<string> {
    const item = this.items.find((i) => i.types.includes('text/plain'));
    return item ? ((await item.getType('text/plain')) as Blob).text() : '';
  }
  async write(items: ClipboardItemLike[]): Promise<void> {
    this.writes.push(items as FakeClipboardItem[]);
    this.items = items as FakeClipboardItem[];
  }
  async writeText(text: string): Promise<void> { this.items = [new FakeClipboardItem({ 'text/plain': text })]; }
  clear(): void { this.items = []; }

  types(): string[] { return this.items.flatMap((i) => i.types); }
  async bytes(type: string): Promise<Buffer> {
    for (const item of this.items) {
      if (!item.types.includes(type)) continue;
      const payload = await item.getType(type);
      return Buffer.from(await (payload as Blob).arrayBuffer());
    }
    throw new Error(`no ${type} on the clipboard`);
  }
  async bookmark(): Promise<ClipboardBookmarkLike | null> {
    const item = this.items.find((i) => i.types.includes(BOOKMARK));
    return item ? (await item.getType(BOOKMARK)) as ClipboardBookmarkLike : null;
  }
}
