// Live dictation end to end, nothing faked but the microphone: Debian Chromium plays an espeak-ng
// WAV as its fake microphone; the real renderer captures it in the AudioWorklet (device rate →
// 16 kHz, 80 ms frames), sends it over the harness bridge to the real AppCore, whose dictation
// controller runs the real native engine on CPU with a tiny packed model; partial transcripts come
// back and are rendered. Proof that no audio is lost, duplicated or reordered on the way: the ids
// the page received equal what `npx voxtral transcribe --json` gives for exactly the audio the core
// received, and that audio matches what the browser delivered to the app's audio graph (a tap on
// the same source node, source-tap.ts) and, unless the browser itself lost some, the source file
// (aligned SNR, threshold below).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../../native-models/js/audio/load-audio';
import { StreamingResampler } from '../../native-models/js/audio/streaming-resampler';
import { concat } from '../unit/vad/speech-audio';
import { alignedSnrDb, writeFloatWav } from './audio-compare';
import { pageTokenIds, receivedSampleCount, repo, run, startLiveSession, type LiveSession } from './live-session';
import { installSourceTap, readSourceTap } from './source-tap';

const SPOKEN = 'Hello, this is a live dictation test. The quick brown fox jumps over the lazy dog.';
/**
 * Received audio vs the source after both resamplings (Chromium's file → device rate, ours → 16 kHz;
 * the reference is the engine's resampler straight to 16 kHz), aligned to a fraction of a sample,
 * from 100 ms in: measured 43–79 dB here (79 when the start offset is a whole 16 kHz sample; the
 * fractional re-alignment limits the rest). One lost, repeated or reordered 80 ms frame misaligns
 * everything after it: about 0 dB from there on, the whole well under 20 dB.
 */
const MIN_SNR_DB = 35;
const LEADING_SILENCE_S = 4;

let live: LiveSession;
let page: Page;

beforeAll(async () => {
  live = await startLiveSession({ spoken: SPOKEN, leadingSilenceS: LEADING_SILENCE_S, beforeLoad: installSourceTap });
  page = live.page;
}, 120_000);

afterAll(async () => {
  await live?.close();
});

const receivedSamples = () => receivedSampleCount(live.received);

