/**
 * Audio files beyond WAV: the format read from the first bytes, MP3/FLAC/Vorbis/Opus decoded here
 * and M4A through ffmpeg, each compared with the WAV it was encoded from (test/fixtures/audio/
 * encoded/make.sh); damaged, empty, too long and unknown files refused or salvaged with a clear
 * message.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { id3TagLength, sniffAudioFormat } from '../../native-models/js/audio/audio-format.js';
import { EngineAudioSink } from '../../native-models/js/audio/engine-audio-sink.js';
import { findFfmpeg } from '../../native-models/js/audio/ffmpeg.js';
import { readWavFile } from '../../native-models/js/audio/load-audio.js';
import { AudioFileError, readAudioFile } from '../../native-models/js/audio/read-audio-file.js';
import { resample } from '../../native-models/js/audio/resample.js';

const repo = path.resolve(__dirname, '../..');
const encoded = (name: string) => path.join(repo, 'test/fixtures/audio/encoded', name);
const reference = readWavFile(path.join(repo, 'test/fixtures/audio/hello-dictation-16k.wav')).samples;
const scratch = mkdtempSync(path.join(tmpdir(), 'vxd-audio-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Best normalised correlation of `x` with `ref` over lags of ±maxLag samples (codec delays, or
 * skipped frames); positive lag: `x` is late.
 */
function similarity(x: Float32Array, ref: Float32Array = reference, maxLag = 960): { corr: number; lag: number } {
  const energy = (a: Float32Array) => {
    const sums = new Float64Array(a.length + 1);
    for (let i = 0; i < a.length; i++) sums[i + 1] = sums[i] + a[i] * a[i];
    return (from: number, n: number) => sums[from + n] - sums[from];
  };
  const ex = energy(x), er = energy(ref);
  let best = { corr: -1, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    const a0 = Math.max(0, lag), b0 = Math.max(0, -lag);
    const n = Math.min(x.length - a0, ref.length - b0);
    if (n <= 0) continue;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += x[a0 + i] * ref[b0 + i];
    const corr = dot / (Math.sqrt(ex(a0, n) * er(b0, n)) + 1e-12);
    if (corr > best.corr) best = { corr, lag };
  }
  return best;
}

function scratchFile(name: string, bytes: Uint8Array | string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, bytes);
  return file;
}

async function refusal(file: string, options: Parameters<typeof readAudioFile>[1] = {}): Promise<AudioFileError> {
  const err = await readAudioFile(file, options).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AudioFileError);
  return err as AudioFileError;
}

describe('reading audio files', () => {
  it.each([
    ['hello.mp3', 'mp3', 44100, 2, 0.97],
    ['hello.flac', 'flac', 22050, 1, 0.999],
    ['hello-vorbis.ogg', 'ogg-vorbis', 32000, 2, 0.95],
    ['hello.opus', 'ogg-opus', 48000, 1, 0.95],
  ] as const)('decodes %s here, back to the original at 16 kHz mono', async (file, id, rate, channels, minCorr) => {
    const audio = await readAudioFile(encoded(file), { ffmpeg: null });
    expect(audio.format.id).toBe(id);
    expect(audio.decoder).toBe('built-in');
    expect(audio.skippedFrames).toBe(0);
    expect(audio.source).toMatchObject({ sampleRate: rate, channels });
    // Same length within the codecs' padding (at most ~60 ms), same signal within their loss.
    expect(Math.abs(audio.samples.length - reference.length)).toBeLessThan(960);
    const { corr, lag } = similarity(audio.samples);
    expect(corr).toBeGreaterThan(minCorr);
    expect(Math.abs(lag)).toBeLessThan(960);
  });

  it('decodes an M4A (AAC) through ffmpeg when there is one, and says to install it when not', async () => {
    const ffmpeg = findFfmpeg();
    expect(ffmpeg, 'ffmpeg must be installed for this test (.ci/run installs it)').not.toBeNull();
    const audio = await readAudioFile(encoded('hello.m4a'), { ffmpeg });
    expect(audio.format.id).toBe('mp4');
    expect(audio.decoder).toBe('ffmpeg');
    expect(Math.abs(audio.samples.length - reference.length)).toBeLessThan(960);
    expect(similarity(audio.samples).corr).toBeGreaterThan(0.95);

    const err = await refusal(encoded('hello.m4a'), { ffmpeg: null });
    expect(err.problem).toBe('needs-ffmpeg');
    expect(err.message).toMatch(/“hello\.m4a” is an MP4\/M4A file: WAV, MP3, FLAC, Ogg Vorbis and Opus are read directly; for other formats install ffmpeg/);
  });

  it('trusts the bytes, not the name: an MP3 called .wav is read as MP3', async () => {
    const misnamed = path.join(scratch, 'memo.wav');
    copyFileSync(encoded('hello.mp3'), misnamed);
    const audio = await readAudioFile(misnamed, { ffmpeg: null });
    expect(audio.format.id).toBe('mp3');
    expect(similarity(audio.samples).corr).toBeGreaterThan(0.97);
  });

  it('keeps the rest of an MP3 whose middle is damaged, and counts what it skipped', async () => {
    const bytes = new Uint8Array(readFileSync(encoded('hello.mp3')));
    for (let i = 9000; i < 11000; i++) bytes[i] = (i * 7919) & 0xff;
    const audio = await readAudioFile(scratchFile('damaged.mp3', bytes), { ffmpeg: null });
    expect(audio.skippedFrames).toBeGreaterThan(0);
    // Up to the damage (~1 s in) the original, in place; after it, the original again, earlier
    // by the frames skipped (the audio goes on without a gap).
    expect(audio.samples.length).toBeGreaterThan(reference.length * 0.8);
    expect(audio.samples.length).toBeLessThan(reference.length);
    expect(similarity(audio.samples.subarray(0, 14000), reference.subarray(0, 14000), 200).corr).toBeGreaterThan(0.97);
    const after = similarity(audio.samples.subarray(24000), reference.subarray(24000), 8000);
    expect(after.corr).toBeGreaterThan(0.95);
    expect(after.lag).toBeLessThan(-1000);
  });

  it('refuses what holds no audio, clearly', async () => {
    expect((await refusal(scratchFile('empty.mp3', ''))).message).toBe('“empty.mp3” is empty.');
    const text = await refusal(scratchFile('notes.mp3', 'Shopping list: milk, eggs, bread.\n'.repeat(20)), { ffmpeg: null });
    expect(text.problem).toBe('unsupported');
    expect(text.message).toMatch(/^“notes\.mp3” is not an audio format this app reads/);
    // MP3 frame headers with nothing decodable behind them.
    const junk = new Uint8Array(4000).map((_, i) => (i % 400 === 0 ? 0xff : i % 400 === 1 ? 0xfb : (i * 31) & 0xff));
    const noise = await refusal(scratchFile('junk.mp3', junk), { ffmpeg: null });
    expect(['corrupt', 'no-audio']).toContain(noise.problem);
    expect(noise.message).toMatch(/^“junk\.mp3” \(MP3\): /);
    expect((await refusal(path.join(scratch, 'absent.flac'))).problem).toBe('not-found');
    const ffmpeg = findFfmpeg();
    if (ffmpeg) {
      const unknown = await refusal(scratchFile('notes.bin', 'not audio at all\n'.repeat(50)), { ffmpeg });
      expect(unknown.problem).toBe('unsupported');
      expect(unknown.message).toMatch(/^“notes\.bin” is not an audio file this app or ffmpeg can read/);
    }
  });

  it('refuses audio longer than the limit, built-in or through ffmpeg', async () => {
    const long = await refusal(encoded('hello.flac'), { ffmpeg: null, maxSeconds: 2 });
    expect(long.problem).toBe('too-long');
    expect(long.message).toBe('“hello.flac” is longer than 2 s; split it first.');
  });

  it('stops when aborted, ffmpeg included', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the test'));
    await expect(readAudioFile(encoded('hello.opus'), { signal: controller.signal, ffmpeg: null })).rejects.toThrow(/abort|cancelled/i);
    const ffmpeg = findFfmpeg();
    if (ffmpeg) await expect(readAudioFile(encoded('hello.m4a'), { signal: controller.signal, ffmpeg })).rejects.toThrow(/cancelled by the test/);
  });
});

