import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSileroModel, sileroModelCandidates } from '../../../electron/core/vad/model-path';
import { loadSileroModel, SileroStream, SileroVad, VadModelError } from '../../../electron/core/vad/silero-model';
import { VAD_WINDOW_SAMPLES } from '../../../electron/core/vad/types';
import { VoiceActivityDetector } from '../../../electron/core/vad/voice-activity-detector';
import { AudioWorkshop, concat } from './speech-audio';

const audio = new AudioWorkshop();
let model: SileroVad;

beforeAll(async () => {
  const found = findSileroModel();
  if (!found) throw new Error(`Silero model not found in ${sileroModelCandidates().join(', ')}`);
  model = await loadSileroModel(found);
});
afterAll(async () => {
  await model?.dispose();
  audio.cleanup();
});

async function probabilities(pcm: Float32Array, stream: SileroStream = model.createStream()): Promise<number[]> {
  const detector = new VoiceActivityDetector(stream, 0.5);
  const out: number[] = [];
  for (let i = 0; i < pcm.length; i += 1280) {
    for (const w of (await detector.analyze(pcm.subarray(i, i + 1280))).windows) out.push(w.probability);
  }
  return out;
}

describe('Silero VAD v6 on onnxruntime-node', () => {
  it('scores espeak-ng speech high and silence or room noise low', async () => {
    const speech = await probabilities(audio.speech('Send the quarterly report to everyone on the team.'));
    const silence = await probabilities(audio.silence(1));
    const noise = await probabilities(audio.silence(1, true));
    const share = (ps: number[], f: (p: number) => boolean) => ps.filter(f).length / ps.length;
    expect(share(speech, (p) => p >= 0.5)).toBeGreaterThan(0.7);
    expect(Math.max(...silence)).toBeLessThan(0.1);
    expect(Math.max(...noise)).toBeLessThan(0.2);
  });

  it('keeps state per stream: fresh or reset streams agree, a stream that heard speech differs', async () => {
    const pcm = concat([audio.silence(0.3, true), audio.speech('hello there')]);
    const stream = model.createStream();
    const first = await probabilities(pcm, stream);
    expect(await probabilities(pcm)).toEqual(first);
    const carried = await probabilities(pcm, stream); // starts from the state "hello there" left
    expect(carried).not.toEqual(first);
    stream.reset();
    expect(await probabilities(pcm, stream)).toEqual(first);
  });

  it('serves interleaved streams without one disturbing the other', async () => {
    const speech = audio.speech('one two three four');
    const noise = audio.silence(1.5, true);
    const alone = [await probabilities(speech), await probabilities(noise)];
    const [a, b] = [model.createStream(), model.createStream()];
    const both = await Promise.all([probabilities(speech, a), probabilities(noise, b)]);
    expect(both).toEqual(alone);
  });

  it('rejects a window of the wrong size with a clear error', async () => {
    await expect(model.createStream().run(new Float32Array(VAD_WINDOW_SAMPLES - 1))).rejects.toThrow(/512 samples/);
  });

  it('reads non-finite samples as silence', async () => {
    const detector = new VoiceActivityDetector(model.createStream(), 0.5);
    const { windows } = await detector.analyze(new Float32Array(1280).fill(Number.NaN));
    expect(windows).toHaveLength(2);
    for (const w of windows) expect(w.probability).toBeLessThan(0.1);
  });

  it('reads garbage frames of any length (huge, infinite, NaN, random) without failing', async () => {
    const detector = new VoiceActivityDetector(model.createStream(), 0.5);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e30, -1e30, 3.4e38];
    let windows = 0;
    for (let n = 0; n < 40; n++) {
      const frame = Float32Array.from({ length: Math.floor(random() * 4000) }, () =>
        random() < 0.1 ? specials[Math.floor(random() * specials.length)] : (random() * 2 - 1) * 10);
      const { windows: done } = await detector.analyze(frame);
      for (const w of done) expect(w.probability).toBeGreaterThanOrEqual(0);
      for (const w of done) expect(w.probability).toBeLessThanOrEqual(1);
      windows += done.length;
    }
    expect(windows).toBeGreaterThan(100);
  });

  it('explains a missing or corrupt model file', async () => {
    await expect(loadSileroModel(path.join(audio.dir, 'nope.onnx'))).rejects.toThrow(/not found/);
    const junk = path.join(audio.dir, 'junk.onnx');
    writeFileSync(junk, Buffer.from('this is not an onnx model'));
    const err = await loadSileroModel(junk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VadModelError);
    expect((err as Error).message).toMatch(/cannot load voice activity model/);
  });

  it('refuses to run after dispose', async () => {
    const other = await loadSileroModel(findSileroModel()!);
    const stream = other.createStream();
    await other.dispose();
    await expect(stream.run(new Float32Array(VAD_WINDOW_SAMPLES))).rejects.toThrow(/disposed/);
  });

  it('looks in the packaged resources first, then up from the given folders, never inside an asar', () => {
    const candidates = sileroModelCandidates({ resourcesPath: '/opt/app/resources', startDirs: ['/a/b', '/opt/app/resources/app.asar/dist'] });
    expect(candidates.slice(0, 5)).toEqual([
      '/opt/app/resources/app.asar.unpacked/native-models/vad/silero_vad_v6.onnx',
      '/opt/app/resources/vad/silero_vad_v6.onnx',
      '/a/b/native-models/vad/silero_vad_v6.onnx',
      '/a/native-models/vad/silero_vad_v6.onnx',
      '/native-models/vad/silero_vad_v6.onnx',
    ]);
    expect(candidates).toContain('/opt/app/resources/native-models/vad/silero_vad_v6.onnx');
    expect(candidates.filter((c) => c.includes('app.asar/'))).toEqual([]);
  });
});
