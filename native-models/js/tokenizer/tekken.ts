/**
 * Tekken tokenizer, decode side (spec §7): ids < numSpecial are special tokens (id = rank), the rest
 * are byte strings (id = rank + numSpecial) from tekken.json's base64 `token_bytes`. Special tokens
 * are resolved by name, never hard-coded.
 */
import { fail } from '../format/errors.js';

export interface TekkenAudioConfig {
  samplingRate: number;
  frameRate: number;
  transcriptionDelayMs: number;
  nLeftPadTokens: number;
}

export interface Tekken {
  /** Total ids: special + regular (default_vocab_size, or all tokens the file has). */
  vocabSize: number;
  numSpecial: number;
  /** Id of a special token by its name (e.g. "[STREAMING_PAD]"), if present. */
  specialId(name: string): number | undefined;
  isSpecial(id: number): boolean;
  /** The token's text form: the special name, or the UTF-8 decoding of its bytes. */
  tokenString(id: number): string;
  /** Bytes of a regular token (empty for special ids). */
  tokenBytes(id: number): Uint8Array;
  /** Decode ids to text, skipping special tokens. */
  decode(ids: readonly number[]): string;
  audio?: TekkenAudioConfig;
}

type Json = Record<string, unknown>;

function base64Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function readAudio(raw: unknown): TekkenAudioConfig | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const a = raw as Json;
  const n = (k: string, d: number) => (typeof a[k] === 'number' ? (a[k] as number) : d);
  return {
    samplingRate: n('sampling_rate', 16000),
    frameRate: n('frame_rate', 12.5),
    transcriptionDelayMs: n('transcription_delay_ms', 480),
    nLeftPadTokens: n('streaming_n_left_pad_tokens', 32),
  };
}

export function loadTekken(json: unknown): Tekken {
  if (typeof json !== 'object' || json === null) fail('tekken.json: not a JSON object');
  const root = json as Json;
  const config = (root.config ?? {}) as Json;
  const vocabRaw = root.vocab;
  if (!Array.isArray(vocabRaw)) fail('tekken.json: "vocab" is missing or not a list');
  const numSpecial = typeof config.default_num_special_tokens === 'number' ? config.default_num_special_tokens : 1000;
  if (!Number.isSafeInteger(numSpecial) || numSpecial < 0 || numSpecial > 1_000_000) fail(`tekken.json: bad default_num_special_tokens ${numSpecial}`);
  const defaultVocab = typeof config.default_vocab_size === 'number' ? config.default_vocab_size : numSpecial + vocabRaw.length;
  const regularCount = Math.min(vocabRaw.length, Math.max(0, defaultVocab - numSpecial));
  // Kept as base64 and decoded on first use: loading the real 150k-entry file stays fast.
  const vocabBase64: string[] = new Array(regularCount);
  const vocab: (Uint8Array | undefined)[] = new Array(regularCount);
  for (let i = 0; i < regularCount; i++) {
    const entry = vocabRaw[i] as Json;
    if (typeof entry !== 'object' || entry === null) fail(`tekken.json: vocab[${i}] is not an object`);
    if (entry.rank !== undefined && entry.rank !== i) fail(`tekken.json: vocab[${i}] has rank ${String(entry.rank)}`);
    if (typeof entry.token_bytes !== 'string') fail(`tekken.json: vocab[${i}].token_bytes is not a string`);
    vocabBase64[i] = entry.token_bytes;
  }
  // Only the named specials are stored: the count comes from the file and may be far larger than it.
  const named = new Map<number, string>();
  const specialsRaw = root.special_tokens;
  if (specialsRaw !== undefined && !Array.isArray(specialsRaw)) fail('tekken.json: "special_tokens" is not a list');
  for (const st of (specialsRaw ?? []) as Json[]) {
    const rank = st?.rank;
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank >= numSpecial) fail(`tekken.json: special token with bad rank ${JSON.stringify(rank)}`);
    if (typeof st.token_str !== 'string') fail(`tekken.json: special token ${rank} has no token_str`);
    named.set(rank, st.token_str);
  }
  const specialName = (id: number) => named.get(id) ?? `<SPECIAL_${id}>`;
  const byName = new Map<string, number>();
  for (const [id, name] of [...named].sort((a, b) => a[0] - b[0])) if (!byName.has(name)) byName.set(name, id);
  /** The lowest id whose name is `name`: a named special, or an unnamed one's `<SPECIAL_i>` placeholder. */
  const specialId = (name: string): number | undefined => {
    const placeholder = /^<SPECIAL_(0|[1-9]\d*)>$/.exec(name);
    const generic = placeholder ? Number(placeholder[1]) : -1;
    const unnamedId = generic >= 0 && generic < numSpecial && !named.has(generic) ? generic : undefined;
    const namedId = byName.get(name);
    if (namedId === undefined) return unnamedId;
    return unnamedId === undefined ? namedId : Math.min(namedId, unnamedId);
  };
  const vocabSize = numSpecial + regularCount;
  const utf8 = new TextDecoder('utf-8');
  const empty = new Uint8Array(0);
  const tokenBytes = (id: number): Uint8Array => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) fail(`token id ${id} is outside the vocabulary (0..${vocabSize - 1})`);
    if (id < numSpecial) return empty;
    const r = id - numSpecial;
    return (vocab[r] ??= base64Bytes(vocabBase64[r]));
  };
  const audio = readAudio(root.audio);
  return {
    vocabSize,
    numSpecial,
    specialId,
    isSpecial: (id) => id >= 0 && id < numSpecial,
    tokenString: (id) => (Number.isInteger(id) && id >= 0 && id < numSpecial ? specialName(id) : utf8.decode(tokenBytes(id))),
    tokenBytes,
    decode(ids) {
      const parts = ids.map(tokenBytes);
      const total = parts.reduce((a, p) => a + p.length, 0);
      const all = new Uint8Array(total);
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      return utf8.decode(all);
    },
    ...(audio ? { audio } : {}),
  };
}
