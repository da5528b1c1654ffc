// The browser harness: serves the built renderer (dist/renderer) on 127.0.0.1 and connects it to
// a real AppCore over a WebSocket, with the same contract the preload exposes in Electron. This is
// how the app runs end to end where Electron cannot (tests in Chromium, `npm run harness`).

import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { AUDIO_FRAME_MAX_SAMPLES } from '../common/ipc-contract';
import { check } from '../common/validate';
import { AppCore, type AppCoreOptions } from '../core/app/app-core';
import { CONTENT_SECURITY_POLICY } from '../main/csp';
import { contentTypeOf, recordingIdOf, resolveStaticFile } from '../main/static-files';
import { BRIDGE_MAX_PAYLOAD_BYTES, BRIDGE_PATH, BRIDGE_SCRIPT_PATH, DROP_UPLOAD_PATH, validateClientMessage, type ServerMessage } from './bridge-protocol';
import { DropUploads } from './drop-upload';

export interface HarnessOptions extends AppCoreOptions {
  /** The built renderer (vite build output). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
}

export interface Harness {
  url: string;
  core: AppCore;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const core = await AppCore.create(options);
  const bridgeScript = await bundleBridgeClient();
  const rendererDir = path.resolve(options.rendererDir);

  let drops: DropUploads | null = null; // made once the origin (port) is known
  const http = createServer((req, res) => {
    const upload = new URL(req.url ?? '/', 'http://127.0.0.1').pathname === DROP_UPLOAD_PATH;
    const handled = upload && drops ? drops.handle(req, res) : serve(req, res, rendererDir, bridgeScript, core);
    void handled.catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MAX_PAYLOAD_BYTES });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  drops = await DropUploads.create(origin);

  http.on('upgrade', (req, socket, head) => {
    // Only the harness page itself may drive the core; other sites in the same browser may not.
    if (req.url !== BRIDGE_PATH || req.headers.origin !== origin) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => bridge(ws, core));
  });

  return {
    url: `${origin}/`,
    core,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await core.close();
      await drops?.close();
    },
  };
}

/** One page connection: calls in, results and events out, audio frames in. */
function bridge(ws: WebSocket, core: AppCore): void {
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = core.onEvent((event) => send({ t: 'event', event }));
  let seq = 0;
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      if (bytes.byteLength % 4 !== 0 || bytes.byteLength > AUDIO_FRAME_MAX_SAMPLES * 4) return;
      const samples = new Float32Array(bytes.byteLength / 4);
      Buffer.from(samples.buffer).set(bytes); // copy: ws may reuse its buffer
      core.acceptAudio({ type: 'frame', seq: seq++, samples });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return;
    }
    const message = check(validateClientMessage, parsed);
    if (!message.ok) {
      const id = (parsed as { id?: unknown })?.id;
      if (typeof id === 'number') send({ t: 'result', id, result: { ok: false, error: { code: 'invalid-request', message: message.message } } });
      return;
    }
    if (message.value.t === 'audio-end') core.acceptAudio({ type: 'end' });
    else {
      const { id, name, request } = message.value;
      void core.call(name, request).then((result) => send({ t: 'result', id, result }));
    }
  });
  ws.on('close', unsubscribe);
}

async function serve(req: IncomingMessage, res: ServerResponse, rendererDir: string, bridgeScript: string, core: AppCore): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (url.pathname === BRIDGE_SCRIPT_PATH) {
    res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf('bridge.js') }).end(bridgeScript);
    return;
  }
  const recording = recordingIdOf(url.pathname);
  const file = recording ? core.recordingFile(recording) : resolveStaticFile(rendererDir, url.pathname);
  if (!file) {
    res.writeHead(404, headers).end();
    return;
  }
  let body: Buffer | string;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, headers).end();
    return;
  }
  if (path.basename(file) === 'index.html') body = injectBridge(body.toString('utf8'));
  res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(file) }).end(body);
}

/** The bridge is a classic script placed before the renderer's module script, so it runs first. */
function injectBridge(html: string): string {
  const tag = `<script src="${BRIDGE_SCRIPT_PATH}"></script>`;
  return html.includes('</title>') ? html.replace('</title>', `</title>\n    ${tag}`) : html.replace('<head>', `<head>\n    ${tag}`);
}

async function bundleBridgeClient(): Promise<string> {
  const result = await build({
    entryPoints: [bridgeClientEntry()],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The bridge client's source: next to this file (tests), or in the repository above the bundle. */
function bridgeClientEntry(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'bridge-client.ts'), path.join(dir, 'electron', 'harness', 'bridge-client.ts')]) {
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error('electron/harness/bridge-client.ts not found above ' + __dirname);
  }
}
