/**
 * The architecture of a Voxtral Realtime checkpoint, normalized from Mistral's params.json (spec §1),
 * and the reverse mapping used when we write random checkpoints. Validation errors name the field.
 */
import { fail } from '../format/errors.js';

export interface EncoderConfig {
  dim: number;
  nLayers: number;
  nHeads: number;
  headDim: number;
  hiddenDim: number;
  slidingWindow: number;
  ropeTheta: number;
  normEps: number;
}

export interface DecoderConfig extends EncoderConfig {
  nKvHeads: number;
}

export interface AudioEncodingConfig {
  samplingRate: number;
  frameRate: number;
  numMelBins: number;
  hopLength: number;
  windowSize: number;
  globalLogMelMax: number;
}

export interface ModelConfig {
  encoder: EncoderConfig;
  decoder: DecoderConfig;
  vocabSize: number;
  adaTCondDim: number;
  downsampleFactor: number;
  audio: AudioEncodingConfig;
}

export const REAL_AUDIO_ENCODING: AudioEncodingConfig = {
  samplingRate: 16000, frameRate: 12.5, numMelBins: 128, hopLength: 160, windowSize: 400, globalLogMelMax: 1.5,
};

/** params.json in Mistral's real format and field order. */
export function toParamsJson(c: ModelConfig): Record<string, unknown> {
  const d = c.decoder;
  const e = c.encoder;
  return {
    dim: d.dim, n_layers: d.nLayers, head_dim: d.headDim, hidden_dim: d.hiddenDim, n_heads: d.nHeads, n_kv_heads: d.nKvHeads,
    use_biases: false, causal: true, rope_theta: d.ropeTheta, norm_eps: d.normEps, vocab_size: c.vocabSize, model_parallel: 1,
    tied_embeddings: true, sliding_window: d.slidingWindow, model_max_length: 131072,
    multimodal: {
      whisper_model_args: {
        encoder_args: {
          audio_encoding_args: {
            sampling_rate: c.audio.samplingRate, frame_rate: c.audio.frameRate, num_mel_bins: c.audio.numMelBins,
            hop_length: c.audio.hopLength, window_size: c.audio.windowSize, chunk_length_s: null,
            global_log_mel_max: c.audio.globalLogMelMax, transcription_format: 'streaming',
          },
          dim: e.dim, n_layers: e.nLayers, head_dim: e.headDim, hidden_dim: e.hiddenDim, n_heads: e.nHeads, vocab_size: c.vocabSize,
          n_kv_heads: e.nHeads, use_biases: true, use_cache: false, rope_theta: e.ropeTheta, causal: true, norm_eps: e.normEps,
          pos_embed: 'rope', max_source_positions: null, ffn_type: 'swiglu', norm_type: 'rms_norm', sliding_window: e.slidingWindow,
        },
        downsample_args: { downsample_factor: c.downsampleFactor },
      },
    },
    ada_rms_norm_t_cond: true,
    ada_rms_norm_t_cond_dim: c.adaTCondDim,
  };
}

type Json = Record<string, unknown>;

function obj(parent: Json, key: string, where: string): Json {
  const v = parent[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`params.json: ${where}${key} is missing or not an object`);
  return v as Json;
}

function int(parent: Json, key: string, where: string, fallback?: number): number {
  const v = parent[key] ?? fallback;
  if (!Number.isSafeInteger(v) || (v as number) <= 0) fail(`params.json: ${where}${key} must be a positive integer (got ${JSON.stringify(parent[key])})`);
  return v as number;
}

function num(parent: Json, key: string, where: string, fallback?: number): number {
  const v = parent[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`params.json: ${where}${key} must be a positive number (got ${JSON.stringify(parent[key])})`);
  return v;
}

function expectValue(parent: Json, key: string, expected: unknown, where: string): void {
  if (key in parent && parent[key] !== expected) fail(`params.json: ${where}${key} is ${JSON.stringify(parent[key])}; this app supports only ${JSON.stringify(expected)}`);
}

/** Read and check params.json; unsupported variants (untied embeddings, no ada norm, ...) are refused. */
export function fromParamsJson(p: Json): ModelConfig {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail('params.json: not a JSON object');
  const whisper = obj(obj(p, 'multimodal', ''), 'whisper_model_args', 'multimodal.');
  const W = 'multimodal.whisper_model_args.';
  const enc = obj(whisper, 'encoder_args', W);
  const E = `${W}encoder_args.`;
  const audioArgs = obj(enc, 'audio_encoding_args', E);
  const A = `${E}audio_encoding_args.`;
  expectValue(p, 'tied_embeddings', true, '');
  expectValue(p, 'ada_rms_norm_t_cond', true, '');
  expectValue(p, 'use_biases', false, '');
  expectValue(enc, 'use_biases', true, E);
  expectValue(enc, 'pos_embed', 'rope', E);
  expectValue(enc, 'ffn_type', 'swiglu', E);
  expectValue(enc, 'norm_type', 'rms_norm', E);
  const encoder: EncoderConfig = {
    dim: int(enc, 'dim', E), nLayers: int(enc, 'n_layers', E), nHeads: int(enc, 'n_heads', E), headDim: int(enc, 'head_dim', E),
    hiddenDim: int(enc, 'hidden_dim', E), slidingWindow: int(enc, 'sliding_window', E, 750), ropeTheta: num(enc, 'rope_theta', E, 1e6),
    normEps: num(enc, 'norm_eps', E, 1e-5),
  };
  if ('n_kv_heads' in enc && enc.n_kv_heads !== encoder.nHeads) fail(`params.json: ${E}n_kv_heads must equal n_heads (the encoder has no GQA)`);
  const decoder: DecoderConfig = {
    dim: int(p, 'dim', ''), nLayers: int(p, 'n_layers', ''), nHeads: int(p, 'n_heads', ''), nKvHeads: int(p, 'n_kv_heads', ''),
    headDim: int(p, 'head_dim', ''), hiddenDim: int(p, 'hidden_dim', ''), slidingWindow: int(p, 'sliding_window', '', 8192),
    ropeTheta: num(p, 'rope_theta', '', 1e6), normEps: num(p, 'norm_eps', '', 1e-5),
  };
  if (decoder.nHeads % decoder.nKvHeads !== 0) fail(`params.json: n_heads ${decoder.nHeads} is not a multiple of n_kv_heads ${decoder.nKvHeads}`);
  if (decoder.headDim % 2 || encoder.headDim % 2) fail('params.json: head_dim must be even (RoPE rotates pairs)');
  const audio: AudioEncodingConfig = {
    samplingRate: int(audioArgs, 'sampling_rate', A), frameRate: num(audioArgs, 'frame_rate', A), numMelBins: int(audioArgs, 'num_mel_bins', A, 128),
    hopLength: int(audioArgs, 'hop_length', A), windowSize: int(audioArgs, 'window_size', A), globalLogMelMax: num(audioArgs, 'global_log_mel_max', A, 1.5),
  };
  return {
    encoder,
    decoder,
    vocabSize: int(p, 'vocab_size', ''),
    adaTCondDim: int(p, 'ada_rms_norm_t_cond_dim', '', 32),
    downsampleFactor: int(obj(whisper, 'downsample_args', W), 'downsample_factor', `${W}downsample_args.`),
    audio,
  };
}
