// Settings' microphone test in Chromium through the harness, with the fake microphone fed from a
// WAV: speech moves the meter and says it is heard; a silent input says nothing is heard; a saved
// microphone that is not connected says so; Stop releases the device.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavHeader } from '../../electron/core/history/recording-store';
import { startHarness, type Harness } from '../../electron/harness/server';

const repo = path.resolve(import.meta.dirname, '..', '..');
let scratch = '';
let rendererDir = '';
const opened: { harness: Harness; browser: Browser }[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'vxd-mictest-'));
  rendererDir = path.join(scratch, 'renderer');
  await build({ configFile: path.join(repo, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  await writeFile(path.join(scratch, 'silence.wav'), Buffer.concat([wavHeader(16000 * 5), Buffer.alloc(16000 * 5 * 2)]));
}, 120_000);

afterAll(async () => {
  for (const { harness, browser } of opened) {
    await browser.close();
    await harness.close();
  }
  await rm(scratch, { recursive: true, force: true });
});

/** The app in a Chromium whose fake microphone plays `wav` in a loop; on the Settings view. */
async function settingsWithMicrophone(wav: string, name: string): Promise<Page> {
  const harness = await startHarness({ rendererDir, configDir: path.join(scratch, name), log: () => undefined });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required'],
  });
  opened.push({ harness, browser });
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  // Every stream the page opens, to see which are still live.
  await page.addInitScript(() => {
    const streams: MediaStream[] = [];
    (window as unknown as { openedStreams: MediaStream[] }).openedStreams = streams;
    const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => { const s = await open(c); streams.push(s); return s; };
  });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(harness.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Test microphone' }).count()).toBe(1);
  expect(problems).toEqual([]);
  return page;
}

/** How many streams the page has opened, and how many of those from `from` on still have a live track. */
const streams = (page: Page, from = 0) => page.evaluate((from) => {
  const all = (window as unknown as { openedStreams: MediaStream[] }).openedStreams;
  return { opened: all.length, live: all.slice(from).filter((s) => s.getTracks().some((t) => t.readyState === 'live')).length };
}, from);
const level = (page: Page) => page.getByTestId('mic-test-level').getAttribute('aria-valuenow').then(Number);
const status = (page: Page) => page.getByTestId('mic-test-status').textContent();

describe('Settings → Microphone → Test microphone', () => {
  it('moves the meter with speech and says the microphone hears you; Stop releases it', async () => {
    const page = await settingsWithMicrophone(path.join(repo, 'test/fixtures/audio/hello-dictation-16k.wav'), 'speech');
    const before = (await streams(page)).opened;
    await page.getByRole('button', { name: 'Test microphone' }).click();
    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(/hears you: the bar follows your voice/);
    // Speech is well above the silent floor: the bar is past a third at some point.
    let loudest = 0;
    for (let i = 0; i < 40 && loudest < 40; i++) {
      loudest = Math.max(loudest, await level(page));
      await page.waitForTimeout(50);
    }
    expect(loudest).toBeGreaterThanOrEqual(40);
    if (process.env.VXD_SCREENSHOTS) await page.getByTestId('mic-test').screenshot({ path: path.join(repo, 'docs', 'screenshots', 'settings-mic-test.png') });
    expect(await streams(page, before)).toEqual({ opened: before + 1, live: 1 });
    await page.getByRole('button', { name: 'Stop test' }).click();
    await expect.poll(() => page.getByTestId('mic-test-level').count()).toBe(0);
    // The test's own stream is released (the dictation's capture keeps its own, by its setting).
    await expect.poll(() => streams(page, before)).toEqual({ opened: before + 1, live: 0 });
  });

  it('says nothing is heard when the input stays silent, and that a saved microphone is not connected', async () => {
    const page = await settingsWithMicrophone(path.join(scratch, 'silence.wav'), 'silence');
    await page.getByRole('button', { name: 'Test microphone' }).click();
    await expect.poll(() => page.getByTestId('mic-test-status').count()).toBe(1);
    expect(await status(page)).toBe('Speak: the bar should follow your voice.');
    await expect.poll(() => status(page), { timeout: 10_000 }).toMatch(/^Nothing is heard from .*: check that it is not muted/);
    expect(await level(page)).toBe(0);
    await page.getByRole('button', { name: 'Stop test' }).click();

    // A microphone chosen earlier and unplugged since.
    const harness = opened.at(-1)!.harness;
    await harness.core.call('updateSettings', { microphone: { deviceId: 'a-usb-microphone-that-is-gone' } });
    await expect.poll(() => page.getByLabel('Input device').inputValue()).toBe('a-usb-microphone-that-is-gone');
    await page.getByRole('button', { name: 'Test microphone' }).click();
    await expect.poll(() => page.getByTestId('mic-test').getByRole('alert').textContent()).toBe('This microphone is not connected: plug it in, or choose another.');
  });
});
