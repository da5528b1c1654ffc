// Settings → Microphone → "Keep it open" through the whole app, nothing faked but the microphone:
// the page's own getUserMedia tracks show when the real renderer holds the device. Open from page
// load by default; "Only while dictating" closes it at once, a dictation opens it cold (the core
// still gets its audio) and it is closed again when the dictation ends, so the system's
// microphone indicator is off between dictations.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivedSampleCount, startLiveSession, type LiveSession } from './live-session';

let live: LiveSession;
let page: Page;

beforeAll(async () => {
  live = await startLiveSession({
    spoken: 'Testing the microphone, one two three.',
    leadingSilenceS: 1,
    // Every microphone track the page opens, to read its state (live or ended) from the test.
    initScript: () => {
      const w = window as unknown as { micTracks: MediaStreamTrack[] };
      w.micTracks = [];
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        w.micTracks.push(...stream.getAudioTracks());
        return stream;
      };
    },
  });
  page = live.page;
}, 120_000);

afterAll(async () => {
  await live?.close();
});

/** Tracks the page opened, and how many of them are still live. */
const tracks = () => page.evaluate(() => {
  const all = (window as unknown as { micTracks: MediaStreamTrack[] }).micTracks;
  return { opened: all.length, live: all.filter((t) => t.readyState === 'live').length };
});

describe('when the microphone is open', () => {
  it('open from load by default; "only while dictating" closes it, opens it for a dictation, closes it after', async () => {
    const core = live.harness.core;
    await expect.poll(() => page.getByTestId('dictation-state').textContent()).toBe('Ready');
    await expect.poll(tracks, { timeout: 10_000 }).toMatchObject({ live: 1 }); // 'always': warm at once
    await core.settings.update({ microphone: { keepOpen: 'dictating' } });
    await expect.poll(tracks, { timeout: 10_000 }).toMatchObject({ live: 0 });
    const opened = (await tracks()).opened;

    const before = receivedSampleCount(live.received);
    await page.getByRole('button', { name: 'Start dictation' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Listening');
    await expect.poll(tracks, { timeout: 10_000 }).toEqual({ opened: opened + 1, live: 1 }); // opened cold, for this dictation
    // The core gets audio from the cold microphone: 1.5 s of it.
    await expect.poll(() => receivedSampleCount(live.received) - before, { timeout: 20_000, interval: 100 }).toBeGreaterThan(24_000);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('dictation-state').textContent(), { timeout: 20_000 }).toBe('Ready');
    await expect.poll(tracks, { timeout: 10_000 }).toEqual({ opened: opened + 1, live: 0 });
    expect((await core.history.list(0, 10)).entries.filter((e) => e.status === 'done')).toHaveLength(1);
    expect(live.problems).toEqual([]);
  }, 90_000);
});
