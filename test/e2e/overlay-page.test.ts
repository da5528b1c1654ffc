// The overlay page as built (second Vite entry), in Debian Chromium, under the app's strict CSP,
// following a dictation through the same core events the Electron overlay window receives
// (served by the browser harness, whose bridge stands in for the preload).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DictationStatus } from '../../electron/common/ipc-contract';
import type { DictationEvent } from '../../electron/core/app/services';
import { UnavailableDictationService } from '../../electron/core/app/unavailable-services';
import { startHarness, type Harness } from '../../electron/harness/server';

const repo = path.resolve(import.meta.dirname, '..', '..');

/** Emits the events a dictation controller would, when the test says so. */
class ScriptedDictation extends UnavailableDictationService {
  private emit: (event: DictationEvent) => void = () => undefined;
  private current: DictationStatus = { state: 'idle', since: Date.now(), sessionId: null, source: null, error: null };
  constructor() { super(() => { throw new Error('settings are not used here'); }); }
  override status() { return this.current; }
  override onEvent(listener: (event: DictationEvent) => void) { this.emit = listener; return () => undefined; }
  state(state: DictationStatus['state'], message?: string) {
    this.current = { state, since: Date.now(), sessionId: 'd1', source: 'mic', error: message ? { code: 'engine', message } : null };
    this.emit({ name: 'state', payload: this.current });
  }
  partial(text: string) { this.emit({ name: 'partial', payload: { sessionId: 'd1', appended: text, text, tokenIds: [] } }); }
  speech(speaking: boolean) { this.emit({ name: 'speech', payload: { sessionId: 'd1', speaking } }); }
}

let scratch = '';
let harness: Harness;
let browser: Browser;
let page: Page;
const dictation = new ScriptedDictation();
const problems: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'vxd-overlay-'));
  const rendererDir = path.join(scratch, 'renderer');
  await build({ configFile: path.join(repo, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  harness = await startHarness({ rendererDir, configDir: path.join(scratch, 'config'), createDictation: () => dictation, log: () => undefined });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(new URL('overlay/index.html', harness.url).href);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const pill = () => page.locator('.overlay');

describe('overlay page in Chromium', () => {
  it('shows nothing while idle and loads under the CSP without errors', async () => {
    await page.waitForLoadState('networkidle');
    expect(await pill().count()).toBe(0);
    expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content')))
      .toContain("script-src 'self'");
    expect(problems).toEqual([]);
  });

  it('follows a dictation: loading, listening with live text and speech, finishing, then gone', async () => {
    dictation.state('loading');
    await expect.poll(() => pill().textContent()).toContain('Loading model');
    dictation.state('listening');
    dictation.partial(' Hello from the overlay');
    dictation.speech(true);
    await expect.poll(() => pill().textContent()).toContain('Hello from the overlay');
    expect(await pill().textContent()).toContain('Listening');
    await expect.poll(() => pill().getAttribute('class')).toContain('overlay--speaking');
    dictation.state('finishing');
    await expect.poll(() => pill().textContent()).toContain('Finishing');
    dictation.state('idle');
    await expect.poll(() => pill().count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows a notice about the running dictation in place of the text, then the text again', async () => {
    dictation.state('listening');
    dictation.partial(' Some words');
    await expect.poll(() => pill().textContent()).toContain('Some words');
    harness.core.notify({ kind: 'info', message: 'Transcription is 4 s behind your voice' });
    await expect.poll(() => page.locator('.overlay__text--notice').textContent()).toBe('Transcription is 4 s behind your voice');
    expect(await pill().textContent()).not.toContain('Some words');
    await expect.poll(() => pill().textContent(), { timeout: 10_000 }).toContain('Some words'); // after NOTICE_MS
    expect(await page.locator('.overlay__text--notice').count()).toBe(0);
    dictation.state('idle');
    await expect.poll(() => pill().count()).toBe(0);
  });

  it('hints that Escape cancels once the core says the global hotkey works', async () => {
    dictation.state('listening');
    await expect.poll(() => pill().textContent()).toContain('Listening');
    expect(await page.getByLabel('Escape cancels').count()).toBe(0); // the harness has no hotkey
    harness.core.setDesktopStatus({ hotkey: { accelerator: 'F9', label: 'F9', works: true, holdToTalk: true, message: null, conflicts: [], pasteLast: null }, insertion: null });
    await expect.poll(() => page.getByLabel('Escape cancels').count()).toBe(1);
    dictation.state('idle');
    await expect.poll(() => pill().count()).toBe(0);
  });

  it('shows an error in words', async () => {
    dictation.state('listening');
    dictation.state('error', 'The engine ran out of GPU memory');
    await expect.poll(() => pill().textContent()).toContain('The engine ran out of GPU memory');
    dictation.state('idle');
    await expect.poll(() => pill().count()).toBe(0);
  });
});
