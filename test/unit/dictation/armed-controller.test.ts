// The controller's armed state with a stand-in VAD (speech = loud window) and the real engine on the
// demo model: what happens to the armed audio when a dictation is started by hand, when a file job
// runs, and when the voice-start handler declines.
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/common/ipc-contract';
import { DictationController } from '../../../electron/core/dictation';
import { findDemoModel } from '../../../electron/core/models/demo-model';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import {
  VadModelError, VoiceActivityService, type MonitorRequest, type StreamingVadModel, type VoiceActivityMonitor,
} from '../../../electron/core/vad';
import { FRAME } from './tiny-model';

/** Speech wherever the 32 ms window is louder than −34 dBFS; remembers the monitors it hands out. */
class LoudnessVad extends VoiceActivityService {
  monitors: VoiceActivityMonitor[] = [];
  constructor() {
    const model: StreamingVadModel = {
      createStream: () => ({
        run: async (w: Float32Array) => (Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length) > 0.02 ? 0.95 : 0.02),
        reset: () => undefined,
        dispose: async () => undefined,
      }),
      dispose: async () => undefined,
    };
    super({ locate: () => 'loudness', load: async () => model });
  }
  override monitor(request: MonitorRequest): VoiceActivityMonitor | null {
    const monitor = super.monitor(request);
    if (monitor) this.monitors.push(monitor);
    return monitor;
  }
}

const settings = (): Settings => {
  const s = defaultSettings();
  s.handsFree = { ...s.handsFree, enabled: true, startOnSpeech: true };
  return s;
};
/** A quiet frame (no speech) whose samples all equal `value`, so it can be recognised later. */
const marked = (value: number) => new Float32Array(FRAME).fill(value);

let controller: DictationController | null = null;
afterEach(async () => { await controller?.dispose(); controller = null; });

async function armed(tap: Float32Array[] = []) {
  const vad = new LoudnessVad();
  controller = new DictationController({ settings, vad, fallbackModel: findDemoModel, audioTap: (f) => tap.push(f.slice()) });
  await expect.poll(() => controller!.status().handsFree?.armed).toBe(true);
  return { controller, vad, tap };
}

describe('armed controller', () => {
  it('a start by hand while armed begins with the last 320 ms of armed audio, then a fresh monitor', async () => {
    const { controller, vad, tap } = await armed();
    for (let i = 1; i <= 10; i++) {
      controller.pushAudio(marked(i / 1000), i);
      await vad.monitors[0].whenIdle();
    }
    await controller.start();
    expect(controller.status()).toMatchObject({ state: 'listening', handsFree: { armed: false } });
    controller.pushAudio(marked(0.011), 11);
    expect(tap.map((f) => f[0])).toEqual([0.007, 0.008, 0.009, 0.01, 0.011].map(Math.fround));
    expect(vad.monitors).toHaveLength(2); // the armed one was closed; the dictation has its own
    await controller.cancel();
    await expect.poll(() => controller.status().handsFree?.armed).toBe(true); // armed again
  });

  it('is not armed while a file is transcribed, and arms again after', async () => {
    const { controller } = await armed();
    await controller.transcribeFile('test/fixtures/audio/hello-dictation-16k.wav');
    expect(controller.status().handsFree?.armed).toBe(false);
    await expect.poll(() => controller.status().state, { timeout: 30_000 }).toBe('idle');
    await expect.poll(() => controller.status().handsFree?.armed).toBe(true);
  }, 60_000);

  it('when the voice-start handler declines, it listens again from scratch and starts nothing', async () => {
    const { controller, vad } = await armed();
    let asked = 0;
    controller.setVoiceStartHandler(() => { asked += 1; return false; });
    const speak = async (frames: number) => {
      for (let i = 0; i < frames; i++) {
        controller.pushAudio(marked(0.3), i); // loud: speech
        await vad.monitors.at(-1)!.whenIdle();
      }
    };
    await speak(5); // 250 ms of speech triggers in the 4th frame; the 5th goes to a fresh monitor
    expect(asked).toBe(1);
    expect(controller.status()).toMatchObject({ state: 'idle', handsFree: { armed: true } });
    expect(vad.monitors).toHaveLength(2);
    await speak(3); // still speaking: asked again once the fresh monitor has heard 250 ms
    expect(asked).toBe(2);
    expect(controller.status().state).toBe('idle');
  });

  it('when the voice-start handler throws, it listens again instead of staying triggered', async () => {
    const { controller, vad } = await armed();
    let asked = 0;
    controller.setVoiceStartHandler(() => { asked += 1; throw new Error('insertion could not begin'); });
    for (let i = 0; i < 8; i++) {
      controller.pushAudio(marked(0.3), i);
      await vad.monitors.at(-1)!.whenIdle();
    }
    expect(asked).toBe(2); // asked again by a fresh monitor, as when it declines
    expect(controller.status()).toMatchObject({ state: 'idle', handsFree: { armed: true } });
  });

  it('is not armed without start-on-speech, nor with hands-free off', async () => {
    for (const handsFree of [{ startOnSpeech: false }, { enabled: false }]) {
      const s = settings();
      s.handsFree = { ...s.handsFree, ...handsFree };
      const vad = new LoudnessVad();
      const c = new DictationController({ settings: () => s, vad, fallbackModel: findDemoModel });
      await vad.load();
      await new Promise((r) => setTimeout(r, 10));
      expect(c.status().handsFree).toEqual({ available: true, reason: null, armed: false });
      expect(vad.monitors).toEqual([]);
      await c.dispose();
    }
  });

  it('when onnxruntime cannot load: says why once, is never armed, and dictation still works, stopped by hand', async () => {
    const reason = 'onnxruntime-node cannot be loaded on this system: libonnxruntime.so.1: cannot open shared object file';
    const vad = new VoiceActivityService({ locate: () => 'silero.onnx', load: async () => { throw new VadModelError(reason); } });
    const notices: string[] = [];
    const tap: Float32Array[] = [];
    controller = new DictationController({
      settings, vad, fallbackModel: findDemoModel, notify: (n) => notices.push(n.message), audioTap: (f) => tap.push(f),
    });
    await expect.poll(() => controller!.status().handsFree?.available).toBe(false);
    expect(controller.status().handsFree).toEqual({ available: false, reason, armed: false });
    expect(notices).toEqual([`Hands-free is unavailable, so dictation stops only when you stop it: ${reason}`]);
    const speech: unknown[] = [];
    controller.onEvent((e) => { if (e.name === 'speech') speech.push(e.payload); });
    await controller.start();
    for (let i = 0; i < 40; i++) controller.pushAudio(i < 20 ? marked(0.3) : marked(0), i); // speech, then 1.6 s of silence
    expect(controller.status().state).toBe('listening'); // no auto-stop without a VAD
    const final = await controller.stop();
    expect(final).not.toBeNull();
    expect(tap).toHaveLength(40); // every frame went straight to the engine
    expect(speech).toEqual([]);
  }, 60_000);
});
