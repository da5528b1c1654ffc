// Sets up a live dictation end to end for the e2e test and the latency benchmark: a tiny packed
// model, an espeak-ng WAV (with leading silence) as Chromium's fake microphone, the built renderer
// served by the harness, the real AppCore with the native dictation controller, and a page that
// records every token id it receives. Nothing is faked but the microphone.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { NativeModelService } from '../../electron/core/app/native-model-service';
import { createNativeDictation } from '../../electron/core/dictation';
import { startHarness, type Harness } from '../../electron/harness/server';
import { packTinyModel, type TinyModel } from '../unit/dictation/tiny-model';

export const run = promisify(execFile);
export const repo = path.resolve(import.meta.dirname, '..', '..');

export interface LiveSession {
  scratch: string;
  tiny: TinyModel;
  /** The fake microphone's file (leading silence + speech). */
  speechWav: string;
  harness: Harness;
  browser: Browser;
  page: Page;
  /** Every frame the core pushed to the engine session, in order. */
  received: Float32Array[];
  /** Console errors and page errors. */
  problems: string[];
  close(): Promise<void>;
}

export interface LiveSessionOptions {
  spoken: string;
  leadingSilenceS: number;
  /** Runs in the page before the app (instrumentation). */
  initScript?: () => void;
  /** Prepares the page before it loads the app built into `rendererDir` (extra files, init scripts with arguments). */
  beforeLoad?: (page: Page, rendererDir: string) => Promise<void>;
  /** Leave the model unchosen, so the app runs its embedded demo model (default: a tiny random model). */
  demoModel?: boolean;
  /** espeak-ng voice and words per minute (default en-us, 165). */
  voice?: string;
  speed?: number;
}

export async function startLiveSession(options: LiveSessionOptions): Promise<LiveSession> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'vxd-live-'));
  const tiny = packTinyModel();
  const speechWav = path.join(scratch, 'speech.wav');
  // The microphone is warm from page load on, and Chromium's fake one plays the file from then:
  // leading silence gives time to press Start before the speech begins.
  const rawSpeech = path.join(scratch, 'speech-raw.wav');
  await run('espeak-ng', ['-v', options.voice ?? 'en-us', '-s', String(options.speed ?? 165), '-w', rawSpeech, options.spoken]);
  await run('sox', [rawSpeech, speechWav, 'pad', String(options.leadingSilenceS), '0']);
  const rendererDir = path.join(scratch, 'renderer');
  await build({ configFile: path.join(repo, 'renderer', 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  const received: Float32Array[] = [];
  const harness = await startHarness({
    rendererDir, configDir: path.join(scratch, 'config'), log: () => undefined, models: new NativeModelService(),
    createDictation: (deps) => createNativeDictation(deps, { audioTap: (frame) => received.push(frame.slice()) }),
  });
  const model = options.demoModel ? { pte: null, ptd: null } : { pte: tiny.pte, ptd: tiny.ptd };
  await harness.core.settings.update({ model, engine: { backend: 'cpu', dtype: 'fp32', threads: 0 } });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${speechWav}%noloop`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  if (options.initScript) await page.addInitScript(options.initScript);
  if (options.beforeLoad) await options.beforeLoad(page, rendererDir);
  await page.goto(harness.url);
  // Every token id the page receives, in order.
  await page.evaluate(() => {
    const w = window as unknown as { voxtral: { on: { partial(l: (p: { tokenIds: number[] }) => void): void } }; receivedIds: number[] };
    w.receivedIds = [];
    w.voxtral.on.partial((p) => { w.receivedIds.push(...p.tokenIds); });
  });
  return {
    scratch, tiny, speechWav, harness, browser, page, received, problems,
    async close() {
      await browser.close();
      await harness.close();
      tiny.remove();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

export const receivedSampleCount = (received: Float32Array[]) => received.reduce((n, f) => n + f.length, 0);

export function pageTokenIds(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { receivedIds: number[] }).receivedIds);
}
