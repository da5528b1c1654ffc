/**
 * A tekken.json for random checkpoints with the real structure (spec §7): real special-token names at
 * their real ranks, byte-level vocabulary (ranks 0..255) followed by common English merges, then
 * filler tokens so every id below vocab_size decodes.
 */

export const NUM_SPECIAL_TOKENS = 1000;

export const SPECIAL_TOKEN_NAMES: Record<number, string> = {
  0: '<unk>', 1: '<s>', 2: '</s>', 3: '[INST]', 4: '[/INST]', 5: '[AVAILABLE_TOOLS]', 6: '[/AVAILABLE_TOOLS]',
  7: '[TOOL_RESULTS]', 8: '[/TOOL_RESULTS]', 9: '[TOOL_CALLS]', 10: '[IMG]', 11: '<pad>', 12: '[IMG_BREAK]', 13: '[IMG_END]',
  14: '[PREFIX]', 15: '[MIDDLE]', 16: '[SUFFIX]', 17: '[SYSTEM_PROMPT]', 18: '[/SYSTEM_PROMPT]', 19: '[TOOL_CONTENT]',
  24: '[AUDIO]', 25: '[BEGIN_AUDIO]', 32: '[STREAMING_PAD]', 33: '[STREAMING_WORD]', 34: '[REPEAT_AUDIO_TEXT]',
};

const PATTERN = String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

const MERGES = [
  ' t', ' a', 'he', 'in', ' the', 'er', 'on', ' s', 're', ' w', 'at', 'en', ' o', 'nd', ' c', 'is', 'it', ' b', 'es', ' f',
  'or', 'ing', ' p', 'ou', ' m', 'an', ' d', 'ed', ' h', 'ar', ' to', ' l', ' of', ' and', ' in', ' is', 'll', ' th', 'ic',
  'le', ' e', 'om', 'al', 'st', ' n', 'ion', ' y', ' that', 'as', 've', ' g', 'ent', ' re', 'ro', 'ct', ' be', ' you', ' for',
  ' it', 'ly', ' I', 'ow', ' on', 'ut', 'ay', ' with', ' we', 'ot', 'ir', 'ur', ' this', ' hello', ' world', ' quick',
  ' brown', ' fox', ' jumps', ' over', ' lazy', ' dog', ' dictation', ' café', ' naïve', ' 日本', '語', ' 🎤',
];

/** Enumerates distinct extra tokens made of merges and letters, shortest combinations first. */
function* fillerTokens(taken: Set<string>): Generator<string> {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const pieces = [...MERGES, ...letters];
  for (const a of pieces) for (const b of pieces) {
    const t = a + b;
    if (!taken.has(t)) { taken.add(t); yield t; }
  }
  for (const a of pieces) for (const b of pieces) for (const c of pieces) {
    const t = a + b + c;
    if (!taken.has(t)) { taken.add(t); yield t; }
  }
}

function vocabEntry(rank: number, bytes: Uint8Array): { rank: number; token_bytes: string; token_str: string | null } {
  let str: string | null = null;
  try {
    str = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    str = null;
  }
  return { rank, token_bytes: Buffer.from(bytes).toString('base64'), token_str: str };
}

export function makeTekkenJson(vocabSize: number): Record<string, unknown> {
  const regular = vocabSize - NUM_SPECIAL_TOKENS;
  if (regular < 256) throw new Error(`vocab_size ${vocabSize} leaves fewer than 256 regular tokens`);
  const enc = new TextEncoder();
  const vocab = [];
  for (let b = 0; b < 256; b++) vocab.push(vocabEntry(b, Uint8Array.of(b)));
  const taken = new Set<string>();
  const extra = (function* () {
    for (const m of MERGES) { taken.add(m); yield m; }
    yield* fillerTokens(taken);
  })();
  while (vocab.length < regular) {
    const next = extra.next();
    if (next.done) throw new Error('ran out of filler tokens');
    vocab.push(vocabEntry(vocab.length, enc.encode(next.value)));
  }
  const special_tokens = Array.from({ length: NUM_SPECIAL_TOKENS }, (_, rank) => ({
    rank, token_str: SPECIAL_TOKEN_NAMES[rank] ?? `<SPECIAL_${rank}>`, is_control: true,
  }));
  return {
    config: { pattern: PATTERN, num_vocab_tokens: regular, default_vocab_size: vocabSize, default_num_special_tokens: NUM_SPECIAL_TOKENS, version: 'v7' },
    vocab,
    special_tokens,
    audio: {
      sampling_rate: 16000, frame_rate: 12.5, audio_encoding_config: { num_mel_bins: 128, hop_length: 160, window_size: 400 },
      transcription_delay_ms: 480.0, streaming_look_ahead_ms: 2.5, streaming_look_back_ms: 52.5, streaming_n_left_pad_tokens: 32,
      transcription_format: 'streaming',
    },
  };
}
