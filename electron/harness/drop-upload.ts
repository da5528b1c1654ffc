// The harness's stand-in for the preload's dropped-file step. Electron's preload asks webUtils
// where a dropped File lives on disk; a browser never tells a page that, so the harness bridge
// uploads the File's bytes here and gets back the path of a copy in a temporary folder, which it
// then passes to transcribeFile like the app would. Same limits as the app: same-origin pages
// only, audio files only; plus a size bound, since the bytes travel.

import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AUDIO_FILE_KINDS, isDroppableAudioName, type AppError, type Result } from '../common/ipc-contract';

/** Large enough for an hour of 16-bit 48 kHz stereo; the harness is for tests and trying things. */
export const DROP_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

export class DropUploads {
  private count = 0;

  private constructor(private readonly dir: string, private readonly origin: string) {}

  static async create(origin: string): Promise<DropUploads> {
    return new DropUploads(await mkdtemp(path.join(tmpdir(), 'vxd-harness-drops-')), origin);
  }

  /** POST DROP_UPLOAD_PATH?name=<file name>, body = the file's bytes → Result<{ path }> as JSON. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, result: Result<{ path: string }>) =>
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(result));
    const refuse = (status: number, code: AppError['code'], message: string) => {
      req.resume(); // drain what was sent, so the answer reaches the page
      answer(status, { ok: false, error: { code, message } });
    };
    if (req.method !== 'POST') return refuse(405, 'invalid-request', 'Upload the dropped file with POST.');
    if (req.headers.origin !== this.origin) return refuse(403, 'forbidden', 'Only the harness page may upload files.');
    const name = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('name') ?? '';
    // Only the last path component, and no names that mean something to the file system.
    const base = path.basename(name.replace(/\\/g, '/'));
    if (!isDroppableAudioName(base) || base.startsWith('.')) return refuse(400, 'invalid-request', `Only audio files (${AUDIO_FILE_KINDS}) can be transcribed.`);
    if (Number(req.headers['content-length'] ?? 0) > DROP_UPLOAD_MAX_BYTES) return refuse(413, 'invalid-request', 'The dropped file is too large for the harness.');

    // One folder per upload, so the copy keeps the dropped file's own name (the view shows it).
    const folder = path.join(this.dir, String(++this.count));
    await mkdir(folder);
    const target = path.join(folder, base);
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > DROP_UPLOAD_MAX_BYTES ? new Error('The dropped file is too large for the harness.') : null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(target, { flags: 'wx' }));
    } catch (err) {
      await rm(target, { force: true });
      return refuse(413, 'io', (err as Error).message);
    }
    answer(200, { ok: true, value: { path: target } });
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
