/**
 * Random access to a file's bytes, either in memory or through a file descriptor, so multi-GB .ptd and
 * safetensors files are read piecewise instead of being loaded whole.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fail } from './errors.js';

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; a range outside the source is a ModelFormatError. */
  read(offset: number, length: number, what: string): Uint8Array;
  close(): void;
}

function checkRange(size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    fail(`${what}: bytes [${offset}, ${offset + length}) lie outside the ${size}-byte file`);
  }
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length, what) {
      checkRange(bytes.length, offset, length, what);
      return bytes.subarray(offset, offset + length);
    },
    close() {},
  };
}

export function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let open = true;
  return {
    size,
    read(offset, length, what) {
      checkRange(size, offset, length, what);
      const out = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), offset + done);
        if (n <= 0) fail(`${what}: file ended early (truncated while reading?)`);
        done += n;
      }
      return new Uint8Array(out.buffer, out.byteOffset, length);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
