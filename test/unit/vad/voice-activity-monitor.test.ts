import { describe, expect, it } from 'vitest';
import { VoiceActivityDetector } from '../../../electron/core/vad/voice-activity-detector';
import { VoiceActivityMonitor, type MonitorMode } from '../../../electron/core/vad/voice-activity-monitor';
import type { FrameAnalyzer, SpeechProbabilityModel, VoiceActivityEvent } from '../../../electron/core/vad/types';

const FRAME = 1280;
const FRAME_MS = 80;

/** Stands in for Silero: a window is speech when it is loud. */
class LoudnessModel implements SpeechProbabilityModel {
  windows = 0;
  async run(window: Float32Array): Promise<number> {
    this.windows++;
    const meanAbs = window.reduce((s, x) => s + Math.abs(x), 0) / window.length;
    return meanAbs >= 0.1 ? 0.95 : 0.02;
  }
  reset(): void {}
  async dispose(): Promise<void> {}
}

/** Frames from a script like "S×10 _×20": S a loud 80 ms frame, _ a quiet one; each frame numbered. */
function script(text: string): Float32Array[] {
  const out: Float32Array[] = [];
  for (const part of text.trim().split(/\s+/)) {
    const [symbol, times] = part.split('×');
    for (let i = 0; i < Number(times ?? 1); i++) {
      const f = new Float32Array(FRAME).fill(symbol === 'S' ? 0.5 : 0.001);
      f[0] = out.length; // a tag, to check order
      out.push(f);
    }
  }
  return out;
}

interface Harness {
  monitor: VoiceActivityMonitor;
  forwarded: Float32Array[];
  events: VoiceActivityEvent[];
  /** Frames pushed when each event arrived. */
  eventFrames: number[];
}

function harness(mode: MonitorMode, overrides: Partial<ConstructorParameters<typeof VoiceActivityMonitor>[0]> = {}): Harness {
  const forwarded: Float32Array[] = [];
  const events: VoiceActivityEvent[] = [];
  const eventFrames: number[] = [];
  let pushed = 0;
  const monitor = new VoiceActivityMonitor({
    mode,
    config: { silenceMs: 800, minSpeechMs: 200, threshold: 0.5 },
    analyzer: new VoiceActivityDetector(new LoudnessModel(), 0.5),
    forward: (f) => forwarded.push(f),
    onEvent: (e) => { events.push(e); eventFrames.push(pushed); },
    ...overrides,
  });
  const push = monitor.push.bind(monitor);
  monitor.push = (f) => { pushed++; push(f); };
  return { monitor, forwarded, events, eventFrames };
}

/** Pushes in real-time order: each frame is analysed before the next arrives (80 ms apart in life). */
async function feed(h: Harness, frames: Float32Array[]): Promise<void> {
  for (const f of frames) {
    h.monitor.push(f);
    await h.monitor.whenIdle();
  }
}

const tags = (frames: Float32Array[]) => frames.map((f) => f[0]);

