import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../../../electron/harness/server';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();
let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start() {
  const dir = await tempDir();
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><head><title>t</title><script type="module" src="./app.js"></script></head>');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
  harness = await startHarness({ rendererDir, configDir: path.join(dir, 'config'), log: () => undefined });
  return harness;
}

function connect(h: Harness, origin = h.url.replace(/\/$/, '')) {
  const ws = new WebSocket(`${h.url.replace('http', 'ws')}__harness/ws`, { origin });
  const messages: any[] = [];
  ws.on('message', (data, binary) => { if (!binary) messages.push(JSON.parse(data.toString())); });
  const opened = new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return { ws, messages, opened };
}

describe('harness server', () => {
  it('injects the bridge before the renderer and serves it with the CSP', async () => {
    const h = await start();
    const page = await fetch(h.url);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html.indexOf('/__harness/bridge.js')).toBeGreaterThan(-1);
    expect(html.indexOf('/__harness/bridge.js')).toBeLessThan(html.indexOf('./app.js'));
    const bridge = await fetch(`${h.url}__harness/bridge.js`);
    expect(await bridge.text()).toContain('voxtral');
  });

  it('serves nothing outside the renderer folder and refuses writes', async () => {
    const h = await start();
    for (const p of ['../secret.txt', '..%2fsecret.txt', '%2e%2e/secret.txt', 'missing.js']) {
      expect((await fetch(`${h.url}${p}`)).status, p).toBe(404);
    }
    expect((await fetch(h.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('answers calls over the socket, and survives garbage', async () => {
    const h = await start();
    const { ws, messages, opened } = connect(h);
    await opened;
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'call', id: 1, name: 'dropDatabase' }));
    ws.send(JSON.stringify({ t: 'call', id: 2, name: 'updateSettings', request: { insertion: { mode: 'type' } } }));
    ws.send(Buffer.alloc(7)); // not whole float32 samples
    ws.send(JSON.stringify({ t: 'call', id: 3, name: 'getSettings' }));
    await expect.poll(() => messages.filter((m) => m.t === 'result').length).toBe(3);
    const results = Object.fromEntries(messages.filter((m) => m.t === 'result').map((m) => [m.id, m.result]));
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringContaining('dropDatabase') } });
    expect(results[2]).toMatchObject({ ok: true, value: { insertion: { mode: 'type' } } });
    expect(results[3]).toMatchObject({ ok: true, value: { insertion: { mode: 'type' } } });
    expect(messages).toContainEqual({ t: 'event', event: { name: 'settings', payload: expect.objectContaining({ insertion: { mode: 'type' } }) } });
    ws.close();
  });

  it('refuses sockets from other origins', async () => {
    const h = await start();
    const { opened } = connect(h, 'http://evil.example');
    await expect(opened).rejects.toThrow(/403/);
  });
});
