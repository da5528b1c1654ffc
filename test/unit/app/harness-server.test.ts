import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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
    expect(messages).toContainEqual({ t: 'event', event: { name: 'settings', payload: expect.objectContaining({ insertion: { mode: 'type', spaceBetween: true, perApp: [] } }) } });
    ws.close();
  });

  it('refuses sockets from other origins', async () => {
    const h = await start();
    const { opened } = connect(h, 'http://evil.example');
    await expect(opened).rejects.toThrow(/403/);
  });

  it('stands in for the preload’s dropped-file path: keeps a copy of a same-origin .wav upload and answers its path', async () => {
    const h = await start();
    const origin = h.url.replace(/\/$/, '');
    const upload = (name: string, body: string, from = origin) =>
      fetch(`${h.url}__harness/drop?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { origin: from } });
    const ok = await upload('talk.wav', 'RIFF bytes');
    const answer = await ok.json() as { ok: true; value: { path: string } };
    expect(answer.ok).toBe(true);
    expect(path.basename(answer.value.path)).toBe('talk.wav');
    expect(await readFile(answer.value.path, 'utf8')).toBe('RIFF bytes');
    // A name with folders keeps only its last part, inside the harness's own folder.
    const nested = await (await upload('../../evil/x.wav', 'x')).json() as { value: { path: string } };
    expect(path.dirname(path.dirname(nested.value.path))).toBe(path.dirname(path.dirname(answer.value.path)));
    expect((await upload('notes.txt', 'x')).status).toBe(400);
    expect(await (await upload('.wav', 'x')).json()).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((await upload('talk.wav', 'x', 'https://evil.example')).status).toBe(403);
    expect((await fetch(`${h.url}__harness/drop?name=a.wav`)).status).toBe(405);
    await h.close();
    harness = null;
    await expect(stat(answer.value.path)).rejects.toThrow(); // the copies go with the harness
  });
});