describe('VoiceActivityMonitor', () => {
  it('forwards every frame at once, unchanged and in order, before any analysis', () => {
    const h = harness('auto-stop');
    const input = script('S×5 _×5');
    for (const f of input) h.monitor.push(f);
    expect(h.forwarded).toHaveLength(10); // synchronously, nothing awaited yet
    h.forwarded.forEach((f, i) => expect(f).toBe(input[i]));
  });

  it('stops after the configured silence once speech was heard, and keeps forwarding after', async () => {
    const h = harness('auto-stop');
    const input = script('_×5 S×10 _×20');
    await feed(h, input);
    const stop = h.events.find((e) => e.type === 'stop');
    expect(stop).toBeDefined();
    // Speech ends at frame 15 (1200 ms); 800 ms of silence is 10 frames.
    const stopFrame = h.eventFrames[h.events.indexOf(stop!)];
    expect(stopFrame * FRAME_MS - 15 * FRAME_MS).toBeGreaterThanOrEqual(800);
    expect(stopFrame * FRAME_MS - 15 * FRAME_MS).toBeLessThanOrEqual(800 + FRAME_MS);
    expect(h.events.filter((e) => e.type === 'stop')).toHaveLength(1);
    expect(tags(h.forwarded)).toEqual(tags(input));
    expect(h.monitor.phase).toBe('stopped');
  });

  it('does not stop for pauses shorter than the silence', async () => {
    const h = harness('auto-stop');
    await feed(h, script('S×5 _×9 S×3 _×9 S×4 _×9'));
    expect(h.events.map((e) => e.type)).not.toContain('stop');
    expect(h.monitor.phase).toBe('pausing');
  });

  it('reports the speech indicator, held across short gaps', async () => {
    const h = harness('indicator');
    await feed(h, script('_×3 S×5 _×1 S×5 _×10'));
    const speech = h.events.filter((e) => e.type === 'speech');
    expect(speech.map((e) => e.type === 'speech' && e.speaking)).toEqual([true, false]);
    expect(h.events.map((e) => e.type)).not.toContain('stop'); // indicator mode never stops
  });

  it('when armed, keeps audio until speech starts, then hands over the onset and everything after', async () => {
    const h = harness('armed', { preRollPadMs: 160 });
    const input = script('_×30 S×8 _×3');
    await feed(h, input.slice(0, 36));
    expect(h.forwarded).toHaveLength(0);
    const start = h.events.find((e) => e.type === 'start');
    expect(start).toMatchObject({ type: 'start', speechStartMs: 30 * FRAME_MS });
    // Frames keep arriving while the controller opens its engine session.
    h.monitor.push(input[36]);
    h.monitor.startForwarding();
    for (const f of input.slice(37)) h.monitor.push(f);
    // The onset (frame 30) with 160 ms in front of it, then every frame, none twice.
    expect(tags(h.forwarded)).toEqual(tags(input.slice(28)));
    await h.monitor.whenIdle();
  });

  it('keeps a bounded pre-roll while armed through long silence', async () => {
    const h = harness('armed', { preRollPadMs: 160 });
    await feed(h, script('_×500 S×4'));
    h.monitor.startForwarding();
    // minSpeechMs 200 + pad 160 + the frame in analysis: a handful of frames, not 40 s of audio.
    expect(h.forwarded.length).toBeLessThanOrEqual(Math.ceil((200 + 160) / FRAME_MS) + 2 + 4);
    expect(tags(h.forwarded).slice(-4)).toEqual([500, 501, 502, 503]);
  });

  it('started on speech while the model still loads (a cold start: tens of seconds), loses nothing of it', async () => {
    // The controller keeps up to 120 s for a dictation whose model loads (MAX_PENDING_SAMPLES); a
    // dictation started on speech must not keep less, or its first words go and the VAD gives up.
    const h = harness('armed', { preRollPadMs: 160 });
    const input = script('_×10 S×600'); // 48 s of speech after the onset, before startForwarding
    await feed(h, input);
    expect(h.events.find((e) => e.type === 'start')).toBeDefined();
    h.monitor.startForwarding();
    expect(h.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(h.monitor.deciding).toBe(true);
    expect(tags(h.forwarded)).toEqual(tags(input.slice(8)));
  });

  it('keeps what it heard when the settings change mid-pause', async () => {
    const h = harness('auto-stop');
    await feed(h, script('S×5 _×6')); // 480 ms of silence counted
    h.monitor.setConfig({ silenceMs: 600, minSpeechMs: 200, threshold: 0.5 });
    await feed(h, script('_×1'));
    expect(h.events.map((e) => e.type)).not.toContain('stop');
    await feed(h, script('_×2'));
    expect(h.events.map((e) => e.type)).toContain('stop');
  });

  it('on analysis failure reports one error, stops deciding, and still forwards every frame', async () => {
    const failing: FrameAnalyzer = { analyze: async () => { throw new Error('onnx exploded'); }, setThreshold: () => {} };
    const h = harness('auto-stop', { analyzer: failing });
    const input = script('S×5 _×20');
    await feed(h, input);
    expect(h.events).toEqual([{ type: 'error', message: expect.stringMatching(/onnx exploded/) }]);
    expect(h.monitor.deciding).toBe(false);
    expect(tags(h.forwarded)).toEqual(tags(input));
  });

  it('gives up deciding, without holding audio, when analysis falls behind', () => {
    const stuck: FrameAnalyzer = { analyze: () => new Promise(() => {}), setThreshold: () => {} };
    const h = harness('auto-stop', { analyzer: stuck, maxPendingFrames: 10 });
    const input = script('S×30');
    for (const f of input) h.monitor.push(f);
    expect(h.events).toEqual([{ type: 'error', message: expect.stringMatching(/fell behind/) }]);
    expect(tags(h.forwarded)).toEqual(tags(input));
  });

  it('rejects frames that are not 16 kHz float32 of sane size, forwarding nothing', () => {
    const h = harness('auto-stop');
    expect(() => h.monitor.push(new Float64Array(1280) as unknown as Float32Array)).toThrow(TypeError);
    expect(() => h.monitor.push(new Float32Array(16_001))).toThrow(RangeError);
    expect(h.forwarded).toHaveLength(0);
    h.monitor.push(new Float32Array(0));
    expect(h.forwarded).toHaveLength(1);
  });

  it('passes on an error thrown by forward, and keeps the VAD in step with the stream', async () => {
    let refuse = true;
    const h = harness('auto-stop', { forward: () => { if (refuse) throw new Error('session closed'); } });
    expect(() => h.monitor.push(script('S')[0])).toThrow(/session closed/);
    refuse = false;
    await feed(h, script('S×4 _×12'));
    const stop = h.events.find((e) => e.type === 'stop');
    expect(stop).toMatchObject({ type: 'stop' });
    // Speech ran 5 frames (400 ms) including the refused one; 800 ms of silence follow.
    expect((stop as { atMs: number }).atMs).toBeGreaterThanOrEqual(400 + 800);
    expect((stop as { atMs: number }).atMs).toBeLessThanOrEqual(400 + 800 + 64);
  });

  it('survives a listener that throws', async () => {
    const seen: string[] = [];
    const m = new VoiceActivityMonitor({
      mode: 'auto-stop', config: { silenceMs: 400, minSpeechMs: 0, threshold: 0.5 },
      analyzer: new VoiceActivityDetector(new LoudnessModel(), 0.5),
      forward: () => {},
      onEvent: (e) => { seen.push(e.type); throw new Error('listener bug'); },
    });
    for (const f of script('S×3 _×8')) { m.push(f); await m.whenIdle(); }
    expect(seen).toEqual(['speech', 'speech', 'stop']);
  });

  it('stops analysing once closed, but still forwards', async () => {
    const model = new LoudnessModel();
    const h = harness('auto-stop', { analyzer: new VoiceActivityDetector(model, 0.5) });
    await feed(h, script('S×2'));
    await h.monitor.close();
    const before = model.windows;
    await feed(h, script('S×5'));
    expect(model.windows).toBe(before);
    expect(h.forwarded).toHaveLength(7);
  });
});
