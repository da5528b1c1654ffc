// The demo model's data pipeline (native-models/train, numpy only): targets, tokenizer, WER, corpus,
// espeak-ng synthesis with word timings, augmentation and examples; and the app's Tekken decoder
// reading the tokenizer and target streams that training will use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IncrementalDecoder } from '../../native-models/js/tokenizer/incremental-decoder.js';
import { loadTekken, type Tekken } from '../../native-models/js/tokenizer/tekken.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const checks = path.join(here, 'train_checks.py');

function runChecks(group: string, ...args: string[]): string {
  return execFileSync('python3', [checks, group, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

describe('demo model data pipeline (python3 + numpy)', () => {
  for (const group of ['targets', 'tokenizer', 'wer', 'corpus-and-voices', 'synthesis', 'augment-and-examples']) {
    it(group, () => {
      expect(runChecks(group)).toContain(`${group}: ok`);
    });
  }
});

describe('the app decodes the training target streams back to the sentences', () => {
  let dir: string;
  let tekken: Tekken;
  let streams: { text: string; targets: number[] }[];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vxd-train-'));
    runChecks('dump-streams', dir);
    tekken = loadTekken(JSON.parse(readFileSync(path.join(dir, 'tekken.json'), 'utf8')));
    streams = JSON.parse(readFileSync(path.join(dir, 'streams.json'), 'utf8'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves the streaming specials by name at their real ranks', () => {
    expect(tekken.specialId('[STREAMING_PAD]')).toBe(32);
    expect(tekken.specialId('</s>')).toBe(2);
    expect(tekken.specialId('<s>')).toBe(1);
    expect(tekken.vocabSize).toBe(1000 + 256 + 400);
  });

  it('decodes every stream, PADs and EOS skipped, to the sentence with its leading space', () => {
    expect(streams.length).toBeGreaterThan(10);
    for (const { text, targets } of streams) {
      expect(targets.at(-1)).toBe(2);
      expect(targets.filter((id) => id === 2)).toHaveLength(1);
      expect(targets.every((id) => Number.isInteger(id) && id >= 0 && id < tekken.vocabSize)).toBe(true);
      expect(targets.filter((id) => id === 32).length).toBeGreaterThan(0);
      expect(tekken.decode(targets)).toBe(` ${text}`);
    }
  });

  it('decodes the same text token by token, as the app receives it live', () => {
    for (const { text, targets } of streams) {
      const decoder = new IncrementalDecoder(tekken);
      let live = '';
      for (const id of targets) live += decoder.push([id]);
      live += decoder.flush();
      expect(live).toBe(` ${text}`);
    }
  });
});
