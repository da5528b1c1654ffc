/** WAV parsing (every supported encoding, channel mixing, corrupt files) and the resampler's frequency response. */
import { describe, expect, it } from 'vitest';

import { toEngineAudio } from '../../native-models/js/audio/load-audio.js';
import { resample } from '../../native-models/js/audio/resample.js';
import { parseWav, WavError } from '../../native-models/js/audio/wav.js';

function wavBytes(opts: { format: 1 | 3 | 0xfffe; subFormat?: 1 | 3; bits: number; channels: number; rate: number; frames: number[][] }): Uint8Array {
  const { format, bits, channels, rate, frames } = opts;
  const bps = bits / 8;
  const fmtSize = format === 0xfffe ? 40 : 16;
  const dataSize = frames.length * channels * bps;
  const b = Buffer.alloc(12 + 8 + fmtSize + 8 + dataSize);
  b.write('RIFF', 0);
  b.writeUInt32LE(b.length - 8, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(fmtSize, 16);
  b.writeUInt16LE(format, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * channels * bps, 28);
  b.writeUInt16LE(channels * bps, 32);
  b.writeUInt16LE(bits, 34);
  if (format === 0xfffe) {
    b.writeUInt16LE(22, 36);
    b.writeUInt16LE(opts.subFormat ?? 1, 44);
  }
  let at = 20 + fmtSize;
  b.write('data', at);
  b.writeUInt32LE(dataSize, at + 4);
  at += 8;
  const isFloat = format === 3 || opts.subFormat === 3;
  for (const frame of frames)
    for (const v of frame) {
      if (isFloat) b.writeFloatLE(v, at);
      else if (bits === 16) b.writeInt16LE(Math.round(v * 32767), at);
      else if (bits === 24) b.writeIntLE(Math.round(v * 8388607), at, 3);
      else if (bits === 32) b.writeInt32LE(Math.round(v * 2147483647), at);
      else b.writeUInt8(Math.round(v * 127 + 128), at);
      at += bps;
    }
  return new Uint8Array(b);
}

const frames = [[0.5, -0.25], [-1, 1], [0.125, 0]];

describe('WAV parsing', () => {
  it.each([
    ['pcm8', 1, 8, 1 / 64],
    ['pcm16', 1, 16, 1e-4],
    ['pcm24', 1, 24, 1e-6],
    ['pcm32', 1, 32, 1e-8],
    ['float32', 3, 32, 0],
  ] as const)('reads %s stereo', (encoding, format, bits, tol) => {
    const wav = parseWav(wavBytes({ format, bits, channels: 2, rate: 44100, frames }));
    expect(wav.encoding).toBe(encoding);
    expect(wav.sampleRate).toBe(44100);
    expect(wav.channels).toBe(2);
    frames.forEach(([l, r], i) => {
      expect(Math.abs(wav.channelData[0][i] - l)).toBeLessThanOrEqual(tol + 1e-9);
      expect(Math.abs(wav.channelData[1][i] - r)).toBeLessThanOrEqual(tol + 1e-9);
    });
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float and mixes channels to mono at 16 kHz', () => {
    const wav = parseWav(wavBytes({ format: 0xfffe, subFormat: 3, bits: 32, channels: 2, rate: 16000, frames }));
    expect(wav.encoding).toBe('float32');
    const audio = toEngineAudio(wav);
    expect(Array.from(audio.samples)).toEqual([0.125, 0, 0.0625]);
  });

  it.each([
    ['not a WAV', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), /not a WAV file/],
    ['truncated data', wavBytes({ format: 1, bits: 16, channels: 1, rate: 16000, frames: [[0], [0], [0], [0]] }).subarray(0, 48), /truncated/],
    ['A-law', (() => { const b = wavBytes({ format: 1, bits: 16, channels: 1, rate: 16000, frames: [[0.5], [0.25]] }); b[20] = 6; return b; })(), /unsupported WAV encoding/],
    ['12-bit', (() => { const b = wavBytes({ format: 1, bits: 16, channels: 1, rate: 16000, frames: [[0.5], [0.25]] }); b[34] = 12; return b; })(), /unsupported bit depth 12/],
    ['zero channels', (() => { const b = wavBytes({ format: 1, bits: 16, channels: 1, rate: 16000, frames: [[0.5], [0.25]] }); b[22] = 0; return b; })(), /0 channels/],
  ])('rejects %s with a clear error', (_name, bytes, message) => {
    expect(() => parseWav(bytes)).toThrowError(WavError);
    expect(() => parseWav(bytes)).toThrowError(message);
  });
});

function tone(freq: number, rate: number, seconds: number): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** RMS of the middle half (away from edge transients). */
function rms(x: Float32Array): number {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
}

/** Amplitude of frequency f in x (rate 16 kHz), by correlation over the middle half. */
function amplitudeAt(x: Float32Array, f: number): number {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = a; i < b; i++) {
    re += x[i] * Math.cos((2 * Math.PI * f * i) / 16000);
    im += x[i] * Math.sin((2 * Math.PI * f * i) / 16000);
  }
  return (2 * Math.hypot(re, im)) / (b - a);
}

describe('resampler', () => {
  const db = (x: number) => 20 * Math.log10(x);
  it.each([48000, 44100, 22050])('is flat in the passband from %i Hz', (rate) => {
    for (const f of [100, 1000, 3000, 6000, 7000]) {
      const out = resample(tone(f, rate, 0.5), rate, 16000);
      expect(Math.abs(db(rms(out) / Math.SQRT1_2))).toBeLessThan(0.1);
    }
  });

  it.each([48000, 44100])('removes tones above 8 kHz from %i Hz instead of aliasing them', (rate) => {
    for (const f of [8500, 9000, 12000, 15000]) {
      const out = resample(tone(f, rate, 0.5), rate, 16000);
      const alias = 16000 - f; // where an unfiltered tone would land
      expect(db(amplitudeAt(out, alias))).toBeLessThan(-60);
      expect(db(rms(out) / Math.SQRT1_2)).toBeLessThan(-60);
    }
  });

  it('upsamples 8 kHz without images and keeps length and identity at 16 kHz', () => {
    const out = resample(tone(1000, 8000, 0.5), 8000, 16000);
    expect(out.length).toBe(8000);
    expect(Math.abs(db(amplitudeAt(out, 1000)))).toBeLessThan(0.1);
    expect(db(amplitudeAt(out, 7000))).toBeLessThan(-60); // the 1 kHz image
    const same = tone(440, 16000, 0.1);
    expect(resample(same, 16000, 16000)).toEqual(same);
  });
});
