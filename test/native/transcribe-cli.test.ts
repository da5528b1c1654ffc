/** `voxtral transcribe`: text and --json output through the CLI dispatcher, and its user errors. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { findDemoModel } from '../../electron/core/models/demo-model.js';
import { writeFloatWav } from '../e2e-dictation/audio-compare.js';
import { AudioWorkshop, concat } from '../unit/vad/speech-audio.js';
import { loadTekken } from '../../native-models/js/tokenizer/tekken.js';
import { audioProgress } from '../../electron/cli/commands/transcribe.js';
import { cli, fixtureAudio, load, packedPair, repoRoot, scratchDir, streamThrough } from './helpers.js';

describe('voxtral transcribe', () => {
  const pair = packedPair('small');
  const fox = path.join(repoRoot, 'test/fixtures/audio/quick-brown-fox-16k.wav');

  it('prints the JSON result with the streamed tokens and their text', async () => {
    const { code, out, err } = await cli(['transcribe', '--model', pair.pte, '--backend', 'cpu', '--dtype', 'fp32', '--json', fox]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(Object.keys(r).sort()).toEqual(['audioSeconds', 'backend', 'dtype', 'msPerStep', 'segments', 'steps', 'text', 'tokens', 'words']);
    const model = await load(pair);
    const direct = await streamThrough(model, fixtureAudio('quick-brown-fox-16k.wav'));
    model.dispose();
    expect(r.tokens).toEqual(direct.result.tokens);
    const tekken = loadTekken(JSON.parse(readFileSync(path.join(pair.dir, 'tekken.json'), 'utf8')));
    expect(r.text).toBe(tekken.decode(r.tokens));
    expect(r.audioSeconds).toBeCloseTo(fixtureAudio('quick-brown-fox-16k.wav').length / 16000, 6);
    expect(r.steps).toBe(r.tokens.length);
    expect(r).toMatchObject({ backend: 'cpu', dtype: 'fp32' });
    // This random model never samples EOS early: one engine session, all the ids.
    expect(r.segments).toEqual([{ startSample: 0, endSample: null, firstToken: 0, tokenCount: r.tokens.length, steps: r.steps }]);
  });

  it('goes on after a pause in which the model ends its transcript (demo model): prints both parts', async () => {
    const demo = findDemoModel();
    if (!demo) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const audio = new AudioWorkshop();
    try {
      const room = (s: number) => audio.silence(s, true);
      const before = concat([room(0.5), audio.speech('Please send the report tomorrow.', 'en', 175), room(2)]);
      const pcm = concat([before, audio.speech('Can you check the new invoice today?', 'en', 175), room(1)]);
      const wav = path.join(audio.dir, 'pause.wav');
      writeFileSync(wav, writeFloatWav(pcm, 16_000));
      const text = await cli(['transcribe', '--model', demo.pte, wav]);
      expect(text.err).toBe('');
      expect(text.out).toBe('Please send the report tomorrow. Can you check the new invoice today?\n');
      const r = JSON.parse((await cli(['transcribe', '--model', demo.pte, '--json', wav])).out);
      // A new engine session after each early EOS (id 2, at decoder position q = 38 + its index in
      // the segment): the next began at the first sample that EOS step had not seen,
      // 1280 (q + 1) + 40 − 40960 samples into the segment (the second sentence's EOS, in the 1 s of
      // trailing room tone, may leave one more on the rest of it).
      console.log(`segments: ${JSON.stringify(r.segments)}`);
      expect(r.segments.length).toBeGreaterThanOrEqual(2);
      let firstToken = 0;
      for (const [i, seg] of r.segments.entries()) {
        expect(seg.firstToken).toBe(firstToken);
        firstToken += seg.tokenCount;
        if (seg.endSample === null) continue;
        expect(r.tokens[firstToken - 1]).toBe(2);
        const q = 38 + seg.tokenCount - 1;
        expect(seg.endSample).toBe(seg.startSample + 1280 * (q + 1) + 40 - 40960);
        if (i + 1 < r.segments.length) expect(r.segments[i + 1].startSample).toBe(seg.endSample);
      }
      expect(r.tokens).toHaveLength(firstToken);
      // The first session ended in the pause, before the second sentence.
      expect(r.segments[0].endSample).toBeLessThan(before.length);
      expect(r.steps).toBe(r.tokens.length);

      // Subtitles: one cue a sentence, the second shown when its sentence is said (after the 2 s
      // pause: not at the new segment's start), within the model's few hundred ms of writing lag.
      const srt = await cli(['transcribe', '--model', demo.pte, '--format', 'srt', wav]);
      expect(srt.err).toBe('');
      const cues = srt.out.trim().split('\n\n').map((block) => {
        const [index, times, ...lines] = block.split('\n');
        const [from, to] = times.split(' --> ').map((t) => { const [h, m, rest] = t.split(':'); const [sec, ms] = rest.split(','); return ((+h * 60 + +m) * 60 + +sec) * 1000 + +ms; });
        return { index: Number(index), from, to, text: lines.join(' ') };
      });
      expect(cues.map((c) => [c.index, c.text])).toEqual([[1, 'Please send the report tomorrow.'], [2, 'Can you check the new invoice today?']]);
      const secondSaidMs = (before.length / 16_000) * 1000;
      expect(cues[0].from).toBeGreaterThanOrEqual(500); // after the 0.5 s of room tone
      expect(cues[0].to).toBeLessThanOrEqual(secondSaidMs);
      expect(cues[1].from).toBeGreaterThanOrEqual(secondSaidMs);
      expect(cues[1].from).toBeLessThan(secondSaidMs + 700);
      expect(cues[1].to).toBeGreaterThan(cues[1].from);
    } finally {
      audio.cleanup();
    }
  });

  it('resamples any rate and channel count: a 44.1 kHz stereo copy gives nearly the same tokens', async () => {
    const dir = scratchDir('cli-stereo');
    mkdirSync(dir, { recursive: true });
    const stereo = path.join(dir, 'fox-44k-stereo.wav');
    execFileSync('sox', [fox, '-r', '44100', '-c', '2', '-b', '24', stereo]);
    const a = JSON.parse((await cli(['transcribe', '--model', pair.pte, '--json', fox])).out);
    const b = JSON.parse((await cli(['transcribe', '--model', pair.pte, '--json', stereo])).out);
    expect(b.tokens.length).toBe(a.tokens.length);
    const same = a.tokens.filter((t: number, i: number) => t === b.tokens[i]).length;
    expect(same / a.tokens.length).toBeGreaterThan(0.8);
  });

  it('gives each word the time the model wrote it: in order, a few hundred ms behind the voice (demo model)', async () => {
    const demo = findDemoModel();
    if (!demo) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const r = JSON.parse((await cli(['transcribe', '--model', demo.pte, '--json', path.join(repoRoot, 'test/fixtures/audio/hello-dictation-16k.wav')])).out);
    expect(r.words.map((w: { text: string }) => w.text).join(' ')).toBe(r.text.trim());
    for (const [i, w] of r.words.entries()) {
      expect(w.endMs).toBeGreaterThan(w.startMs);
      if (i > 0) expect(w.startMs).toBeGreaterThanOrEqual(r.words[i - 1].endMs);
    }
    // Where the voice begins each of these words in the clip (its energy, 80 ms windows).
    const said: Record<string, number> = { Hello: 0, 'This': 1040, 'test.': 2240 };
    for (const w of r.words.filter((x: { text: string }) => x.text in said)) {
      expect(w.startMs, w.text).toBeGreaterThanOrEqual(said[w.text]);
      expect(w.startMs, w.text).toBeLessThanOrEqual(said[w.text] + 600);
    }
  });

  it('reads MP3, FLAC, Ogg Vorbis, Opus and (through ffmpeg) M4A: the demo model hears the words of the WAV in each', async () => {
    const demo = findDemoModel();
    if (!demo) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const fixtures = path.join(repoRoot, 'test/fixtures/audio');
    const wav = await cli(['transcribe', '--model', demo.pte, path.join(fixtures, 'hello-dictation-16k.wav')]);
    expect(wav.out).toBe('Hello Ben, This is a dictation test.\n');
    for (const file of ['hello.mp3', 'hello.flac', 'hello-vorbis.ogg', 'hello.opus', 'hello.m4a']) {
      const r = await cli(['transcribe', '--model', demo.pte, path.join(fixtures, 'encoded', file)]);
      expect({ file, ...r }).toEqual({ file, code: 0, out: wav.out, err: '' });
    }
  });

  it('transcribes several files into --out-dir, one output each; a bad one is reported and the rest go on', async () => {
    const demo = findDemoModel();
    if (!demo) throw new Error('the demo model (native-models/models/demo) is missing from the checkout');
    const dir = scratchDir('cli-batch');
    mkdirSync(dir, { recursive: true });
    const notes = path.join(dir, 'notes.mp3');
    writeFileSync(notes, 'not audio at all\n'.repeat(20));
    const encoded = path.join(repoRoot, 'test/fixtures/audio/encoded');
    const out = path.join(dir, 'subs');
    const r = await cli(['transcribe', '--model', demo.pte, '--format', 'srt', '--out-dir', out, path.join(encoded, 'hello.mp3'), notes, path.join(encoded, 'hello.opus')]);
    expect(r.code).toBe(1);
    // Two inputs named hello: the second gets -2.
    expect(r.out).toBe(`${path.join(encoded, 'hello.mp3')} → ${path.join(out, 'hello.srt')}\n${path.join(encoded, 'hello.opus')} → ${path.join(out, 'hello-2.srt')}\n`);
    expect(r.err).toMatch(new RegExp(`^voxtral transcribe: ${notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: “notes\\.mp3” is not an audio (file|format) this app.*\\n2 of 3 files transcribed\\n$`, 's'));
    for (const name of ['hello.srt', 'hello-2.srt']) expect(readFileSync(path.join(out, name), 'utf8')).toMatch(/^1\n00:00:0\d,\d{3} --> .*\nHello Ben, This is a dictation test\.\n$/);
    const many = await cli(['transcribe', '--model', demo.pte, path.join(encoded, 'hello.mp3'), notes]);
    expect(many.err).toMatch(/several AUDIO files need --out-dir DIR/);
  });

  it('shows how far into the file it is on a terminal only, and ends that line once', () => {
    let err = '';
    const io = { out: () => undefined, err: (t: string) => { err += t; } };
    expect(audioProgress(io, 'talk.mp3', false)).toBeUndefined(); // a pipe or a log: nothing but the result
    const progress = audioProgress(io, 'talk.mp3', true)!;
    progress(16_000 * 30, 16_000 * 120);
    progress(16_000 * 120, 16_000 * 120);
    progress(16_000 * 120, 16_000 * 120); // after the end: nothing more
    expect(err).toBe('\r\x1b[2Ktranscribing talk.mp3  25%  0:30 of 2:00\r\x1b[2Ktranscribing talk.mp3 100%  2:00 of 2:00\n');
  });

  it('reports bad requests in one line', async () => {
    const missing = await cli(['transcribe', '--model', '/nope/model.pte', fox]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^voxtral transcribe: /);
    const badDtype = await cli(['transcribe', '--model', pair.pte, '--dtype', 'fp8', fox]);
    expect(badDtype.err).toMatch(/--dtype must be one of fp32, bf16/);
    expect((await cli(['transcribe', '--model', pair.pte, '--format', 'docx', fox])).err).toMatch(/--format must be one of text, json, srt, vtt/);
    expect((await cli(['transcribe', '--model', pair.pte, '--json', '--format', 'srt', fox])).err).toMatch(/--json is --format json/);
    const notWav = await cli(['transcribe', '--model', pair.pte, pair.pte]);
    expect(notWav.code).toBe(1);
    expect(notWav.err).toMatch(/“model\.pte” is not an audio (file|format) this app/);
    expect(notWav.err).not.toMatch(/unexpected error/);
  });
});
