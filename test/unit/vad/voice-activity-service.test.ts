import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../electron/common/ipc-contract';
import type { SpeechProbabilityModel, VoiceActivityEvent } from '../../../electron/core/vad/types';
import { handsFreeConfigFrom, monitorModeFor, NO_SPEECH_TIMEOUT_MS, VoiceActivityService, type StreamingVadModel } from '../../../electron/core/vad/voice-activity-service';

const handsFree = (enabled: boolean): Settings['handsFree'] => ({ enabled, silenceMs: 400, minSpeechMs: 100, threshold: 0.5 });

class FakeModel implements StreamingVadModel {
  streams = 0;
  disposed = false;
  createStream(): SpeechProbabilityModel {
    this.streams++;
    return {
      run: async (w) => (Math.abs(w[0]) >= 0.1 ? 0.9 : 0.05),
      reset: () => {},
      dispose: async () => {},
    };
  }
  async dispose(): Promise<void> { this.disposed = true; }
}

const loud = () => new Float32Array(1280).fill(0.5);
const quiet = () => new Float32Array(1280);

describe('VoiceActivityService', () => {
  it('loads the model once, however many callers ask', async () => {
    let loads = 0;
    const model = new FakeModel();
    const service = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => { loads++; return model; } });
    const outcomes = await Promise.all([service.load(), service.load(), service.load()]);
    expect(outcomes).toEqual([{ available: true }, { available: true }, { available: true }]);
    expect(loads).toBe(1);
    expect(service.status).toEqual({ available: true });
  });

  it('says why when the model is missing or broken, and dictation gets no monitor', async () => {
    const missing = new VoiceActivityService({ locate: () => null });
    expect(await missing.load()).toMatchObject({ available: false, reason: expect.stringMatching(/not found/) });
    const broken = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => { throw new Error('bad protobuf'); } });
    expect(await broken.load()).toEqual({ available: false, reason: 'bad protobuf' });
    expect(broken.monitor({ handsFree: handsFree(true), forward: () => {}, onEvent: () => {} })).toBeNull();
  });

  it('gives each dictation a monitor on its own fresh stream, in the mode the settings ask for', async () => {
    const model = new FakeModel();
    const service = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => model });
    await service.load();
    const run = async (enabled: boolean) => {
      const events: VoiceActivityEvent['type'][] = [];
      const m = service.monitor({ handsFree: handsFree(enabled), forward: () => {}, onEvent: (e) => events.push(e.type) })!;
      for (const f of [loud(), loud(), ...Array.from({ length: 8 }, quiet)]) { m.push(f); await m.whenIdle(); }
      return events;
    };
    expect(await run(true)).toEqual(['speech', 'speech', 'stop']);
    expect(await run(false)).toEqual(['speech', 'speech']); // indicator only: hands-free is off
    expect(model.streams).toBe(2);
  });

  it('stops a hands-free dictation in which nothing is said, after the no-speech timeout', async () => {
    const service = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => new FakeModel() });
    await service.load();
    const events: VoiceActivityEvent[] = [];
    const m = service.monitor({ handsFree: handsFree(true), forward: () => {}, onEvent: (e) => events.push(e) })!;
    const frames = Math.ceil(NO_SPEECH_TIMEOUT_MS / 80) + 2;
    for (let i = 0; i < frames; i++) { m.push(quiet()); await m.whenIdle(); }
    expect(events).toEqual([{ type: 'stop', reason: 'no-speech', atMs: expect.any(Number), silenceMs: expect.any(Number) }]);
    const stop = events[0] as { atMs: number };
    expect(stop.atMs).toBeGreaterThanOrEqual(NO_SPEECH_TIMEOUT_MS);
    expect(stop.atMs).toBeLessThanOrEqual(NO_SPEECH_TIMEOUT_MS + 32);
  });

  it('maps settings to a VAD configuration, rejecting values outside the contract', async () => {
    expect(handsFreeConfigFrom(handsFree(true))).toEqual({ silenceMs: 400, minSpeechMs: 100, threshold: 0.5, noSpeechTimeoutMs: NO_SPEECH_TIMEOUT_MS });
    const service = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => new FakeModel() });
    await service.load();
    const bad = { ...handsFree(true), silenceMs: -1 };
    expect(() => service.monitor({ handsFree: bad, forward: () => {}, onEvent: () => {} })).toThrow(/silenceMs/);
  });

  it('maps settings to monitor modes', () => {
    expect(monitorModeFor(handsFree(false))).toBe('indicator');
    expect(monitorModeFor(handsFree(true))).toBe('auto-stop');
    expect(monitorModeFor(handsFree(true), true)).toBe('armed');
  });

  it('releases the model on dispose and hands out no more monitors', async () => {
    const model = new FakeModel();
    const service = new VoiceActivityService({ locate: () => '/m.onnx', load: async () => model });
    await service.load();
    await service.dispose();
    expect(model.disposed).toBe(true);
    expect(service.monitor({ handsFree: handsFree(true), forward: () => {}, onEvent: () => {} })).toBeNull();
  });

  it('finds and loads the bundled Silero model by default', async () => {
    const service = new VoiceActivityService();
    expect(await service.load()).toEqual({ available: true });
    await service.dispose();
  });
});
