// Nothing is lost after a pause: the embedded demo model (trained with at most 0.5 s of silence
// after speech) samples EOS in a 2 s pause, which used to end the transcript there. A sentence, a
// 2 s pause and another sentence must come out whole, identically, from all three paths: live
// dictation (the real controller fed 80 ms frames), a file job and `voxtral transcribe`. Real
// engine on CPU, real espeak-ng speech, nothing faked.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinalTranscript, Settings } from '../../electron/common/ipc-contract';
import { transcribeFile, type TranscribeResult } from '../../electron/cli/commands/transcribe';
import { DictationController } from '../../electron/core/dictation';
import { findDemoModel, type ModelFiles } from '../../electron/core/models/demo-model';
import { defaultSettings } from '../../electron/core/settings/defaults';
import { AudioWorkshop, concat, frames } from '../unit/vad/speech-audio';
import { writeFloatWav } from './audio-compare';

// The demo model ends its transcript (EOS) in the pause after the first sentence.
const FIRST = 'Please send the report tomorrow.';
const SECOND = 'Can you check the new invoice today?';
const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

const audio = new AudioWorkshop();
let demo: ModelFiles;
let wav: string;
let pcm: Float32Array;
/** Where the second sentence begins, in samples. */
let secondAt: number;
let cli: TranscribeResult;

function settings(): Settings {
  const s = defaultSettings(); // no model chosen: the controller runs the demo model
  s.engine = { backend: 'cpu', dtype: 'fp32', threads: 0, gpu: null, unloadAfterMinutes: 0 };
  return s;
}

beforeAll(async () => {
  const found = findDemoModel();
  if (!found) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
  demo = found;
  const room = (s: number) => audio.silence(s, true);
  const before = concat([room(0.5), audio.speech(FIRST, 'en', 175), room(2)]);
  secondAt = before.length;
  pcm = concat([before, audio.speech(SECOND, 'en', 175), room(1)]);
  wav = path.join(audio.dir, 'pause.wav');
  await writeFile(wav, writeFloatWav(pcm, 16_000));
  cli = await transcribeFile({ pte: demo.pte, ptd: demo.ptd ?? undefined, backend: 'cpu', dtype: 'fp32', audio: wav });
  console.log(`transcribe after a 2 s pause: ${JSON.stringify(cli.text)}`);
}, 120_000);
afterAll(() => audio.cleanup());

describe('a 2 s pause on the demo model (real engine)', () => {
  it('voxtral transcribe keeps the words after the pause', () => {
    expect(words(cli.text)).toEqual(words(`${FIRST} ${SECOND}`));
    // The model did end its first transcript in the pause: the EOS id sits between the two parts,
    // and the second engine session began at the first sample the EOS step (position 38 + index)
    // had not seen.
    const eos = cli.tokens.indexOf(2);
    expect(eos).toBeGreaterThan(0);
    expect(eos).toBeLessThan(cli.tokens.length - 1);
    expect(cli.segments.length).toBeGreaterThanOrEqual(2);
    expect(cli.segments[1].startSample).toBe(1280 * (38 + eos + 1) + 40 - 40960);
  });

  it.each([['digital silence', false], ['room tone', true]] as const)(
    '20 s of %s after the sentence opens at most one more engine session, and adds no words',
    async (_name, noise) => {
      const quiet = concat([audio.silence(0.5, noise), audio.speech(FIRST, 'en', 175), audio.silence(20, noise)]);
      const file = path.join(audio.dir, `quiet-${noise}.wav`);
      await writeFile(file, writeFloatWav(quiet, 16_000));
      const r = await transcribeFile({ pte: demo.pte, ptd: demo.ptd ?? undefined, backend: 'cpu', dtype: 'fp32', audio: file });
      console.log(`sentence + 20 s of ${_name}: ${JSON.stringify(r.text)}, segments ${JSON.stringify(r.segments)}`);
      expect(words(r.text)).toEqual(words(FIRST));
      expect(r.segments.length).toBeLessThanOrEqual(2);
    },
    120_000,
  );

  it('live dictation (80 ms frames, paced) gives the same ids and text as transcribe', async () => {
    const controller = new DictationController({ settings, fallbackModel: () => demo });
    let final: FinalTranscript | null = null;
    const partials: { appended: string; text: string; tokenIds: number[] }[] = [];
    let pushed = 0;
    let sawEos = false;
    /** Frames pushed when the first id after the EOS (the second session's) arrived. */
    let continuedAt: number | null = null;
    controller.onEvent((e) => {
      if (e.name === 'partial') {
        if (sawEos && continuedAt === null && e.payload.tokenIds.length > 0) continuedAt = pushed;
        if (e.payload.tokenIds.includes(2)) sawEos = true;
        partials.push(e.payload);
      }
      if (e.name === 'final') final = e.payload;
    });
    await controller.start();
    const all = frames(pcm);
    const push = async (from: number, to: number) => {
      for (let seq = from; seq < to; seq++) {
        controller.pushAudio(all[seq], seq);
        pushed++;
        await new Promise((r) => setTimeout(r, 2)); // as a live microphone would, but faster
      }
    };
    // Up to the second sentence; the model has ended its transcript in the pause by then.
    const second = Math.floor(secondAt / 1280);
    await push(0, second);
    await expect.poll(() => sawEos, { timeout: 30_000 }).toBe(true);
    // The next session starts while audio is still coming in, not only at the flush.
    await push(second, all.length - 5);
    await expect.poll(() => continuedAt, { timeout: 30_000 }).not.toBeNull();
    expect(continuedAt!).toBeLessThan(all.length);
    await push(all.length - 5, all.length);
    controller.endAudio();
    await controller.stop();
    await controller.dispose();
    expect(final).not.toBeNull();
    expect(final!.text).toBe(cli.text.trim());
    expect(partials.flatMap((p) => p.tokenIds)).toEqual(cli.tokens);
    // Partials only append: each text is the one before plus its `appended`.
    let text = '';
    for (const p of partials) {
      expect(p.text).toBe(text + p.appended);
      text = p.text;
    }
    expect(text).toBe(final!.text);
  }, 120_000);

  it('a file job gives the same text as transcribe', async () => {
    const controller = new DictationController({ settings, fallbackModel: () => demo });
    const done = new Promise<FinalTranscript>((resolve, reject) => {
      controller.onEvent((e) => {
        if (e.name === 'final') resolve(e.payload);
        if (e.name === 'error') reject(new Error(e.payload.message));
      });
    });
    await controller.transcribeFile(wav);
    const final = await done;
    await controller.dispose();
    expect(final.source).toBe('file');
    expect(final.text).toBe(cli.text.trim());
  }, 120_000);
});
