// The proof: espeak-ng speech followed by sox-made silence, fed as 80 ms frames through the
// real Silero model. Auto-stop lands within two frames of the configured silence after the voice
// ends, never in a shorter pause, and every frame reaches the engine side unchanged.
//
// Why the bound is two frames plus one VAD window: the stop can only be acted on when a frame arrives
// (up to 80 ms), Silero's probability falls 1-3 windows after the voice ends (measured 7-102 ms on
// espeak-ng speech), and the silence limit is reached inside a 32 ms window.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSileroModel } from '../../../electron/core/vad/model-path';
import { loadSileroModel, type SileroVad } from '../../../electron/core/vad/silero-model';
import type { HandsFreeConfig, VoiceActivityEvent } from '../../../electron/core/vad/types';
import { VoiceActivityDetector } from '../../../electron/core/vad/voice-activity-detector';
import { VoiceActivityMonitor, type MonitorMode } from '../../../electron/core/vad/voice-activity-monitor';
import { VAD_WINDOW_MS } from '../../../electron/core/vad/types';
import { AudioWorkshop, concat, FRAME_MS, frames, ms } from './speech-audio';

const audio = new AudioWorkshop();
let model: SileroVad;
let sentence: Float32Array;
let phrases: Float32Array[];

beforeAll(async () => {
  model = await loadSileroModel(findSileroModel()!);
  sentence = audio.speech('Please send the quarterly report to the whole team by Friday afternoon.');
  phrases = ['Dear Anna,', 'thanks for the notes from Tuesday.', 'I will reply in detail tomorrow.']
    .map((t) => audio.speech(t));
});
afterAll(async () => {
  await model?.dispose();
  audio.cleanup();
});

interface Run {
  events: VoiceActivityEvent[];
  /** Stream time (end of the last frame pushed) when each event arrived. */
  eventAtMs: number[];
  forwarded: Float32Array[];
  monitor: VoiceActivityMonitor;
}

/** Feeds frames in real-time order (each analysed before the next, as 80 ms apart in life). */
async function dictate(pcm: Float32Array, config: HandsFreeConfig, mode: MonitorMode = 'auto-stop'): Promise<Run> {
  const run: Run = { events: [], eventAtMs: [], forwarded: [], monitor: undefined! };
  let pushedMs = 0;
  run.monitor = new VoiceActivityMonitor({
    mode, config,
    analyzer: new VoiceActivityDetector(model.createStream(), config.threshold),
    forward: (f) => run.forwarded.push(f),
    onEvent: (e) => {
      run.events.push(e);
      run.eventAtMs.push(pushedMs);
      if (e.type === 'start') run.monitor.startForwarding();
    },
  });
  for (const frame of frames(pcm)) {
    pushedMs += ms(frame.length);
    run.monitor.push(frame);
    await run.monitor.whenIdle();
  }
  return run;
}

function stops(run: Run): number[] {
  return run.events.flatMap((e, i) => (e.type === 'stop' ? [run.eventAtMs[i]] : []));
}

const config = (silenceMs: number): HandsFreeConfig => ({ silenceMs, minSpeechMs: 250, threshold: 0.5 });

/** Stop time minus (voice end + silence): never early, at most two frames and a window late. */
function expectOnTime(stopAtMs: number | undefined, voiceEndMs: number, silenceMs: number): void {
  expect(stopAtMs).toBeDefined();
  const late = stopAtMs! - voiceEndMs - silenceMs;
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThanOrEqual(2 * FRAME_MS + VAD_WINDOW_MS);
}

describe('hands-free auto-stop on real speech', () => {
  for (const [silenceMs, noisy] of [[1500, false], [1500, true], [800, true], [2500, false]] as const) {
    it(`stops within two frames (and a VAD window) of ${silenceMs} ms of ${noisy ? 'room-noise' : 'digital'} silence`, async () => {
      const lead = audio.silence(0.5, noisy);
      const pcm = concat([lead, sentence, audio.silence(silenceMs / 1000 + 1.5, noisy)]);
      const voiceEndMs = ms(lead.length + sentence.length);
      const run = await dictate(pcm, config(silenceMs));
      expect(stops(run)).toHaveLength(1);
      expectOnTime(stops(run)[0], voiceEndMs, silenceMs);
      expect(concat(run.forwarded)).toEqual(pcm); // every sample, in order, also after the stop
    });
  }

  it('never stops in pauses shorter than the silence, and stops after the last phrase', async () => {
    const silenceMs = 1500;
    const pause = (s: number) => audio.silence(s, true);
    const parts = [pause(0.3), phrases[0], pause(1.0), phrases[1], pause(1.4), phrases[2]];
    const voiceEndMs = ms(concat(parts).length);
    const pcm = concat([...parts, pause(3)]);
    const run = await dictate(pcm, config(silenceMs));
    expect(stops(run)).toHaveLength(1);
    expectOnTime(stops(run)[0], voiceEndMs, silenceMs);
    expect(concat(run.forwarded)).toEqual(pcm);
  });

  it('lights the speech indicator while the voice runs and clears it in the silence', async () => {
    const lead = audio.silence(0.5, true);
    const run = await dictate(concat([lead, sentence, audio.silence(1, true)]), config(1500), 'indicator');
    const speech = run.events.filter((e) => e.type === 'speech');
    expect(speech[0]).toMatchObject({ speaking: true });
    expect(speech.at(-1)).toMatchObject({ speaking: false });
    expect((speech[0] as { atMs: number }).atMs).toBeGreaterThanOrEqual(ms(lead.length));
    expect((speech[0] as { atMs: number }).atMs).toBeLessThanOrEqual(ms(lead.length) + 200);
    expect(stops(run)).toEqual([]);
  });

  it('starts on speech while armed and hands over the whole utterance, onset included', async () => {
    const lead = audio.silence(2, true);
    const pcm = concat([lead, sentence, audio.silence(2.5, true)]);
    const run = await dictate(pcm, config(1500), 'armed');
    const start = run.events.find((e): e is Extract<VoiceActivityEvent, { type: 'start' }> => e.type === 'start');
    expect(start).toBeDefined();
    expect(Math.abs(start!.speechStartMs - ms(lead.length))).toBeLessThanOrEqual(100);
    const handed = concat(run.forwarded);
    // The engine gets a contiguous tail of the stream that begins before the voice does.
    expect(handed).toEqual(pcm.subarray(pcm.length - handed.length));
    expect(ms(pcm.length - handed.length)).toBeLessThanOrEqual(ms(lead.length) - 400);
    expect(stops(run)).toHaveLength(1);
    expectOnTime(stops(run)[0], ms(lead.length + sentence.length), 1500);
  });

  it('keeps counting across a microphone switch mid-pause (the VAD state is not the mic\'s)', async () => {
    // Quiet first mic, then a noisier one after 600 ms of the pause.
    const pcm = concat([audio.silence(0.3), sentence, audio.silence(0.6), audio.silence(2, true)]);
    const voiceEndMs = ms(audio.silence(0.3).length + sentence.length);
    const run = await dictate(pcm, config(1500));
    expect(stops(run)).toHaveLength(1);
    expectOnTime(stops(run)[0], voiceEndMs, 1500);
  });
});
