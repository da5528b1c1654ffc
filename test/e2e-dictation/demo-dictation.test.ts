// The embedded demo model end to end: with no model chosen, the app dictates with the demo model
// (native-models/models/demo, trained on synthetic espeak-ng speech; docs/training.md), and the
// spoken sentence — an espeak-ng voice, through Chromium's fake microphone, the AudioWorklet, the
// harness bridge and the real engine on CPU — appears on screen as words.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDemoModel } from '../../electron/core/models/demo-model';
import { receivedSampleCount, startLiveSession, type LiveSession } from './live-session';

// A sentence held out of training (native-models/train/corpus.py), in a voice the model was trained on.
const SPOKEN = 'Can you check the new invoice tomorrow?';
const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

let live: LiveSession;
let page: Page;

beforeAll(async () => {
  live = await startLiveSession({ spoken: SPOKEN, leadingSilenceS: 3, demoModel: true, voice: 'en', speed: 175 });
  page = live.page;
}, 120_000);

afterAll(async () => {
  await live?.close();
});

describe('the embedded demo model', () => {
  it('is found in the checkout', () => {
    expect(findDemoModel()?.pte).toMatch(/native-models[\\/]models[\\/]demo[\\/]model\.pte$/);
  });

  it('is used when no model is chosen, and the spoken sentence appears on screen as text', async () => {
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 30_000 }).toBe('Ready');
    await page.getByRole('button', { name: 'Start dictation' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Listening');
    // The whole file (3 s of silence, then the sentence), plus half a second.
    await expect.poll(() => receivedSampleCount(live.received), { timeout: 30_000, interval: 100 }).toBeGreaterThan(16_000 * 6);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Ready');

    const shown = (await page.getByTestId('transcript').textContent()) ?? '';
    console.log(`demo model heard: ${JSON.stringify(shown)}`);
    expect(words(shown)).toEqual(words(SPOKEN));
  });
});
