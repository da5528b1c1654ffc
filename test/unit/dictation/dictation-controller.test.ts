// The dictation controller on the REAL native engine (a tiny packed model) and, for failures, on
// fake engines that fail where the real one would. The reference for every token is the CLI's own
// `transcribe` path (one push of the whole file), so a frame lost, duplicated or reordered on the
// way through the controller changes the ids.

import { readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMap, Settings } from '../../../electron/common/ipc-contract';
import { eventValidators } from '../../../electron/common/ipc-contract';
import { check } from '../../../electron/common/validate';
import { transcribeFile, type TranscribeResult } from '../../../electron/cli/commands/transcribe';
import type { DictationEvent } from '../../../electron/core/app/services';
import { DictationController } from '../../../electron/core/dictation';
import { compileVocabulary, spellAsListed } from '../../../electron/common/vocabulary';
import { SILENT_INPUT_MESSAGE } from '../../../electron/core/dictation/silent-input-monitor';
import { EngineHost } from '../../../electron/core/engine/engine-host';
import type { EngineApi } from '../../../electron/core/engine/types';
import { defaultSettings } from '../../../electron/core/settings/defaults';
import { VoiceActivityService, type StreamingVadModel } from '../../../electron/core/vad';
import { writeFloatWav } from '../../e2e-dictation/audio-compare';
import { EngineError, loadModel, type EngineModel, type LoadModelOptions, type SessionOptions } from '../../../native-models/js/engine';
import { FRAME, framesOf, packTinyModel, SPEECH_WAV, speechSamples, type TinyModel } from './tiny-model';

let tiny: TinyModel;
let reference: TranscribeResult;

beforeAll(async () => {
  tiny = packTinyModel();
  reference = await transcribeFile({ pte: tiny.pte, ptd: tiny.ptd, backend: 'cpu', dtype: 'fp32', audio: SPEECH_WAV });
}, 60_000);
afterAll(() => tiny.remove());

function settingsFor(model: TinyModel | null, patch: Partial<Settings['engine']> = {}): Settings {
  const s = defaultSettings();
  if (model) s.model = { pte: model.pte, ptd: model.ptd };
  s.engine = { ...s.engine, backend: 'cpu', dtype: 'fp32', ...patch }; // the references are fp32 CPU runs
  return s;
}

/** Counts loads and disposals of the real engine. */
function countingEngine() {
  const counts = { loads: 0, disposed: 0, options: [] as LoadModelOptions[] };
  const api: EngineApi = {
    async loadModel(options) {
      counts.loads += 1;
      counts.options.push(options);
      const model = await loadModel(options);
      return {
        info: model.info,
        createSession: (o) => model.createSession(o),
        dispose: () => { counts.disposed += 1; model.dispose(); },
      };
    },
  };
  return { api, counts };
}

function record(controller: DictationController) {
  const events: DictationEvent[] = [];
  controller.onEvent((e) => {
    // Every event must pass the contract's validator, exactly as the renderer checks it.
    expect(check(eventValidators[e.name] as (v: unknown) => unknown, e.payload).ok).toBe(true);
    events.push(e);
  });
  const of = <K extends DictationEvent['name']>(name: K): EventMap[K][] =>
    events.filter((e) => e.name === name).map((e) => e.payload as EventMap[K]);
  return { events, of };
}

const partialIds = (partials: { tokenIds: number[] }[]) => partials.flatMap((p) => p.tokenIds);

