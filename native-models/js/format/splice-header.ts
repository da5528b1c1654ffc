/**
 * ExecuTorch's container trick shared by .pte (eh00) and .ptd (FH01): a header is spliced into a
 * finished flatbuffer at byte 8, padded to `padding` bytes, and the root offset is moved by the same
 * amount; every other offset stays valid because they are all forward-relative.
 */

export interface SplicedHeader {
  magic: string;
  length: number;
  /** u64 fields written after the magic and the u32 length, in order. */
  fields: bigint[];
}

/** Returns `total` bytes: the spliced flatbuffer followed by zeros. */
export function spliceHeader(fb: Uint8Array, header: SplicedHeader, padding: number, total: number): Uint8Array {
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(fb.subarray(0, 8), 0);
  view.setUint32(0, new DataView(fb.buffer, fb.byteOffset).getUint32(0, true) + padding, true);
  for (let i = 0; i < 4; i++) out[8 + i] = header.magic.charCodeAt(i);
  view.setUint32(12, header.length, true);
  header.fields.forEach((v, i) => view.setBigUint64(16 + 8 * i, v, true));
  out.set(fb.subarray(8), 8 + padding);
  return out;
}
