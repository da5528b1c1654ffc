// Durable JSON files for the app's own state (settings, history). A write goes to a temp file in
// the same directory, is fsynced, then renamed over the target, so a crash or power loss leaves
// either the old or the new file, never a torn one. A file that cannot be parsed is moved aside
// (never deleted) so the user's data is still there to recover.

import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export type JsonRead =
  | { kind: 'missing' }
  | { kind: 'ok'; value: unknown }
  | { kind: 'corrupt'; reason: string };

/** Refuse to parse absurdly large state files instead of allocating for them. */
const MAX_STATE_FILE_BYTES = 256 * 1024 * 1024;

export async function readJsonFile(file: string): Promise<JsonRead> {
  let raw: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_STATE_FILE_BYTES) return { kind: 'corrupt', reason: `file is ${size} bytes, larger than the ${MAX_STATE_FILE_BYTES} byte limit` };
      raw = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  try {
    return { kind: 'ok', value: JSON.parse(raw.toString('utf8')) };
  } catch (err) {
    return { kind: 'corrupt', reason: (err as Error).message };
  }
}

let tempCounter = 0;

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Deletes temp files a crashed writer left beside `file` (`<file>.<pid>.<n>.tmp`): they are never
 * the real file (the rename did not happen), and each may be as large as the file itself.
 */
export async function removeStaleTemps(file: string): Promise<void> {
  const prefix = `${path.basename(file)}.`;
  const mine = `${prefix}${process.pid}.`;
  const names = await readdir(path.dirname(file)).catch(() => [] as string[]);
  await Promise.all(names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp') && !n.startsWith(mine) && /^\d+\.\d+\.tmp$/.test(n.slice(prefix.length)))
    .map((n) => rm(path.join(path.dirname(file), n), { force: true })));
}

/** Moves `dir/<name>.json` aside as `dir/<name>.corrupt-<time>.json` and returns the new path. */
export async function moveAsideCorrupt(file: string, now: Date = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const ext = path.extname(file);
  const backup = path.join(path.dirname(file), `${path.basename(file, ext)}.corrupt-${stamp}${ext}`);
  await rename(file, backup);
  return backup;
}

/** Runs async tasks one after another (writes to one file must not interleave). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
