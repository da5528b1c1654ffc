/**
 * Fuzzing the parsers that read user-supplied files and are not covered by test/model-files/fuzz.test.ts
 * (which does .pte/.ptd and byte-level safetensors): tekken.json, params.json, structural safetensors
 * header edits, WAV and the compressed audio formats. Every input must parse or fail with the parser's own error type and a message,
 * quickly, and what it yields must stay in proportion to the input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AudioFileError, readAudioFile } from '../../native-models/js/audio/read-audio-file.js';
import { parseWav, WavError } from '../../native-models/js/audio/wav.js';
import { fromParamsJson } from '../../native-models/js/checkpoint/model-config.js';
import { bytesSource } from '../../native-models/js/format/byte-source.js';
import { ModelFormatError } from '../../native-models/js/format/errors.js';
import { readSafetensors } from '../../native-models/js/format/safetensors.js';
import { loadTekken } from '../../native-models/js/tokenizer/tekken.js';
import { fuzz, mutateBytes, mutateJson, pick, rng } from './mutate.js';

const repoRoot = path.resolve(__dirname, '..', '..');
const CHECKPOINT = path.join(repoRoot, 'test/fixtures/reference/tiny/checkpoint');
const INPUTS = 3000;
/** A hang bound, not a speed target: the slowest legitimate parse here takes a few ms. */
const SLOWEST_MS = 2000;

const isFormatError = (err: unknown) => (err instanceof ModelFormatError || err instanceof SyntaxError) && (err as Error).message.length > 0;

function readJsonText(name: string): unknown {
  return JSON.parse(readFileSync(path.join(CHECKPOINT, name), 'utf8'));
}