describe('DictationController on the real engine', () => {
  it('streams 80 ms frames to partial transcripts whose ids equal the CLI transcription, then a final', async () => {
    const { api, counts } = countingEngine();
    const controller = new DictationController({ settings: () => settingsFor(tiny), host: new EngineHost(api), vad: null });
    const { of } = record(controller);
    const started = await controller.start();
    expect(started.state).toBe('listening');
    expect(of('state').map((s) => s.state)).toEqual(['loading', 'listening']);
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    const final = await controller.stop();

    expect(reference.tokens.length).toBeGreaterThan(10);
    expect(partialIds(of('partial'))).toEqual(reference.tokens);
    expect(final).toMatchObject({ sessionId: started.sessionId, source: 'mic', text: reference.text.trimStart(), jobId: null });
    expect(final!.durationMs).toBe(Math.round((speechSamples().length * 1000) / 16000));
    expect(of('final')).toEqual([final]);
    // The text only grows, and each partial's appended piece is exactly what was added.
    let text = '';
    for (const p of of('partial')) {
      expect(p.text).toBe(text + p.appended);
      text = p.text;
    }
    expect(text).toBe(final!.text);
    expect(controller.status()).toMatchObject({ state: 'idle', sessionId: started.sessionId });
    expect(of('state').map((s) => s.state)).toEqual(['loading', 'listening', 'finishing', 'idle']);
    expect(counts.loads).toBe(1);
    await controller.dispose();
    expect(counts.disposed).toBe(1);
  }, 60_000);

  it('keeps frames sent while the model loads, and loads the model once for many dictations', async () => {
    const { api, counts } = countingEngine();
    const tapped: Float32Array[] = [];
    const controller = new DictationController({
      settings: () => settingsFor(tiny), host: new EngineHost(api), vad: null, audioTap: (f) => tapped.push(f.slice()),
    });
    const { of } = record(controller);
    const frames = framesOf(speechSamples());
    for (let round = 0; round < 2; round++) {
      const starting = controller.start();
      // The renderer's mic opens on 'loading': these frames arrive before the session exists.
      frames.slice(0, 10).forEach((f, seq) => controller.pushAudio(f.slice(), seq));
      await starting;
      frames.slice(10).forEach((f, seq) => controller.pushAudio(f.slice(), seq + 10));
      const final = await controller.stop();
      expect(final?.text).toBe(reference.text.trimStart());
    }
    const sessions = [...new Set(of('partial').map((p) => p.sessionId))];
    expect(sessions).toHaveLength(2);
    for (const id of sessions) expect(partialIds(of('partial').filter((p) => p.sessionId === id))).toEqual(reference.tokens);
    expect(counts.loads).toBe(1);
    // The tap saw exactly the audio, twice, in order.
    const heard = Float32Array.from(tapped.flatMap((f) => [...f]));
    expect(heard.length).toBe(2 * speechSamples().length);
    expect(heard.subarray(0, speechSamples().length)).toEqual(speechSamples());
    await controller.dispose();
  }, 60_000);

  it('on stop, still takes the frames in flight until the renderer\'s end, then flushes', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    await controller.start();
    const frames = framesOf(speechSamples());
    frames.slice(0, 20).forEach((f, seq) => controller.pushAudio(f, seq));
    const stopping = controller.stop(); // the user let go; the rest is still on its way
    await expect.poll(() => controller.status().state).toBe('finishing');
    frames.slice(20).forEach((f, seq) => controller.pushAudio(f, seq + 20));
    controller.endAudio();
    expect((await stopping)?.text).toBe(reference.text.trimStart());
    expect(partialIds(of('partial'))).toEqual(reference.tokens);
    controller.pushAudio(new Float32Array(FRAME), 99); // after the flush: too late, ignored
    await controller.dispose();
  }, 60_000);

  it('reloads when the backend settings change, preloading so the next dictation starts warm', async () => {
    const { api, counts } = countingEngine();
    let settings = settingsFor(tiny);
    const listeners = new Set<(s: Settings) => void>();
    const controller = new DictationController({
      settings: () => settings, host: new EngineHost(api), vad: null, preload: true,
      onSettingsChange: (l) => { listeners.add(l); return () => listeners.delete(l); },
    });
    const { of } = record(controller);
    await expect.poll(() => counts.loads).toBe(1);
    await expect.poll(() => of('progress').some((p) => p.fraction === 1)).toBe(true);
    expect(of('state')).toEqual([]); // a preload is not a dictation: the mic stays closed
    settings = settingsFor(tiny, { threads: 1 });
    for (const l of listeners) l(settings);
    await expect.poll(() => counts.loads).toBe(2);
    expect(counts.options[1].threads).toBe(1);
    await expect.poll(() => counts.disposed).toBe(1); // the old model is freed
    settings = { ...settings, showOverlay: false };
    for (const l of listeners) l(settings); // unrelated change: no reload
    settings = { ...settings, engine: { ...settings.engine, gpu: 'GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901' } };
    for (const l of listeners) l(settings); // a GPU chosen while the CPU runs: no reload either
    await controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    expect((await controller.stop())?.text).toBe(reference.text.trimStart());
    expect(counts.loads).toBe(2);
    await controller.dispose();
  }, 60_000);

  it('frees the model once unused for the chosen time, never under a dictation, and loads it again for the next', async () => {
    const { api, counts } = countingEngine();
    let settings = settingsFor(tiny, { unloadAfterMinutes: 1 });
    const listeners = new Set<(s: Settings) => void>();
    const notify = (next: Settings) => { settings = next; for (const l of listeners) l(next); };
    const controller = new DictationController({
      settings: () => settings, host: new EngineHost(api), vad: null, preload: true,
      unloadDelayMs: (s) => s.engine.unloadAfterMinutes * 200, // a "minute" of 200 ms
      onSettingsChange: (l) => { listeners.add(l); return () => listeners.delete(l); },
    });
    await expect.poll(() => counts.loads).toBe(1);
    await expect.poll(() => counts.disposed, { timeout: 5_000 }).toBe(1); // preloaded, then unused
    notify({ ...settings, showOverlay: false }); // an unrelated change does not load it again
    await new Promise((r) => setTimeout(r, 400));
    expect(counts.loads).toBe(1);

    await controller.start(); // loads it again; the audio pushed meanwhile is kept
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    await new Promise((r) => setTimeout(r, 500)); // longer than the delay, mid-dictation
    expect(counts.disposed).toBe(1);
    expect((await controller.stop())?.text).toBe(reference.text.trimStart());
    expect(counts.loads).toBe(2);
    await expect.poll(() => counts.disposed, { timeout: 5_000 }).toBe(2);

    notify(settingsFor(tiny, { unloadAfterMinutes: 0 })); // "keep it loaded": loaded again now, and kept
    await expect.poll(() => counts.loads).toBe(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(counts.disposed).toBe(2);
    await controller.dispose();
  }, 60_000);

  it('tells the user once when the microphone sends only silence (muted), and never when it hears anything', async () => {
    const notices: string[] = [];
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null, notify: (n) => notices.push(n.message) });
    // 4 s of digital silence, as a muted microphone sends.
    await controller.start();
    for (let seq = 0; seq < 50; seq++) controller.pushAudio(new Float32Array(FRAME), seq);
    await controller.stop();
    expect(notices).toEqual([SILENT_INPUT_MESSAGE]);
    // A quiet room (−65 dBFS of noise) before any word: a working microphone, nothing said.
    notices.length = 0;
    await controller.start();
    const room = (seq: number) => Float32Array.from({ length: FRAME }, (_, i) => 0.00056 * Math.sin(seq * FRAME + i));
    for (let seq = 0; seq < 50; seq++) controller.pushAudio(room(seq), seq);
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, 50 + seq));
    await controller.stop();
    expect(notices).toEqual([]);
    await controller.dispose();
  }, 60_000);

  it('tells the user once when the text falls behind their voice (an engine slower than real time)', async () => {
    // The real tiny model's configuration, with a session that decodes one step for every two
    // steps of audio, as the full model on a slow CPU would; the clock is the audio's.
    const real = await loadModel({ pte: tiny.pte, ptd: tiny.ptd, backend: 'cpu', dtype: 'fp32' });
    const info = real.info;
    real.dispose();
    let clock = 0;
    const slow: EngineApi = {
      async loadModel() {
        return {
          info,
          createSession: (o: SessionOptions) => {
            let pushed = 0;
            let emitted = 0;
            const firstPosition = 38; // the prefill's id (prompt length − 1), then one per step
            return {
              push: (pcm: Float32Array) => {
                pushed += pcm.length;
                const due = Math.floor(pushed / (2 * info.step_samples)); // one id per two steps of audio
                if (due > emitted) {
                  o.onTokens(new Array<number>(due - emitted).fill(info.streaming_pad_id), firstPosition + emitted);
                  emitted = due;
                }
              },
              flush: async () => ({ tokens: [], steps: 0, msPerStep: 0, prefillMs: 0, reusedPrefixTokens: 0 }),
              captures: () => ({}),
              close: () => undefined,
            };
          },
          dispose: () => undefined,
        };
      },
    };
    const notices: string[] = [];
    const controller = new DictationController({
      settings: () => settingsFor(tiny), host: new EngineHost(slow), vad: null, now: () => clock, notify: (n) => notices.push(n.message),
    });
    await controller.start();
    // Room noise (−60 dBFS), not digital silence, which would bring the muted-microphone notice too.
    const frames = framesOf(Float32Array.from({ length: 16_000 * 20 }, (_, i) => 0.0014 * Math.sin(i * 0.7)));
    for (const [seq, frame] of frames.entries()) {
      clock = seq * 80; // frames arrive in real time
      controller.pushAudio(frame, seq);
    }
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^Transcription is [34] s behind your voice: this computer runs the model more slowly than you speak\. Nothing is lost; the text catches up after you stop\. An NVIDIA GPU \(Settings → Run on\) keeps up/);
    await controller.cancel();
    await controller.dispose();
  });

  /**
   * One dictation of the speech fixture and one transcription of its file under `settings`: the
   * final, the text the partials built (each partial's text = the last one's + what it appended)
   * and the file's final all equal `expected`, and the partials carry the reference's ids.
   */
  async function sameTextEverywhere(settings: Settings, expected: string) {
    const controller = new DictationController({ settings: () => settings, vad: null });
    const { of } = record(controller);
    await controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    const final = await controller.stop();
    expect(final!.text).toBe(expected);
    expect(partialIds(of('partial'))).toEqual(reference.tokens);
    let shown = '';
    for (const p of of('partial')) {
      expect(p.text).toBe(shown + p.appended);
      shown = p.text;
    }
    expect(shown).toBe(expected);
    const { jobId } = await controller.transcribeFile(SPEECH_WAV);
    await expect.poll(() => of('final').length, { timeout: 30_000 }).toBe(2);
    expect(of('final')[1]).toMatchObject({ jobId, text: expected });
    await controller.dispose();
  }

  it('writes the user\'s words as listed in partials, the final and a file\'s transcript alike', async () => {
    // A word of the (random) model's own transcript, listed in upper case: every whole-word
    // occurrence comes out so (near misses of it too, word by word, as spellAsListed says).
    const text = reference.text.trimStart();
    const word = text.match(/[\p{L}\p{N}]{2,}/u)?.[0];
    expect(word).toBeTruthy();
    const listed = [word!.toUpperCase()];
    const terms = compileVocabulary(listed);
    const expected = text.replace(/[\p{L}\p{N}]+/gu, (w) => spellAsListed(w, terms) ?? w);
    expect(expected).not.toBe(text);
    const settings = settingsFor(tiny);
    settings.replacements = { rules: [], words: listed };
    await sameTextEverywhere(settings, expected);
  }, 60_000);

  it('applies the user\'s replacements to partials, the final and a file\'s transcript alike', async () => {
    // A word of the (random) model's own transcript, replaced wherever it stands as a whole word.
    const text = reference.text.trimStart();
    const word = text.match(/[\p{L}\p{N}]{2,}/u)?.[0];
    expect(word).toBeTruthy();
    const whole = new RegExp(`(?<![\\p{L}\\p{N}])${word!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu');
    const expected = text.replace(whole, '<W>');
    expect(expected).not.toBe(text);
    const settings = settingsFor(tiny);
    settings.replacements = { rules: [{ spoken: word!.toUpperCase(), written: '<W>' }] };
    await sameTextEverywhere(settings, expected);
  }, 60_000);

  it('transcribes a WAV file with rising progress, the same ids, and a final tagged with the job', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    const { jobId } = await controller.transcribeFile(SPEECH_WAV);
    await expect.poll(() => of('final').length, { timeout: 30_000 }).toBe(1);
    expect(of('final')[0]).toMatchObject({ source: 'file', jobId, text: reference.text.trimStart(), durationMs: Math.round((speechSamples().length * 1000) / 16000) });
    expect(partialIds(of('partial'))).toEqual(reference.tokens);
    const fractions = of('progress').filter((p) => p.stage === 'transcribing-file').map((p) => p.fraction!);
    expect(fractions.length).toBeGreaterThan(3);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(of('state').map((s) => [s.state, s.source])).toEqual([['loading', 'file'], ['listening', 'file'], ['idle', 'file']]);
    await controller.dispose();
  }, 60_000);

  it('transcribes an MP3 with damaged frames: the rest of it, and a notice of what was skipped', async () => {
    const notices: string[] = [];
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null, notify: (n) => notices.push(n.message) });
    const { of } = record(controller);
    const bytes = new Uint8Array(readFileSync('test/fixtures/audio/encoded/hello.mp3'));
    for (let i = 9000; i < 11000; i++) bytes[i] = (i * 7919) & 0xff;
    const damaged = path.join(tiny.dir, 'memo.mp3');
    await writeFile(damaged, bytes);
    const { jobId } = await controller.transcribeFile(damaged);
    await expect.poll(() => of('final').length, { timeout: 30_000 }).toBe(1);
    expect(of('final')[0]).toMatchObject({ source: 'file', jobId });
    // 3 s of audio less the skipped frames, at 16 kHz.
    expect(of('final')[0].durationMs).toBeGreaterThan(2400);
    expect(of('final')[0].durationMs).toBeLessThan(3000);
    expect(of('error')).toEqual([]);
    expect(notices).toEqual([expect.stringMatching(/^memo\.mp3: \d+ damaged frames? (was|were) skipped; the rest is transcribed\.$/)]);
    await controller.dispose();
  }, 60_000);

  it('refuses a second job while one runs, and says why a file is not audio', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    await controller.start();
    await expect(controller.transcribeFile(SPEECH_WAV)).rejects.toMatchObject({ code: 'busy' });
    await controller.cancel();
    const junk = path.join(tiny.dir, 'junk.wav');
    await writeFile(junk, 'RIFF but not really');
    await controller.transcribeFile(junk);
    await expect.poll(() => of('error').length).toBe(1);
    expect(of('error')[0]).toMatchObject({ code: 'invalid-request', sessionId: null, message: expect.stringMatching(/^“junk\.wav” is not an audio (file|format) this app/) });
    await controller.transcribeFile(path.join(tiny.dir, 'missing.wav'));
    await expect.poll(() => of('error').length).toBe(2);
    expect(of('error')[1].code).toBe('not-found');
    await controller.dispose();
  }, 60_000);

  it('a microphone stream that ends while the model loads ends the dictation with its words, and says why', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    const starting = controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq)); // sent while loading
    controller.endAudio(); // ... then the microphone went away, still before the model was ready
    await starting;
    await expect.poll(() => of('final').length, { timeout: 20_000 }).toBe(1);
    expect(of('final')[0].text).toBe(reference.text.trimStart());
    expect(of('error').at(-1)?.message).toContain('The microphone stopped sending audio');
    expect(controller.status().state).toBe('idle');
    await controller.dispose();
  }, 60_000);

  it('a cancelled file job frees the engine for a dictation at once', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    const { jobId } = await controller.transcribeFile(SPEECH_WAV);
    expect(await controller.cancelFile(jobId)).toBe(true);
    await controller.start(); // was 'busy' until the cancelled job's load and run returned
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    const final = await controller.stop();
    expect(final?.text).toBe(reference.text.trimStart());
    expect(of('final').map((f) => f.source)).toEqual(['mic']); // nothing from the cancelled job
    expect(controller.status().state).toBe('idle');
    await controller.dispose();
  }, 60_000);

  it('cancel while the model loads ends in idle; frames after cancel go nowhere; the next start works', async () => {
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null });
    const { of } = record(controller);
    const starting = controller.start();
    await controller.cancel();
    await starting;
    controller.pushAudio(new Float32Array(FRAME), 0);
    expect(controller.status().state).toBe('idle');
    expect(await controller.stop()).toBeNull();
    await controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    expect((await controller.stop())?.text).toBe(reference.text.trimStart());
    expect(of('final')).toHaveLength(1);
    await controller.dispose();
  }, 60_000);
});

describe('DictationController failures', () => {
  it('says clearly when no model is chosen, or its tokenizer is missing', async () => {
    const none = new DictationController({ settings: () => settingsFor(null), vad: null });
    await expect(none.start()).rejects.toMatchObject({ code: 'no-model', message: expect.stringContaining('Settings') });
    const lonely = packTinyModel();
    rmSync(path.join(path.dirname(lonely.pte), 'tekken.json'));
    const controller = new DictationController({ settings: () => settingsFor(lonely), vad: null });
    const { of } = record(controller);
    await expect(controller.start()).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('tekken.json is missing') });
    expect(controller.status()).toMatchObject({ state: 'error', error: { code: 'model-invalid' } });
    expect(of('error')[0]).toMatchObject({ code: 'model-invalid', keptText: false });
    lonely.remove();
  });

  it('turns engine load errors into codes the UI acts on, and retries the load on the next start', async () => {
    let fail = true;
    const api: EngineApi = {
      async loadModel(options) {
        if (fail) throw new EngineError('FORMAT', 'bad magic in model.pte');
        return loadModel(options);
      },
    };
    const controller = new DictationController({ settings: () => settingsFor(tiny), host: new EngineHost(api), vad: null });
    await expect(controller.start()).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('model.pte is not a usable Voxtral model: bad magic') });
    fail = false;
    expect((await controller.start()).state).toBe('listening');
    await controller.dispose();
  }, 30_000);

  it('asks the engine for the GPU chosen in Settings, and says where to change it when that GPU is refused', async () => {
    const gpu = 'GPU-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901';
    const asked: LoadModelOptions[] = [];
    const api: EngineApi = {
      async loadModel(options) {
        asked.push(options);
        if (options.gpu) throw new EngineError('BACKEND_UNAVAILABLE', `the chosen GPU ${gpu} is not on this machine (found: #0 NVIDIA RTX A6000 (GPU-99999999-8888-7777-6666-555555555555))`);
        throw new EngineError('BACKEND_UNAVAILABLE', 'backend cuda is unavailable: no NVIDIA GPU found');
      },
    };
    let settings = settingsFor(tiny, { backend: 'auto', gpu }); // 'auto' on a machine with a usable GPU
    const controller = new DictationController({ settings: () => settings, host: new EngineHost(api), vad: null, resolveBackend: (c) => (c === 'auto' ? 'cuda' : c) });
    await expect(controller.start()).rejects.toMatchObject({
      code: 'unavailable',
      message: `Cannot load the model on the GPU chosen in Settings: the chosen GPU ${gpu} is not on this machine (found: #0 NVIDIA RTX A6000 (GPU-99999999-8888-7777-6666-555555555555)). Choose another GPU, or "First usable GPU", in Settings.`,
    });
    expect(asked[0]).toMatchObject({ backend: 'cuda', gpu });
    settings = settingsFor(tiny, { backend: 'cuda', gpu: null }); // First usable GPU: the engine's own default
    await expect(controller.start()).rejects.toMatchObject({ code: 'unavailable', message: 'The CUDA engine is not available here: backend cuda is unavailable: no NVIDIA GPU found' });
    expect(asked).toHaveLength(2);
    expect('gpu' in asked[1]).toBe(false);
    await controller.dispose();
  });

  it('an engine failure mid-dictation keeps the words decoded so far, and the next dictation works', async () => {
    const { decoded, controller } = await failMidDictation(settingsFor(tiny));
    expect(decoded.length).toBeGreaterThan(0);
    await controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    expect((await controller.stop())?.text).toBe(reference.text.trimStart());
    await controller.dispose();
  }, 60_000);

  it('an engine failure keeps words held for a replacement too', async () => {
    // Rules that any word or other character of the transcript may begin, so whatever was decoded
    // last is held when the engine fails: it must reach the page (and history) all the same.
    const words = reference.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    const others = reference.text.match(/[^\p{L}\p{N}\s]/gu) ?? [];
    const settings = settingsFor(tiny);
    settings.replacements = { rules: [...new Set([...words, ...others])].map((w) => ({ spoken: `${w} zzqqxx`, written: '!' })) };
    const plain = await failMidDictation(settingsFor(tiny));
    const held = await failMidDictation(settings);
    expect(held.released).toBe(true); // a partial without ids: the held tail, given back at the failure
    expect(plain.released).toBe(false);
    expect(held.decoded).toBe(plain.decoded);
    await Promise.all([plain.controller.dispose(), held.controller.dispose()]);
  }, 60_000);

  /** The real model, whose session reports an engine error after its 30th batch of tokens (the first session only). */
  async function failMidDictation(settings: Settings) {
    let sabotage = true;
    const api: EngineApi = {
      async loadModel(options) {
        const model = await loadModel(options);
        const wrapped: EngineModel = {
          info: model.info,
          dispose: () => model.dispose(),
          createSession(o) {
            let batches = 0;
            const failing = sabotage;
            return model.createSession({
              onError: o.onError,
              onTokens(ids, first) {
                o.onTokens(ids, first);
                if (failing && ++batches === 30) o.onError(new EngineError('OUT_OF_MEMORY', 'KV cache allocation failed'));
              },
            });
          },
        };
        return wrapped;
      },
    };
    const controller = new DictationController({ settings: () => settings, host: new EngineHost(api), vad: null });
    const { of } = record(controller);
    const first = await controller.start();
    framesOf(speechSamples()).forEach((f, seq) => controller.pushAudio(f, seq));
    await expect.poll(() => of('error').length, { timeout: 20_000 }).toBe(1);
    const last = of('partial').at(-1)!;
    const decoded = last.text;
    expect(of('error')[0]).toMatchObject({ code: 'engine', keptText: decoded.trim().length > 0, sessionId: first.sessionId, message: expect.stringContaining('KV cache allocation failed') });
    expect(controller.status()).toMatchObject({ state: 'error', sessionId: first.sessionId });
    expect(await controller.stop()).toBeNull(); // nothing left to flush; the words are in the error's history entry
    sabotage = false;
    return { decoded, released: last.tokenIds.length === 0, controller };
  }

  it('drops malformed frames instead of passing them to the engine', async () => {
    const tapped: number[] = [];
    const controller = new DictationController({ settings: () => settingsFor(tiny), vad: null, audioTap: (f) => tapped.push(f.length) });
    await controller.start();
    controller.pushAudio(new Float32Array(0), 0);
    controller.pushAudio(new Float32Array(16_001), 1);
    controller.pushAudio([1, 2, 3] as unknown as Float32Array, 2);
    controller.pushAudio(new Float32Array(FRAME), 3);
    expect(tapped).toEqual([FRAME]);
    await controller.cancel();
    await controller.dispose();
  }, 30_000);
});

