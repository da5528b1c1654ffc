/**
 * Reads our model.pte's constant methods back into ModelConstants (and the architecture they imply),
 * checking every one is present with the right kind. Used by `inspect` and by anything that loads a pair.
 */
import type { ModelConfig } from '../checkpoint/model-config.js';
import { fail } from '../format/errors.js';
import { EValueType, type Program } from '../format/program-schema.js';
import { CONSTANT_KINDS, type ConstantName, type ModelConstants } from '../pack/model-constants.js';
import { constantOf } from './describe-program.js';

const kindCode = { Int: EValueType.Int, Double: EValueType.Double, String: EValueType.String } as const;

export function readModelConstants(program: Program): ModelConstants {
  const plans = new Map((program.execution_plan ?? []).map((p) => [p.name, p]));
  const out: Record<string, number | string> = {};
  for (const [name, kind] of Object.entries(CONSTANT_KINDS) as [ConstantName, keyof typeof kindCode][]) {
    const plan = plans.get(name) ?? fail(`model.pte: constant method "${name}" is missing`);
    const value = constantOf(plan);
    const evalue = plan.values?.[plan.outputs?.[0] ?? -1];
    if (value === undefined || evalue?.val_type !== kindCode[kind]) fail(`model.pte: constant method "${name}" is not a single ${kind}`);
    out[name] = value as number | string;
  }
  return out as ModelConstants;
}

export function configFromConstants(k: ModelConstants): ModelConfig {
  return {
    encoder: {
      dim: k.enc_dim, nLayers: k.enc_n_layers, nHeads: k.enc_n_heads, headDim: k.enc_head_dim, hiddenDim: k.enc_hidden_dim,
      slidingWindow: k.max_enc_len, ropeTheta: k.enc_rope_theta, normEps: k.enc_norm_eps,
    },
    decoder: {
      dim: k.dim, nLayers: k.n_layers, nHeads: k.n_heads, nKvHeads: k.n_kv_heads, headDim: k.head_dim, hiddenDim: k.hidden_dim,
      slidingWindow: k.sliding_window, ropeTheta: k.rope_theta, normEps: k.norm_eps,
    },
    vocabSize: k.vocab_size,
    adaTCondDim: k.ada_t_cond_dim,
    downsampleFactor: k.downsample_factor,
    audio: {
      samplingRate: k.sample_rate, frameRate: k.sample_rate / k.step_samples, numMelBins: k.num_mel_bins,
      hopLength: k.hop_length, windowSize: k.window_size, globalLogMelMax: k.global_log_mel_max,
    },
  };
}
