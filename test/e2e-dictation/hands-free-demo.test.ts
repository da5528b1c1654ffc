// Hands-free auto-stop through the whole core, nothing faked: the real DictationController, the real
// Silero VAD and the real native engine running the embedded demo model (it really transcribes
// espeak-ng speech). An espeak-ng sentence spoken in two parts with a pause shorter than the silence
// setting, then trailing silence, is fed as 80 ms frames. The dictation must ride through the pause,
// stop by itself within a frame or two of the configured silence after the voice ends, and its final
// text must hold every word: the sentence's, and those the engine hears in the whole file.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DictationState, FinalTranscript, Settings } from '../../electron/common/ipc-contract';
import { transcribeFile } from '../../electron/cli/commands/transcribe';
import { DictationController } from '../../electron/core/dictation';
import { findDemoModel, type ModelFiles } from '../../electron/core/models/demo-model';
import { defaultSettings } from '../../electron/core/settings/defaults';
import { VoiceActivityService, type MonitorRequest, type VoiceActivityMonitor } from '../../electron/core/vad';
import { VAD_WINDOW_MS } from '../../electron/core/vad/types';
import { AudioWorkshop, concat, FRAME_MS, frames, ms } from '../unit/vad/speech-audio';
import { writeFloatWav } from './audio-compare';

// A sentence held out of the demo model's training (native-models/train/corpus.py), said in two parts.
// The demo model was trained with at most 0.5 s of silence after speech and ends its transcript (EOS)
// in longer pauses of many sentences; this one it reads whole across a 0.7 s pause.
const FIRST = 'Thanks Oscar,';
const SECOND = 'the photo is great.';
const PAUSE_S = 0.7;
const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

/** The real service; remembers each monitor it hands out so the test can wait for its analysis. */
class WatchedVad extends VoiceActivityService {
  monitors: VoiceActivityMonitor[] = [];
  override monitor(request: MonitorRequest): VoiceActivityMonitor | null {
    const monitor = super.monitor(request);
    if (monitor) this.monitors.push(monitor);
    return monitor;
  }
}

const audio = new AudioWorkshop();
let demo: ModelFiles;

beforeAll(() => {
  const found = findDemoModel();
  if (!found) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
  demo = found;
});
afterAll(() => audio.cleanup());

function settings(silenceMs: number): Settings {
  const s = defaultSettings(); // no model chosen: the controller runs the demo model
  s.engine = { backend: 'cpu', dtype: 'fp32', threads: 0, gpu: null, unloadAfterMinutes: 0 };
  s.handsFree = { ...s.handsFree, enabled: true, silenceMs };
  return s;
}

interface Run {
  final: FinalTranscript | null;
  /** Stream time pushed when the controller left 'listening' by itself. */
  stoppedAtMs: number | null;
  states: DictationState[];
  /** Every frame as the engine session got it. */
  tapped: Float32Array[];
}

/**
 * Feeds `pcm` frame by frame the way the renderer does, each frame analysed before the next (as
 * 80 ms apart in life, but without waiting 80 ms). Stops sending once the dictation left
 * 'listening' (the renderer stops capturing then) and says 'end'.
 */
async function dictate(pcm: Float32Array, silenceMs: number): Promise<Run> {
  const vad = new WatchedVad();
  const tapped: Float32Array[] = [];
  const controller = new DictationController({
    settings: () => settings(silenceMs), vad, fallbackModel: () => demo, audioTap: (f) => tapped.push(f.slice()),
  });
  const states: DictationState[] = [];
  let final: FinalTranscript | null = null;
  controller.onEvent((e) => {
    if (e.name === 'state') states.push(e.payload.state);
    if (e.name === 'final') final = e.payload;
  });
  expect((await vad.load()).available).toBe(true);
  await controller.start();
  expect(vad.monitors).toHaveLength(1);
  const monitor = vad.monitors[0];
  let pushedMs = 0;
  let stoppedAtMs: number | null = null;
  for (const [seq, frame] of frames(pcm).entries()) {
    controller.pushAudio(frame, seq);
    pushedMs += ms(frame.length);
    await monitor.whenIdle();
    await new Promise((r) => setImmediate(r)); // let a stop the VAD asked for take effect
    if (controller.status().state !== 'listening') {
      stoppedAtMs = pushedMs;
      break;
    }
  }
  controller.endAudio();
  await expect.poll(() => controller.status().state, { timeout: 30_000 }).toBe('idle');
  await controller.dispose();
  return { final, stoppedAtMs, states, tapped };
}

describe('hands-free dictation on the demo model (real VAD, real engine)', () => {
  // 1500 ms is the default; 1000 ms leaves the pause (as Silero hears it, ~0.8 s) little room.
  it.each([1500, 1000])('rides through a 0.7 s pause, stops on %i ms of silence after the sentence, and keeps every word', async (silenceMs) => {
    const first = audio.speech(FIRST, 'en', 175);
    const second = audio.speech(SECOND, 'en', 175);
    const lead = audio.silence(0.5, true);
    const pause = audio.silence(PAUSE_S, true); // shorter than the silence setting: must not stop
    const spoken = concat([lead, first, pause, second]);
    const voiceEndMs = ms(spoken.length);
    const pcm = concat([spoken, audio.silence(silenceMs / 1000 + 2, true)]);

    const run = await dictate(pcm, silenceMs);

    // It stopped by itself (no stop() was called), once, after the pause and on time.
    expect(run.stoppedAtMs).not.toBeNull();
    expect(run.states).toEqual(['loading', 'listening', 'finishing', 'idle']);
    const late = run.stoppedAtMs! - voiceEndMs - silenceMs;
    console.log(`stopped ${late.toFixed(0)} ms after voice end + silence`);
    // The voice end is where the audio falls below 0.5 % of full scale; Silero may call the last faint
    // consonant ("lunch") silence up to one window sooner. Never more: a pause-time stop would be ~2 s early.
    expect(late).toBeGreaterThanOrEqual(-VAD_WINDOW_MS);
    expect(late).toBeLessThanOrEqual(2 * FRAME_MS + VAD_WINDOW_MS);

    // Every frame sent before the stop reached the engine, unchanged and in order.
    const received = concat(run.tapped);
    expect(received).toEqual(pcm.subarray(0, received.length));

    // Every word: the sentence's, and exactly what the engine hears in the whole file.
    const heard = words(run.final!.text);
    console.log(`hands-free demo heard: ${JSON.stringify(run.final!.text)}`);
    expect(heard).toEqual(words(`${FIRST} ${SECOND}`));
    const wav = path.join(audio.dir, 'whole.wav');
    await writeFile(wav, writeFloatWav(pcm, 16_000));
    const whole = await transcribeFile({ pte: demo.pte, ptd: demo.ptd ?? undefined, backend: 'cpu', dtype: 'fp32', audio: wav });
    expect(heard).toEqual(words(whole.text));
  }, 120_000);

  it('the control: a silence setting shorter than the pause does stop in it, before the second part', async () => {
    const first = audio.speech(FIRST, 'en', 175);
    const lead = audio.silence(0.5, true);
    const firstEndMs = ms(lead.length + first.length);
    const pcm = concat([lead, first, audio.silence(PAUSE_S, true), audio.speech(SECOND, 'en', 175), audio.silence(2, true)]);
    const run = await dictate(pcm, 400);
    expect(run.stoppedAtMs).not.toBeNull();
    expect(run.stoppedAtMs!).toBeLessThan(firstEndMs + PAUSE_S * 1000);
    expect(words(run.final!.text)).not.toContain('photo');
  }, 120_000);
});
