/**
 * A FlatBuffers builder that writes back to front, mirroring the primitives shared by the official
 * Python builder and flatc (see pte-ptd-format.md §9), so our output can be byte-identical to EXIR's.
 * "Offset" means distance from the end of the buffer, as in those builders.
 */

export type VtableDedup = 'python' | 'flatc';

export class FlatBufferBuilder {
  private buf: Uint8Array;
  private view: DataView;
  private head: number;
  private minAlign = 1;
  private tableStart = -1;
  private fieldSlots: number[] = [];
  private readonly pythonVtables = new Map<string, number>();
  private readonly flatcVtables: { key: string; offset: number }[] = [];

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
    this.head = initialSize;
  }

  offset(): number {
    return this.buf.length - this.head;
  }

  private ensure(bytes: number): void {
    if (this.head >= bytes) return;
    let size = this.buf.length * 2;
    while (size - this.offset() < bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.head), size - this.offset());
    this.head = size - this.offset();
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private pad(n: number): void {
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[--this.head] = 0;
  }

  /** Pad so that after `additional` more bytes the written size is a multiple of `size`. */
  prep(size: number, additional: number): void {
    if (size > this.minAlign) this.minAlign = size;
    const alignSize = (-(this.offset() + additional)) & (size - 1);
    this.pad(alignSize);
  }

  private place(size: number, write: (view: DataView, at: number) => void): void {
    this.ensure(size);
    this.head -= size;
    write(this.view, this.head);
  }

  placeU8(v: number): void { this.place(1, (d, at) => d.setUint8(at, v)); }
  placeI8(v: number): void { this.place(1, (d, at) => d.setInt8(at, v)); }
  placeU16(v: number): void { this.place(2, (d, at) => d.setUint16(at, v, true)); }
  placeI32(v: number): void { this.place(4, (d, at) => d.setInt32(at, v, true)); }
  placeU32(v: number): void { this.place(4, (d, at) => d.setUint32(at, v, true)); }
  placeI64(v: bigint): void { this.place(8, (d, at) => d.setBigInt64(at, v, true)); }
  placeU64(v: bigint): void { this.place(8, (d, at) => d.setBigUint64(at, v, true)); }
  placeF64(v: number): void { this.place(8, (d, at) => d.setFloat64(at, v, true)); }
  placeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.head -= bytes.length;
    this.buf.set(bytes, this.head);
  }

  /** A uoffset to an object written earlier (at `target`, an offset from the end). */
  pushUOffset(target: number): void {
    this.prep(4, 0);
    this.placeU32(this.offset() + 4 - target);
  }

  createString(utf8: Uint8Array): number {
    this.prep(4, utf8.length + 1);
    this.placeU8(0);
    this.placeBytes(utf8);
    this.placeU32(utf8.length);
    return this.offset();
  }

  startVector(elemSize: number, count: number, alignment: number): void {
    this.prep(4, elemSize * count);
    this.prep(alignment, elemSize * count);
  }

  endVector(count: number): number {
    this.placeU32(count);
    return this.offset();
  }

  startTable(): void {
    this.tableStart = this.offset();
    this.fieldSlots = [];
  }

  /** Record that the value just pushed is field `id` of the open table. */
  slot(id: number): void {
    this.fieldSlots[id] = this.offset();
  }

  endTable(dedup: VtableDedup): number {
    this.prep(4, 0);
    this.placeI32(0);
    const objectOffset = this.offset();
    const entries: number[] = [];
    for (let id = 0; id < this.fieldSlots.length; id++) {
      const at = this.fieldSlots[id];
      entries.push(at === undefined ? 0 : objectOffset - at);
    }
    const tableSize = objectOffset - this.tableStart;
    const vtableSize = 4 + 2 * entries.length;
    const existing = dedup === 'python'
      ? this.pythonVtables.get(entries.join(','))
      : this.flatcVtables.find((v) => v.key === `${vtableSize}|${tableSize}|${entries.join(',')}`)?.offset;
    let vtableOffset: number;
    if (existing !== undefined) {
      vtableOffset = existing;
    } else {
      for (let i = entries.length - 1; i >= 0; i--) this.placeU16(entries[i]);
      this.placeU16(tableSize);
      this.placeU16(vtableSize);
      vtableOffset = this.offset();
      if (dedup === 'python') this.pythonVtables.set(entries.join(','), vtableOffset);
      else this.flatcVtables.push({ key: `${vtableSize}|${tableSize}|${entries.join(',')}`, offset: vtableOffset });
    }
    this.view.setInt32(this.buf.length - objectOffset, vtableOffset - objectOffset, true);
    this.tableStart = -1;
    return objectOffset;
  }

  finish(root: number, fileIdentifier: string): Uint8Array {
    this.prep(this.minAlign, 8);
    this.prep(4, 4);
    for (let i = 3; i >= 0; i--) this.placeU8(fileIdentifier.charCodeAt(i));
    this.pushUOffset(root);
    return this.buf.slice(this.head);
  }
}