describe('tekken.json', () => {
  test(`${INPUTS} mutated tokenizers load with every id decodable, or fail with ModelFormatError`, () => {
    const original = readJsonText('tekken.json');
    const next = rng(10_001);
    const result = fuzz(INPUTS, () => mutateJson(original, next), (text) => {
      const tekken = loadTekken(JSON.parse(text));
      // Output in proportion: ids are bounded by the entries the file really holds.
      const doc = JSON.parse(text) as { vocab?: unknown[] };
      expect(tekken.vocabSize).toBeLessThanOrEqual(tekken.numSpecial + (doc.vocab?.length ?? 0));
        expect(tekken.numSpecial).toBeLessThanOrEqual(1_000_000);
      // Every regular id and the specials at both ends (their count is the file's claim, up to 1M).
      const ids = Array.from({ length: tekken.vocabSize - tekken.numSpecial }, (_, i) => tekken.numSpecial + i);
      for (let id = 0; id < Math.min(64, tekken.numSpecial); id++) ids.push(id, tekken.numSpecial - 1 - id);
      for (const id of ids) tekken.tokenString(id);
      tekken.specialId('[STREAMING_PAD]');
      tekken.specialId(`<SPECIAL_${tekken.numSpecial - 1}>`);
      tekken.decode(ids);
      expect(() => tekken.decode([tekken.vocabSize])).toThrow(ModelFormatError);
    }, isFormatError);
    expect(result.rejected).toBeGreaterThan(INPUTS / 10);
    expect(result.accepted).toBeGreaterThan(0);
    expect(result.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  test('non-object documents are refused by name', () => {
    for (const doc of [null, 42, 'text', [], { vocab: {} }, { vocab: [null] }, { vocab: [], special_tokens: [{ rank: 5 }] }]) {
      expect(() => loadTekken(doc)).toThrow(ModelFormatError);
    }
  });
});

describe('params.json', () => {
  test(`${INPUTS} mutated model configurations are read or refused with ModelFormatError`, () => {
    const original = readJsonText('params.json');
    const next = rng(10_002);
    const result = fuzz(INPUTS, () => mutateJson(original, next), (text) => {
      const config = fromParamsJson(JSON.parse(text));
      for (const v of [config.encoder.dim, config.decoder.nHeads, config.decoder.nKvHeads, config.vocabSize, config.downsampleFactor]) {
        expect(Number.isSafeInteger(v) && v > 0).toBe(true);
      }
      expect(config.decoder.nHeads % config.decoder.nKvHeads).toBe(0);
    }, isFormatError);
    expect(result.rejected).toBeGreaterThan(INPUTS / 4);
    expect(result.accepted).toBeGreaterThan(0);
    expect(result.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  test('documents that are not objects are refused by name', () => {
    for (const doc of [null, 7, 'params', [1, 2]]) {
      expect(() => fromParamsJson(doc as unknown as Record<string, unknown>)).toThrow(/params\.json/);
    }
  });
});

describe('safetensors header structure', () => {
  test(`${INPUTS} structurally mutated headers (offsets, shapes, dtypes) are read or refused`, () => {
    const file = new Uint8Array(readFileSync(path.join(CHECKPOINT, 'consolidated.safetensors')));
    const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength)));
    const data = file.subarray(8 + headerLength);
    const next = rng(10_003);
    const result = fuzz(INPUTS, () => {
      const text = new TextEncoder().encode(mutateJson(header, next));
      const bytes = new Uint8Array(8 + text.length + data.length);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
      bytes.set(text, 8);
      bytes.set(data, 8 + text.length);
      return bytes;
    }, (bytes) => {
      const st = readSafetensors(bytesSource(bytes));
      let total = 0;
      for (const name of st.tensors.keys()) total += st.read(name).length;
      expect(total).toBeLessThanOrEqual(bytes.length);
    }, isFormatError);
    expect(result.rejected).toBeGreaterThan(INPUTS / 4);
    expect(result.slowestMs).toBeLessThan(SLOWEST_MS);
  });
});

/** A small WAV of the given encoding with an optional LIST chunk before fmt. */
function makeWav(format: number, bits: number, channels: number, frames: number, extensible: boolean, list: boolean): Uint8Array {
  const fmtSize = extensible ? 40 : 16;
  const dataSize = frames * channels * (bits / 8);
  const listSize = list ? 13 : 0; // odd on purpose: chunks are padded to even sizes
  const bytes = new Uint8Array(12 + (list ? 8 + listSize + 1 : 0) + 8 + fmtSize + 8 + dataSize);
  const v = new DataView(bytes.buffer);
  const tag = (at: number, s: string) => [...s].forEach((c, i) => { bytes[at + i] = c.charCodeAt(0); });
  tag(0, 'RIFF');
  v.setUint32(4, bytes.length - 8, true);
  tag(8, 'WAVE');
  let at = 12;
  if (list) {
    tag(at, 'LIST');
    v.setUint32(at + 4, listSize, true);
    at += 8 + listSize + 1;
  }
  tag(at, 'fmt ');
  v.setUint32(at + 4, fmtSize, true);
  v.setUint16(at + 8, extensible ? 0xfffe : format, true);
  v.setUint16(at + 10, channels, true);
  v.setUint32(at + 12, 16000, true);
  v.setUint32(at + 16, 16000 * channels * (bits / 8), true);
  v.setUint16(at + 20, channels * (bits / 8), true);
  v.setUint16(at + 22, bits, true);
  if (extensible) {
    v.setUint16(at + 24, 22, true);
    v.setUint16(at + 32, format, true);
  }
  at += 8 + fmtSize;
  tag(at, 'data');
  v.setUint32(at + 4, dataSize, true);
  for (let i = at + 8; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
  return bytes;
}

/** The first `bytes` of a real WAV with its sizes fixed up, so the seed itself is valid. */
function fixtureHead(file: string, bytes: number): Uint8Array {
  const head = new Uint8Array(readFileSync(path.join(repoRoot, file))).subarray(0, bytes).slice();
  const view = new DataView(head.buffer);
  view.setUint32(4, head.length - 8, true);
  const data = Buffer.from(head).indexOf('data');
  view.setUint32(data + 4, head.length - data - 8, true);
  return head;
}

describe('WAV', () => {
  const seeds: Uint8Array[] = [
    fixtureHead('test/fixtures/audio/hello-dictation-16k.wav', 8192),
    makeWav(1, 16, 1, 400, false, false),
    makeWav(1, 8, 2, 300, false, true),
    makeWav(1, 24, 3, 200, true, false),
    makeWav(1, 32, 1, 200, false, true),
    makeWav(3, 32, 2, 200, true, true),
    makeWav(3, 64, 1, 100, false, false),
  ];

  test('every seed file parses before mutation', () => {
    for (const bytes of seeds) expect(parseWav(bytes).channelData[0].length).toBeGreaterThan(0);
  });

  test(`${INPUTS} mutated and truncated WAVs decode in proportion or fail with WavError`, () => {
    const next = rng(10_004);
    const result = fuzz(INPUTS, () => mutateBytes(pick(next, seeds), next, 80), (bytes) => {
      const wav = parseWav(bytes);
      const samples = wav.channelData.reduce((n, c) => n + c.length, 0);
      expect(samples).toBeLessThanOrEqual(bytes.length);
      for (const c of wav.channelData) for (const s of c) if (!Number.isFinite(s)) throw new Error('non-finite sample');
    }, (err) => err instanceof WavError && err.message.length > 0);
    expect(result.rejected).toBeGreaterThan(INPUTS / 10);
    expect(result.accepted).toBeGreaterThan(INPUTS / 10);
    expect(result.slowestMs).toBeLessThan(SLOWEST_MS);
  });
});

describe('MP3, FLAC, Ogg Vorbis and Opus', () => {
  const PER_FORMAT = 30;
  test(`${PER_FORMAT} mutated and truncated files of each decode to finite audio in proportion, or fail with AudioFileError`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vxd-fuzz-audio-'));
    try {
      const next = rng(10_005);
      for (const name of ['hello.mp3', 'hello.flac', 'hello-vorbis.ogg', 'hello.opus']) {
        const original = new Uint8Array(readFileSync(path.join(repoRoot, 'test/fixtures/audio/encoded', name)));
        let accepted = 0, rejected = 0;
        for (let i = 0; i < PER_FORMAT; i++) {
          const file = path.join(dir, `${i}-${name}`);
          writeFileSync(file, mutateBytes(original, next, 2048));
          const t0 = performance.now();
          try {
            const audio = await readAudioFile(file, { ffmpeg: null });
            // The fixture is 3 s; a damaged header may change what a frame holds, not conjure minutes.
            expect(audio.samples.length, `${name} #${i}`).toBeLessThan(16000 * 30);
            for (const v of audio.samples) if (!Number.isFinite(v)) throw new Error(`${name} #${i}: non-finite sample`);
            accepted++;
          } catch (err) {
            if (!(err instanceof AudioFileError) || err.message.length === 0) throw new Error(`${name} #${i}: unexpected ${(err as Error)?.name}: ${(err as Error)?.message}`);
            rejected++;
          }
          expect(performance.now() - t0, `${name} #${i}`).toBeLessThan(SLOWEST_MS * 5);
        }
        expect(accepted + rejected).toBe(PER_FORMAT);
        expect(accepted, name).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
