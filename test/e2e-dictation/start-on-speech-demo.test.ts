// Start-on-speech end to end in the core: the real DictationController, the real Silero VAD and
// the real native engine on the embedded demo model. With the setting on and nothing running the
// controller is armed, the warm microphone's frames (silence, then an espeak-ng sentence, then
// silence) go to the VAD, and speech starts exactly one dictation whose text begins with the first
// word: the audio that triggered the start reaches the engine before the rest. Auto-stop ends it,
// and the controller arms again. Run alone and through the hotkey coordinator (as the desktop app
// wires it), where the text is inserted like any hotkey dictation.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DictationStatus, FinalTranscript, Settings } from '../../electron/common/ipc-contract';
import {
  DictationCoordinator, dictationPortFrom, routeVoiceActivity, type InsertionOutcome, type InsertionSink,
} from '../../electron/core/coordinator';
import { DictationController } from '../../electron/core/dictation';
import { findDemoModel, type ModelFiles } from '../../electron/core/models/demo-model';
import { defaultSettings } from '../../electron/core/settings/defaults';
import { VoiceActivityService, type MonitorRequest, type VoiceActivityMonitor } from '../../electron/core/vad';
import { AudioWorkshop, concat, FRAME, frames, ms } from '../unit/vad/speech-audio';

// Held out of the demo model's training (native-models/train/corpus.py).
const SENTENCE = 'Thanks Oscar, the photo is great.';
const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

class WatchedVad extends VoiceActivityService {
  requests: MonitorRequest[] = [];
  monitors: VoiceActivityMonitor[] = [];
  override monitor(request: MonitorRequest): VoiceActivityMonitor | null {
    const monitor = super.monitor(request);
    if (monitor) {
      this.requests.push(request);
      this.monitors.push(monitor);
    }
    return monitor;
  }
}

const audio = new AudioWorkshop();
let demo: ModelFiles;
let lead: Float32Array;
let pcm: Float32Array;

beforeAll(() => {
  demo = findDemoModel()!;
  expect(demo).not.toBeNull();
  lead = audio.silence(2, true);
  pcm = concat([lead, audio.speech(SENTENCE, 'en', 175), audio.silence(4, true)]);
});
afterAll(() => audio.cleanup());

function settings(): Settings {
  const s = defaultSettings();
  s.engine = { backend: 'cpu', dtype: 'fp32', threads: 0, gpu: null, unloadAfterMinutes: 0 };
  s.handsFree = { ...s.handsFree, enabled: true, startOnSpeech: true, silenceMs: 1000 };
  return s;
}

interface Armed {
  controller: DictationController;
  vad: WatchedVad;
  finals: FinalTranscript[];
  states: DictationStatus[];
  tapped: Float32Array[];
}

/** Where in the stream `received` sits, at a frame boundary (frames are never split); -1 if nowhere. */
function frameOffsetOf(received: Float32Array): number {
  const same = (at: number) => received.every((x, i) => Object.is(x, pcm[at + i]));
  for (let at = 0; at + received.length <= pcm.length; at += FRAME) if (same(at)) return at;
  return -1;
}

async function armedController(): Promise<Armed> {
  const vad = new WatchedVad();
  const tapped: Float32Array[] = [];
  const controller = new DictationController({ settings, vad, fallbackModel: () => demo, audioTap: (f) => tapped.push(f.slice()) });
  const finals: FinalTranscript[] = [];
  const states: DictationStatus[] = [];
  controller.onEvent((e) => {
    if (e.name === 'final') finals.push(e.payload);
    if (e.name === 'state') states.push(e.payload);
  });
  expect((await vad.load()).available).toBe(true);
  await expect.poll(() => controller.status().handsFree?.armed).toBe(true);
  return { controller, vad, finals, states, tapped };
}

/**
 * The renderer's side: streams frames while the core is armed or listening (each analysed before
 * the next, as 80 ms apart in life), stops on 'finishing' with an 'end', and streams again once
 * armed. Frames sent while neither (loading aside) are what a stopped capture would not send.
 */
