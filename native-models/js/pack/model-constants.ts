/**
 * The configuration model.pte carries as constant methods (docs/architecture.md "Model files"):
 * ExecuTorch's Voxtral Realtime names first, with Mistral/HF values where ExecuTorch differs, then ours.
 * Order here is the order of the methods in the file.
 */
import type { ModelConfig } from '../checkpoint/model-config.js';
import { ModelFormatError } from '../format/errors.js';
import type { Tekken } from '../tokenizer/tekken.js';
import { embeddingQuant, type PackOptions } from './storage-plan.js';

export type ConstantValue = number | string;
export type ConstantKind = 'Int' | 'Double' | 'String';

export const FORMAT_VERSION = 1;

/** Every constant method, its EValue kind, in file order. */
export const CONSTANT_KINDS = {
  sample_rate: 'Int', num_mel_bins: 'Int', hop_length: 'Int', window_size: 'Int', downsample_factor: 'Int', dim: 'Int',
  enc_dim: 'Int', vocab_size: 'Int', max_seq_len: 'Int', sliding_window: 'Int', streaming: 'Int', step_samples: 'Int',
  chunk_mel_len: 'Int', max_enc_len: 'Int', conv1_pad: 'Int', conv2_pad: 'Int', stft_left_overlap: 'Int',
  stft_right_lookahead: 'Int', mel_skip_frames: 'Int', delay_tokens: 'Int',
  format_version: 'Int', n_layers: 'Int', n_heads: 'Int', n_kv_heads: 'Int', head_dim: 'Int', hidden_dim: 'Int',
  rope_theta: 'Double', norm_eps: 'Double', ada_t_cond_dim: 'Int', enc_n_layers: 'Int', enc_n_heads: 'Int', enc_head_dim: 'Int',
  enc_hidden_dim: 'Int', enc_rope_theta: 'Double', enc_norm_eps: 'Double', global_log_mel_max: 'Double',
  n_left_pad_tokens: 'Int', n_right_pad_tokens: 'Int', bos_id: 'Int', eos_id: 'Int', streaming_pad_id: 'Int',
  streaming_word_id: 'Int', weight_dtype: 'String', quant: 'String', group_size: 'Int', embedding_quant: 'String',
} as const satisfies Record<string, ConstantKind>;

export type ConstantName = keyof typeof CONSTANT_KINDS;
export type ModelConstants = { [K in ConstantName]: (typeof CONSTANT_KINDS)[K] extends 'String' ? string : number };

/** Mel frames of a sample count (mistral-common `audio.py`): exact when divisible, else ceil(n/hop − 1). */
function melFrames(samples: number, hop: number): number {
  return samples % hop === 0 ? samples / hop : Math.ceil(samples / hop - 1);
}

function special(tekken: Tekken, name: string): number {
  const id = tekken.specialId(name);
  if (id === undefined) throw new ModelFormatError(`tekken.json has no special token ${name}`);
  return id;
}

export function modelConstants(c: ModelConfig, tekken: Tekken, options: PackOptions): ModelConstants {
  const a = c.audio;
  const stepSamples = a.samplingRate / a.frameRate;
  const chunkMel = stepSamples / a.hopLength;
  if (!Number.isInteger(stepSamples) || !Number.isInteger(chunkMel)) {
    throw new ModelFormatError(`audio config: ${a.samplingRate} Hz / ${a.frameRate} tokens/s does not give whole mel frames per token`);
  }
  const delayMs = tekken.audio?.transcriptionDelayMs ?? 480;
  const delayTokens = Math.ceil(melFrames((delayMs / 1000) * a.samplingRate, a.hopLength) / chunkMel);
  const stftLeft = Math.ceil(a.windowSize / 2 / a.hopLength) * a.hopLength;
  return {
    sample_rate: a.samplingRate,
    num_mel_bins: a.numMelBins,
    hop_length: a.hopLength,
    window_size: a.windowSize,
    downsample_factor: c.downsampleFactor,
    dim: c.decoder.dim,
    enc_dim: c.encoder.dim,
    vocab_size: c.vocabSize,
    max_seq_len: c.decoder.slidingWindow,
    sliding_window: c.decoder.slidingWindow,
    streaming: 1,
    step_samples: stepSamples,
    chunk_mel_len: chunkMel,
    max_enc_len: c.encoder.slidingWindow,
    conv1_pad: 2,
    conv2_pad: 1,
    stft_left_overlap: stftLeft,
    stft_right_lookahead: (chunkMel - 1) * a.hopLength + a.windowSize / 2 - stepSamples,
    mel_skip_frames: stftLeft / a.hopLength,
    delay_tokens: delayTokens,
    format_version: FORMAT_VERSION,
    n_layers: c.decoder.nLayers,
    n_heads: c.decoder.nHeads,
    n_kv_heads: c.decoder.nKvHeads,
    head_dim: c.decoder.headDim,
    hidden_dim: c.decoder.hiddenDim,
    rope_theta: c.decoder.ropeTheta,
    norm_eps: c.decoder.normEps,
    ada_t_cond_dim: c.adaTCondDim,
    enc_n_layers: c.encoder.nLayers,
    enc_n_heads: c.encoder.nHeads,
    enc_head_dim: c.encoder.headDim,
    enc_hidden_dim: c.encoder.hiddenDim,
    enc_rope_theta: c.encoder.ropeTheta,
    enc_norm_eps: c.encoder.normEps,
    global_log_mel_max: a.globalLogMelMax,
    n_left_pad_tokens: tekken.audio?.nLeftPadTokens ?? 32,
    // mistral-common: (delay + 1) + OFFLINE_STREAMING_BUFFER_TOKENS (10).
    n_right_pad_tokens: delayTokens + 1 + 10,
    bos_id: special(tekken, '<s>'),
    eos_id: special(tekken, '</s>'),
    streaming_pad_id: special(tekken, '[STREAMING_PAD]'),
    streaming_word_id: special(tekken, '[STREAMING_WORD]'),
    weight_dtype: options.dtype,
    quant: options.quant,
    group_size: options.groupSize,
    embedding_quant: embeddingQuant(options),
  };
}
