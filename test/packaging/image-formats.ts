// Just enough of PNG, ICO and ICNS to check the generated icons: sizes and entry tables.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngInfo {
  width: number;
  height: number;
  /** PNG colour type 6 = RGBA, 4 = grey + alpha. */
  hasAlpha: boolean;
}

export function readPng(data: Buffer): PngInfo {
  if (data.length < 33 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  if (data.toString('ascii', 12, 16) !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const colourType = data[25];
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), hasAlpha: colourType === 6 || colourType === 4 };
}

export interface IcoEntry {
  width: number;
  height: number;
  format: 'png' | 'bmp';
  data: Buffer;
}

export function readIco(data: Buffer): IcoEntry[] {
  if (data.length < 6 || data.readUInt16LE(0) !== 0 || data.readUInt16LE(2) !== 1) throw new Error('not an ICO');
  const count = data.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const dir = 6 + 16 * i;
    if (dir + 16 > data.length) throw new Error('ICO directory overruns the file');
    const size = data.readUInt32LE(dir + 8);
    const offset = data.readUInt32LE(dir + 12);
    if (offset + size > data.length) throw new Error(`ICO image ${i} overruns the file`);
    const image = data.subarray(offset, offset + size);
    const isPng = image.subarray(0, 8).equals(PNG_SIGNATURE);
    // Width and height bytes of 0 mean 256.
    entries.push({ width: data[dir] || 256, height: data[dir + 1] || 256, format: isPng ? 'png' : 'bmp', data: image });
  }
  return entries;
}

export interface IcnsEntry {
  type: string;
  data: Buffer;
}

export function readIcns(data: Buffer): IcnsEntry[] {
  if (data.length < 8 || data.toString('ascii', 0, 4) !== 'icns') throw new Error('not an ICNS');
  if (data.readUInt32BE(4) !== data.length) throw new Error('ICNS length field does not match the file');
  const entries: IcnsEntry[] = [];
  for (let at = 8; at < data.length; ) {
    if (at + 8 > data.length) throw new Error('ICNS entry header overruns the file');
    const length = data.readUInt32BE(at + 4);
    if (length < 8 || at + length > data.length) throw new Error(`ICNS entry at ${at} has a bad length`);
    entries.push({ type: data.toString('ascii', at, at + 4), data: data.subarray(at + 8, at + length) });
    at += length;
  }
  return entries;
}