async function stream(run: Armed): Promise<void> {
  const { controller, vad } = run;
  let sending = true;
  for (const [seq, frame] of frames(pcm).entries()) {
    const status = controller.status();
    if (status.state === 'finishing' || status.state === 'idle') {
      if (sending && status.state === 'finishing') controller.endAudio();
      sending = status.state === 'idle' && status.handsFree?.armed === true;
      if (!sending) {
        await expect.poll(() => controller.status().handsFree?.armed, { timeout: 30_000 }).toBe(true);
        sending = true;
        continue;
      }
    }
    controller.pushAudio(frame, seq);
    await vad.monitors.at(-1)!.whenIdle();
    await new Promise((r) => setImmediate(r));
  }
  await expect.poll(() => controller.status().state, { timeout: 30_000 }).toBe('idle');
}

describe('start on speech (real VAD, real engine, demo model)', () => {
  it('is armed while idle, starts once on speech, keeps the first word, stops on silence and arms again', async () => {
    const run = await armedController();
    expect(run.controller.status()).toMatchObject({ state: 'idle', handsFree: { available: true, reason: null, armed: true } });
    await stream(run);

    expect(run.finals).toHaveLength(1);
    const heard = words(run.finals[0].text);
    console.log(`start-on-speech heard: ${JSON.stringify(run.finals[0].text)}`);
    expect(heard[0]).toBe('thanks');
    expect(heard).toEqual(words(SENTENCE));
    // One monitor did it all: the armed one was adopted by the dictation; a fresh one armed after.
    expect(run.vad.requests.map((r) => r.armed ?? false)).toEqual([true, true]);
    expect(run.states.map((s) => s.state).filter((s) => s !== 'idle')).toEqual(['loading', 'listening', 'finishing']);
    expect(run.controller.status().handsFree?.armed).toBe(true);
    // The engine got one contiguous run of the stream that starts before the voice does.
    const received = concat(run.tapped);
    const startAt = frameOffsetOf(received);
    expect(startAt).toBeGreaterThanOrEqual(0);
    // Silero hears "Thanks" from its vowel (the soft "th" before it is ~0.3 s), so the 500 ms pre-roll
    // measured from its onset starts ~160 ms before the voice here: enough, the first word is heard.
    expect(ms(startAt)).toBeLessThan(ms(lead.length));
    await run.controller.dispose();
  }, 120_000);

  it('through the hotkey coordinator: one latched dictation, its whole text inserted', async () => {
    const run = await armedController();
    const inserted: string[] = [];
    const insertion: InsertionSink = {
      begin: () => ({
        partial: () => undefined,
        finish: async (text): Promise<InsertionOutcome> => { inserted.push(text); return { delivered: 'pasted', message: null }; },
        abort: () => undefined,
      }),
    };
    const coordinator = new DictationCoordinator({ port: dictationPortFrom(run.controller), insertion, hotkeyMode: () => 'both' });
    const seen = new Set<string>();
    coordinator.onChange((s) => seen.add(`${s.state}${s.latched ? ' latched' : ''}`));
    const disconnect = routeVoiceActivity(run.controller, coordinator);
    await stream(run);
    await expect.poll(() => inserted.length, { timeout: 10_000 }).toBe(1);

    expect(words(inserted[0])).toEqual(words(SENTENCE));
    expect(run.finals).toHaveLength(1);
    // Latched from the start (no key is held); frames come faster than real time here, so the silence
    // may end it while the model still loads ('stop when ready'), skipping a visible 'recording'.
    expect(seen).toContain('arming latched');
    expect([...seen].filter((s) => s.startsWith('arming') || s.startsWith('recording')).every((s) => s.endsWith('latched'))).toBe(true);
    expect(coordinator.snapshot().state).toBe('idle');
    disconnect();
    await run.controller.dispose();
  }, 120_000);

  it('is not armed when the voice-activity model cannot load, and says why', async () => {
    const notices: string[] = [];
    const vad = new VoiceActivityService({ locate: () => null });
    const controller = new DictationController({ settings, vad, fallbackModel: () => demo, notify: (n) => notices.push(n.message) });
    await vad.load();
    await expect.poll(() => controller.status().handsFree?.available).toBe(false);
    expect(controller.status().handsFree).toMatchObject({ armed: false, reason: expect.stringMatching(/voice activity model not found/) });
    expect(notices).toEqual([expect.stringMatching(/^Hands-free is unavailable, so dictation stops only when you stop it: voice activity model not found/)]);
    await controller.dispose();
  });
});
