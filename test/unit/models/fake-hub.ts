// A local stand-in for the Hugging Face Hub routes the checkpoint download uses: the tree API
// (file list, sizes, LFS SHA-256) and `resolve` with HTTP Range. Knobs make it stall, ignore
// ranges, damage a file or answer an error, and every request is recorded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CHECKPOINT_FILES, CHECKPOINT_REPO } from '../../../electron/core/models/checkpoint-download';

export interface FakeHub {
  url: string;
  files: Map<string, Buffer>;
  requests: { path: string; range: string | undefined }[];
  /** Serve this many bytes of a file's body, then hold the connection open. */
  stallAfter: Map<string, number>;
  ignoreRange: boolean;
  /** Bytes served instead of the real file (same size: only the hash can tell). */
  damaged: Map<string, Buffer>;
  treeStatus: number;
  close(): Promise<void>;
}

export async function startFakeHub(checkpointDir: string): Promise<FakeHub> {
  const files = new Map<string, Buffer>(CHECKPOINT_FILES.map((name) => [name, readFileSync(path.join(checkpointDir, name))]));
  const held: ServerResponse[] = [];
  const hub: FakeHub = {
    url: '', files, requests: [], stallAfter: new Map(), ignoreRange: false, damaged: new Map(), treeStatus: 200,
    close: () => new Promise((resolve) => { for (const r of held) r.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    hub.requests.push({ path: url.pathname, range: req.headers.range });
    if (url.pathname === `/api/models/${CHECKPOINT_REPO}/tree/main`) {
      if (hub.treeStatus !== 200) return void res.writeHead(hub.treeStatus).end();
      // Like the Hub: small files in git (size only), large ones in LFS (oid = SHA-256).
      const entries = [...files].map(([name, data]) => name === 'params.json'
        ? { type: 'file', path: name, size: data.length, oid: 'a'.repeat(40) }
        : { type: 'file', path: name, size: 134, oid: 'b'.repeat(40), lfs: { oid: createHash('sha256').update(data).digest('hex'), size: data.length, pointerSize: 134 } });
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ type: 'directory', path: 'docs' }, ...entries]));
    }
    const name = url.pathname.slice(`/${CHECKPOINT_REPO}/resolve/main/`.length);
    const data = hub.damaged.get(name) ?? files.get(name);
    if (!url.pathname.startsWith(`/${CHECKPOINT_REPO}/resolve/main/`) || !data) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range && !hub.ignoreRange ? Number(range[1]) : 0;
    const body = data.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, { 'content-length': body.length });
    const stall = hub.stallAfter.get(name);
    if (stall === undefined) return void res.end(body);
    res.write(body.subarray(0, Math.max(0, stall - from)));
    held.push(res); // never ends: the client cancels
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}

/**
 * Just the part of fetch the download and the update check use, over node:http: the renderer tests run in happy-dom,
 * whose fetch is a browser's (same-origin rules) where the core's would be Node's.
 */
export const nodeFetch = ((url: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) =>
  new Promise((resolve, reject) => {
    const req = get(url, { headers: init?.headers, signal: init?.signal }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const text = async () => {
        let body = '';
        for await (const chunk of res) body += chunk;
        return body;
      };
      resolve({
        ok: status >= 200 && status < 300,
        status,
        body: res,
        text,
        json: async () => JSON.parse(await text()),
      });
    });
    req.on('error', reject);
  })) as unknown as typeof fetch;
