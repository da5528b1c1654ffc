// Reads Electron's asar archives for the packaging checks, independently of the builder's own code:
// a Chromium Pickle holding the header size, a Pickle holding the JSON header, then file bytes.
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface AsarEntry {
  /** Path inside the archive, '/'-separated, without a leading slash. */
  path: string;
  size: number;
  /** Stored in app.asar.unpacked instead of the archive (native code must read it from disk). */
  unpacked: boolean;
  executable: boolean;
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
  executable?: boolean;
  link?: string;
}

export interface AsarArchive {
  entries: AsarEntry[];
  /** SHA-256 of the header JSON: what Electron's asar integrity validation checks. */
  headerSha256: string;
  /** Bytes of a file stored inside the archive. */
  read(path: string): Buffer;
}

const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export function openAsar(file: string): AsarArchive {
  const fd = openSync(file, 'r');
  try {
    const sizePickle = readExactly(fd, 0, 8);
    if (sizePickle.readUInt32LE(0) !== 4) throw new Error(`${file}: not an asar archive`);
    const headerPickleSize = sizePickle.readUInt32LE(4);
    if (headerPickleSize < 8 || headerPickleSize > MAX_HEADER_BYTES) throw new Error(`${file}: header size ${headerPickleSize} out of range`);
    const headerPickle = readExactly(fd, 8, headerPickleSize);
    const jsonLength = headerPickle.readUInt32LE(4);
    if (jsonLength + 8 > headerPickleSize) throw new Error(`${file}: header string overruns its pickle`);
    const headerJson = headerPickle.subarray(8, 8 + jsonLength);
    const root = JSON.parse(headerJson.toString('utf8')) as HeaderNode;
    const dataStart = 8 + headerPickleSize;
    const nodes = new Map<string, HeaderNode>();
    const entries: AsarEntry[] = [];
    walk(root, '', (path, node) => {
      nodes.set(path, node);
      entries.push({ path, size: node.size ?? 0, unpacked: node.unpacked === true, executable: node.executable === true });
    });
    return {
      entries,
      headerSha256: createHash('sha256').update(headerJson).digest('hex'),
      read(path: string): Buffer {
        const node = nodes.get(path);
        if (!node) throw new Error(`${path} is not in ${file}`);
        if (node.unpacked) throw new Error(`${path} is unpacked; read it from ${file}.unpacked`);
        const fdAgain = openSync(file, 'r');
        try {
          return readExactly(fdAgain, dataStart + Number(node.offset), node.size ?? 0);
        } finally {
          closeSync(fdAgain);
        }
      },
    };
  } finally {
    closeSync(fd);
  }
}

function walk(node: HeaderNode, prefix: string, visit: (path: string, node: HeaderNode) => void): void {
  for (const [name, child] of Object.entries(node.files ?? {})) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (child.files) walk(child, path, visit);
    else if (child.link === undefined) visit(path, child);
  }
}

function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  if (read !== length) throw new Error(`short read: ${read} of ${length} bytes at ${position}`);
  return buffer;
}

/** Writes every file of `asarFile` (unpacked ones from `asarFile`.unpacked) under `destDir`:
 * the app as plain Node, which cannot read an asar, sees it. */
export function extractAsar(asarFile: string, destDir: string): void {
  const archive = openAsar(asarFile);
  for (const entry of archive.entries) {
    const dest = path.join(destDir, entry.path);
    mkdirSync(path.dirname(dest), { recursive: true });
    if (entry.unpacked) copyFileSync(path.join(`${asarFile}.unpacked`, entry.path), dest);
    else writeFileSync(dest, archive.read(entry.path));
  }
}