describe('live dictation through the browser harness on the real engine', () => {
  it('shows the transcript token by token; ids equal `voxtral transcribe --json` on the audio the core received', async () => {
    // The file straight to 16 kHz mono by the engine's resampler (what `voxtral transcribe` reads).
    const sourceAt16k = readWavFile(live.speechWav).samples;
    await expect.poll(() => page.getByTestId('dictation-state').textContent()).toBe('Ready');

    // The level meter's highest reading over the whole dictation, kept by the page itself: a poll
    // started after the first words can land in the trailing silence when the machine is slow.
    // (The meter is mounted only while listening: the whole page is watched.)
    await page.evaluate(() => {
      const w = window as unknown as { levelMax: number };
      w.levelMax = 0;
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as Element;
          if (el.getAttribute('data-testid') === 'level-meter') w.levelMax = Math.max(w.levelMax, Number(el.getAttribute('aria-valuenow')));
        }
      }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['aria-valuenow'] });
    });
    await page.getByRole('button', { name: 'Start dictation' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Listening');
    // Partial text appears while the speech is still playing.
    await expect.poll(async () => (await pageTokenIds(page)).length, { timeout: 20_000 }).toBeGreaterThan(5);
    const whileSpeaking = receivedSamples();
    expect(whileSpeaking).toBeLessThan(sourceAt16k.length);
    // Let the whole file play, plus half a second.
    await expect.poll(receivedSamples, { timeout: 30_000, interval: 100 }).toBeGreaterThan(sourceAt16k.length + 8000);
    // The level meter moved with the voice (the core's level event, painted without React).
    expect(await page.evaluate(() => (window as unknown as { levelMax: number }).levelMax)).toBeGreaterThan(30);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Ready');

    // Every frame the core got was a whole 80 ms frame.
    const received = live.received;
    expect(received.every((f) => f.length === 1280)).toBe(true);
    const heard = concat(received);
    const heardWav = path.join(live.scratch, 'heard.wav');
    writeFileSync(heardWav, writeFloatWav(heard, 16_000));

    const { stdout } = await run('npx', ['voxtral', 'transcribe', '--json', '--model', live.tiny.pte, '--data', live.tiny.ptd, '--backend', 'cpu', '--dtype', 'fp32', heardWav], { cwd: repo });
    const cli = JSON.parse(stdout) as { text: string; tokens: number[] };
    const pageIds = await pageTokenIds(page);
    expect(cli.tokens.length).toBeGreaterThan(40);
    expect(pageIds).toEqual(cli.tokens);
    const shown = await page.getByTestId('transcript').textContent();
    expect(shown).toBe(cli.text.trimStart());
    expect(shown!.length).toBeGreaterThan(10);

    // The audio itself. First what the app owns: the core received what the browser delivered to
    // the capture graph (the tap, resampled as the capture worklet does), nothing lost, repeated
    // or reordered; the tap covers the whole dictation (it ran from the graph's start).
    const segments = await readSourceTap(page);
    expect(segments.length).toBeGreaterThan(0);
    const delivered = segments[segments.length - 1];
    const deliveredAt16k = new StreamingResampler(delivered.rate, 16_000).process(delivered.samples);
    expect(deliveredAt16k.length).toBeGreaterThan(heard.length);
    const ours = alignedSnrDb(deliveredAt16k, heard, deliveredAt16k.length - heard.length + 16_000);
    console.log(`received audio vs delivered to the graph: SNR ${ours.snrDb.toFixed(1)} dB, lag ${ours.lag} samples, gain ${ours.gain.toFixed(4)}`);
    expect(ours.gain).toBeCloseTo(1, 2);
    expect(ours.snrDb).toBeGreaterThan(MIN_SNR_DB);

    // Then the browser's part: the source, intact, after the two resamplings.
    const { snrDb, lag, gain } = alignedSnrDb(sourceAt16k, heard, LEADING_SILENCE_S * 16_000);
    console.log(`received audio vs source: SNR ${snrDb.toFixed(1)} dB, lag ${lag} samples, gain ${gain.toFixed(4)}`);
    // Speech starts LEADING_SILENCE_S into the file: none of it may be missing from what the core got.
    const speechStart = readWavFile(live.speechWav).samples.findIndex((v) => Math.abs(v) > 0.01);
    expect(speechStart).toBeGreaterThan(LEADING_SILENCE_S * 16_000 - 100);
    // Audio Chromium captured but dropped before our worklet saw it (its audio thread starved on a
    // busy 2-core CI machine) is not ours to lose: the page says so (capture-loss.ts). The browser
    // can also lose audio without counting it (suspected: its fake microphone falling behind);
    // then the tap, which saw the same stream, does not match the source either. Either way the
    // alignment to the source cannot hold, and the check above has shown the app kept everything
    // it was given.
    const dropped = (await page.locator('.notice').allTextContents()).find((t) => t.startsWith('The system dropped'));
    // ... which needs the counters capture-loss.ts reads: this Chromium has them on a microphone track.
    const counters = await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      await new Promise((r) => setTimeout(r, 300));
      const stats = (stream.getAudioTracks()[0] as unknown as { stats?: Record<string, number> }).stats;
      for (const t of stream.getTracks()) t.stop();
      return { captured: stats?.totalFramesDuration, delivered: stats?.deliveredFramesDuration };
    });
    expect(counters.captured).toBeGreaterThan(0);
    expect(counters.delivered).toBeGreaterThan(0);
    const browserIntact = alignedSnrDb(sourceAt16k, deliveredAt16k, LEADING_SILENCE_S * 16_000);
    console.log(`delivered to the graph vs source: SNR ${browserIntact.snrDb.toFixed(1)} dB, gain ${browserIntact.gain.toFixed(4)}`);
    if (dropped) {
      console.warn(`the browser dropped capture audio, so the source alignment is not checked: ${dropped}`);
    } else if (browserIntact.snrDb <= MIN_SNR_DB) {
      console.warn('what the browser delivered to the capture graph does not match the source file, so the source alignment is not checked');
    } else {
      expect(-lag).toBeLessThan(speechStart - 1600);
      expect(gain).toBeCloseTo(1, 2);
      expect(snrDb).toBeGreaterThan(MIN_SNR_DB);
    }

    // The dictation is in history with its text.
    const page1 = await live.harness.core.call('listHistory', { offset: 0, limit: 5 });
    expect(page1).toMatchObject({ ok: true, value: { entries: [{ text: shown, source: 'mic', status: 'done', backend: 'cpu', dtype: 'fp32', model: 'model.pte' }] } });
    expect(live.problems).toEqual([]);
    if (process.env.VXD_SCREENSHOTS) {
      await page.screenshot({ path: path.join(repo, 'docs', 'screenshots', 'dictation-final.png') });
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Check model' }).click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(repo, 'docs', 'screenshots', 'settings-model.png'), fullPage: true });
    }
  }, 120_000);
});
