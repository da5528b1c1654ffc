// The sound cues as Chromium's Web Audio renders them (renderer/src/audio/sound-cues.ts, bundled
// as the app bundles it, run in a blank page on an OfflineAudioContext): each tone at its pitch and
// time, under the peak gain, and silence before, between and after (ramps, so no click).

import { build } from 'esbuild';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUE_GAIN, CUE_TONES, type Cue } from '../../renderer/src/audio/sound-cues';

const RATE = 48_000;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [path.resolve(__dirname, '../../renderer/src/audio/sound-cues.ts')],
    bundle: true, write: false, format: 'iife', globalName: 'soundCues', platform: 'browser', logLevel: 'warning',
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setContent('<title>cues</title>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** The cue rendered at RATE from t = 0 (playCue starts 10 ms in), as plain samples. */
async function render(cue: Cue): Promise<number[]> {
  return page.evaluate(async ({ cue, rate }) => {
    const ctx = new OfflineAudioContext(1, Math.round(rate * 0.4), rate);
    (window as unknown as { soundCues: { playCue(c: BaseAudioContext, cue: string): void } }).soundCues.playCue(ctx, cue);
    return Array.from((await ctx.startRendering()).getChannelData(0));
  }, { cue, rate: RATE });
}

/** Peak and the frequency from zero crossings over [fromMs, toMs). */
function measure(samples: number[], fromMs: number, toMs: number) {
  const part = samples.slice(Math.round((fromMs / 1000) * RATE), Math.round((toMs / 1000) * RATE));
  let crossings = 0;
  for (let i = 1; i < part.length; i++) if ((part[i - 1] < 0) !== (part[i] < 0)) crossings += 1;
  return { peak: Math.max(...part.map(Math.abs)), hz: crossings / 2 / (part.length / RATE) };
}

describe('sound cues in Chromium', () => {
  for (const cue of Object.keys(CUE_TONES) as Cue[]) {
    it(`${cue}: each tone at its pitch and time, soft, with silence around it`, async () => {
      const samples = await render(cue);
      const tones = CUE_TONES[cue];
      const start = 10; // ms: playCue's lead
      expect(measure(samples, 0, start - 1).peak).toBe(0);
      for (const [i, tone] of tones.entries()) {
        // The tone's middle, clear of its 5 ms ramps.
        const body = measure(samples, start + tone.atMs + 8, start + tone.atMs + tone.ms - 8);
        expect(body.peak).toBeGreaterThan(CUE_GAIN * 0.9);
        expect(body.peak).toBeLessThanOrEqual(CUE_GAIN * 1.001);
        expect(Math.abs(body.hz - tone.hz) / tone.hz, `tone ${i} at ${body.hz.toFixed(0)} Hz`).toBeLessThan(0.03);
        const next = tones[i + 1];
        if (next && next.atMs > tone.atMs + tone.ms + 2) {
          expect(measure(samples, start + tone.atMs + tone.ms + 0.5, start + next.atMs - 0.5).peak).toBeLessThan(1e-6); // the gap is silent
        }
      }
      const last = tones.at(-1)!;
      expect(measure(samples, start + last.atMs + last.ms + 0.5, 400).peak).toBeLessThan(1e-6); // silent after
      // The ends ramp: the first and last millisecond of each tone stay far under the peak.
      for (const tone of tones) {
        expect(measure(samples, start + tone.atMs, start + tone.atMs + 1).peak).toBeLessThan(CUE_GAIN * 0.3);
        expect(measure(samples, start + tone.atMs + tone.ms - 1, start + tone.atMs + tone.ms).peak).toBeLessThan(CUE_GAIN * 0.3);
      }
    });
  }
});