describe('sniffing the format', () => {
  const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
  const id3 = (size: number) => bytes('ID3', [3, 0, 0, 0, 0, size >> 7, size & 0x7f]);

  it.each([
    [bytes('RIFF', [0, 0, 0, 0], 'WAVE'), 'wav'],
    [bytes('fLaC', [0, 0, 0, 34]), 'flac'],
    [bytes('OggS', new Array(22).fill(0), [1, 30], 'OpusHead'), 'ogg-opus'],
    [bytes('OggS', new Array(22).fill(0), [1, 30], [1], 'vorbis'), 'ogg-vorbis'],
    [bytes('OggS', new Array(22).fill(0), [1, 30], 'Speex   '), 'ogg-other'],
    [bytes([0, 0, 0, 32], 'ftypM4A '), 'mp4'],
    [bytes([0x1a, 0x45, 0xdf, 0xa3]), 'matroska'],
    [bytes('FORM', [0, 0, 0, 0], 'AIFF'), 'aiff'],
    [bytes([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    [bytes([0xff, 0xf1, 0x50, 0x80]), 'aac'],
    [id3(200), 'mp3'],
    [bytes('hello world'), 'unknown'],
    [new Uint8Array(), 'unknown'],
  ] as const)('%#: %s', (head, id) => {
    expect(sniffAudioFormat(head).id).toBe(id);
  });

  it('looks past an ID3 tag', () => {
    const tag = id3(300);
    expect(id3TagLength(tag)).toBe(310);
    expect(sniffAudioFormat(tag, bytes('fLaC')).id).toBe('flac');
    expect(sniffAudioFormat(tag, bytes([0xff, 0xfb, 0x90, 0x64])).id).toBe('mp3');
  });
});

describe('EngineAudioSink', () => {
  it('mixes to mono and resamples block by block exactly as the whole-file path does', () => {
    const rate = 44100;
    const left = Float32Array.from({ length: rate }, (_, i) => Math.sin(i * 0.05));
    const right = Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin(i * 0.31));
    const sink = new EngineAudioSink();
    for (let at = 0; at < rate; at += 1000) sink.push([left.subarray(at, at + 1000), right.subarray(at, at + 1000)], rate);
    const ours = sink.finish();
    const whole = resample(left.map((v, i) => (v + right[i]) / 2), rate, 16000);
    expect(ours.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(ours[i] - whole[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(sink.sourceRate).toBe(rate);
    expect(sink.sourceChannels).toBe(2);
  });

  it('follows a change of rate mid-stream (chained streams) and passes 16 kHz through', () => {
    const sink = new EngineAudioSink();
    sink.push([new Float32Array(48000).fill(0.25)], 48000);
    sink.push([new Float32Array(16000).fill(0.5)], 16000);
    const out = sink.finish();
    expect(out.length).toBe(32000);
    expect(out[8000]).toBeCloseTo(0.25, 3);
    expect(out[24000]).toBe(0.5);
  });
});
