import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ protocol: {} }));
const { resolveAppFile, respondWithAppFile } = await import('../../../electron/main/app-protocol');
const { CONTENT_SECURITY_POLICY } = await import('../../../electron/main/csp');

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'vxd-proto-'));
  await mkdir(path.join(root, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(path.join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(root, 'secret.txt'), 'do not serve');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('serves files from the renderer folder with the CSP and a content type', async () => {
    const dir = path.join(root, 'renderer');
    const page = await respondWithAppFile(dir, 'app://voxtral/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>x</title>');
    const script = await respondWithAppFile(dir, 'app://voxtral/assets/app.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('never serves anything outside the renderer folder or for another host', async () => {
    const dir = path.join(root, 'renderer');
    for (const url of [
      'app://voxtral/../secret.txt', 'app://voxtral/%2e%2e/secret.txt', 'app://voxtral/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://other/index.html', 'https://voxtral/index.html', 'app://voxtral/%00', 'app://voxtral/%E0%A4%A', 'not a url',
    ]) {
      const file = resolveAppFile(dir, url);
      expect(file === null || file.startsWith(dir + path.sep), url).toBe(true);
      expect((await respondWithAppFile(dir, url)).status === 404 || file !== null, url).toBe(true);
    }
    expect(resolveAppFile(dir, 'app://voxtral/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
    expect((await respondWithAppFile(dir, 'app://voxtral/missing.js')).status).toBe(404);
  });
});

describe('app:// recordings', () => {
  it('serves a history entry\'s recording by its id only, and nothing else under recordings/', async () => {
    const dir = path.join(root, 'renderer');
    const id = '0b8e2f55-2d0c-4a8e-9c39-5b7e3a0c1d2e';
    const wav = path.join(root, 'kept.wav');
    await writeFile(wav, Buffer.from('RIFF....WAVE'));
    const asked: string[] = [];
    const lookup = (wanted: string) => { asked.push(wanted); return wanted === id ? wav : null; };
    const ok = await respondWithAppFile(dir, `app://voxtral/recordings/${id}.wav`, lookup);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('audio/wav');
    expect(await ok.text()).toBe('RIFF....WAVE');
    for (const url of [
      'app://voxtral/recordings/0b8e2f55-2d0c-4a8e-9c39-5b7e3a0c1d2f.wav', // no such entry
      'app://voxtral/recordings/..%2fsecret.txt', 'app://voxtral/recordings/../secret.txt', `app://voxtral/recordings/${id}.wav.txt`,
      `app://other/recordings/${id}.wav`, 'app://voxtral/recordings/',
    ]) expect((await respondWithAppFile(dir, url, lookup)).status, url).toBe(404);
    // Only id-shaped names reach the lookup.
    expect(asked).toEqual([id, '0b8e2f55-2d0c-4a8e-9c39-5b7e3a0c1d2f']);
  });
});

describe('CSP in renderer/index.html', () => {
  it('matches the policy main sends as a header', async () => {
    const { META_CONTENT_SECURITY_POLICY } = await import('../../../electron/main/csp');
    const html = await readFile(path.join(import.meta.dirname, '..', '..', '..', 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(META_CONTENT_SECURITY_POLICY);
    expect(META_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(META_CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors');
  });
});

describe('every renderer page', () => {
  it('carries a strict CSP meta and no inline script', async () => {
    const { readdir } = await import('node:fs/promises');
    const rendererDir = path.join(import.meta.dirname, '..', '..', '..', 'renderer');
    const pages = (await readdir(rendererDir, { recursive: true }))
      .filter((f) => f.endsWith('.html') && !f.split(path.sep).includes('node_modules'));
    expect(pages).toContain('index.html');
    for (const page of pages) {
      const html = await readFile(path.join(rendererDir, page), 'utf8');
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(csp, page).toContain("script-src 'self'");
      expect(csp, page).toContain("object-src 'none'");
      expect(csp, page).not.toMatch(/unsafe|\*/);
      expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g), `${page} has an inline script`).toBeNull();
    }
  });
});