/** A stand-in for Silero: speech wherever the 32 ms window is louder than −34 dBFS. */
function energyVad(): VoiceActivityService {
  const model: StreamingVadModel = {
    createStream: () => ({
      run: async (window: Float32Array) => (Math.sqrt(window.reduce((a, v) => a + v * v, 0) / window.length) > 0.02 ? 0.95 : 0.02),
      reset: () => undefined,
      dispose: async () => undefined,
    }),
    dispose: async () => undefined,
  };
  return new VoiceActivityService({ locate: () => 'energy', load: async () => model });
}

describe('DictationController with voice activity', () => {
  const handsFree = (model: TinyModel): Settings => {
    const s = settingsFor(model);
    s.handsFree = { ...s.handsFree, enabled: true, silenceMs: 400, minSpeechMs: 100 };
    return s;
  };
  const silence = () => framesOf(new Float32Array(16_000));

  it('shows speech, and stops by itself after the silence that follows it (hands-free)', async () => {
    const tapped: Float32Array[] = [];
    const controller = new DictationController({ settings: () => handsFree(tiny), vad: energyVad(), audioTap: (f) => tapped.push(f.slice()) });
    const { of } = record(controller);
    await controller.start();
    const audio = [...framesOf(speechSamples()), ...silence()];
    audio.forEach((f, seq) => controller.pushAudio(f, seq));
    await expect.poll(() => of('final').length, { timeout: 20_000 }).toBe(1);
    expect(of('speech').some((e) => e.speaking)).toBe(true);
    expect(controller.status().state).toBe('idle');
    // The VAD only watched: every frame reached the engine unchanged, and the ids are the CLI's.
    expect(tapped).toEqual(audio);
    const wav = path.join(tiny.dir, 'hands-free.wav');
    await writeFile(wav, writeFloatWav(Float32Array.from(tapped.flatMap((f) => [...f])), 16_000));
    const expected = await transcribeFile({ pte: tiny.pte, ptd: tiny.ptd, backend: 'cpu', dtype: 'fp32', audio: wav });
    expect(partialIds(of('partial'))).toEqual(expected.tokens);
    await controller.dispose();
  }, 60_000);

  it('hands the silence stop to a handler that takes it (the hotkey coordinator), else stops itself', async () => {
    const controller = new DictationController({ settings: () => handsFree(tiny), vad: energyVad() });
    const { of } = record(controller);
    let asked = 0;
    controller.setVoiceStopHandler(() => { asked += 1; return true; });
    await controller.start();
    [...framesOf(speechSamples()), ...silence()].forEach((f, seq) => controller.pushAudio(f, seq));
    await expect.poll(() => asked, { timeout: 20_000 }).toBe(1);
    expect(controller.status().state).toBe('listening'); // the handler decides; the controller waits
    expect(of('final')).toEqual([]);
    await controller.stop();
    await controller.dispose();
  }, 60_000);
});
