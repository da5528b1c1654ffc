/**
 * Every tensor of a Voxtral Realtime checkpoint with its Mistral name, shape and role (spec §2).
 * The role decides both the random initialisation and how the packer stores the tensor.
 */
import type { ModelConfig } from './model-config.js';

export const ENCODER_PREFIX = 'mm_streams_embeddings.embedding_module.whisper_encoder.';
export const EMBEDDING_PREFIX = 'mm_streams_embeddings.embedding_module.';
export const TOK_EMBEDDINGS = `${EMBEDDING_PREFIX}tok_embeddings.weight`;

export type TensorRole =
  | 'linear' // 2-D [out, in] projection, quantizable
  | 'adapter_out' // the adapter's second linear (larger init so audio drives the decoder)
  | 'conv' // [out, in, kernel]
  | 'ada' // ada_rms_norm_t_cond linear, kept in the weight dtype
  | 'bias'
  | 'norm'
  | 'embedding';

export interface CheckpointTensor {
  name: string;
  shape: number[];
  role: TensorRole;
}

export function checkpointTensors(c: ModelConfig): CheckpointTensor[] {
  const out: CheckpointTensor[] = [];
  const add = (name: string, shape: number[], role: TensorRole) => out.push({ name, shape, role });
  const e = c.encoder;
  const d = c.decoder;
  const E = ENCODER_PREFIX;
  add(`${E}conv_layers.0.conv.weight`, [e.dim, c.audio.numMelBins, 3], 'conv');
  add(`${E}conv_layers.0.conv.bias`, [e.dim], 'bias');
  add(`${E}conv_layers.1.conv.weight`, [e.dim, e.dim, 3], 'conv');
  add(`${E}conv_layers.1.conv.bias`, [e.dim], 'bias');
  const eq = e.nHeads * e.headDim;
  for (let i = 0; i < e.nLayers; i++) {
    const L = `${E}transformer.layers.${i}.`;
    add(`${L}attention_norm.weight`, [e.dim], 'norm');
    add(`${L}attention.wq.weight`, [eq, e.dim], 'linear');
    add(`${L}attention.wq.bias`, [eq], 'bias');
    add(`${L}attention.wk.weight`, [eq, e.dim], 'linear');
    add(`${L}attention.wv.weight`, [eq, e.dim], 'linear');
    add(`${L}attention.wv.bias`, [eq], 'bias');
    add(`${L}attention.wo.weight`, [e.dim, eq], 'linear');
    add(`${L}attention.wo.bias`, [e.dim], 'bias');
    add(`${L}ffn_norm.weight`, [e.dim], 'norm');
    add(`${L}feed_forward.w1.weight`, [e.hiddenDim, e.dim], 'linear');
    add(`${L}feed_forward.w2.weight`, [e.dim, e.hiddenDim], 'linear');
    add(`${L}feed_forward.w2.bias`, [e.dim], 'bias');
    add(`${L}feed_forward.w3.weight`, [e.hiddenDim, e.dim], 'linear');
  }
  add(`${E}transformer.norm.weight`, [e.dim], 'norm');
  add(`${EMBEDDING_PREFIX}audio_language_projection.0.weight`, [d.dim, e.dim * c.downsampleFactor], 'linear');
  add(`${EMBEDDING_PREFIX}audio_language_projection.2.weight`, [d.dim, d.dim], 'adapter_out');
  add(TOK_EMBEDDINGS, [c.vocabSize, d.dim], 'embedding');
  const q = d.nHeads * d.headDim;
  const kv = d.nKvHeads * d.headDim;
  for (let i = 0; i < d.nLayers; i++) {
    const L = `layers.${i}.`;
    add(`${L}attention_norm.weight`, [d.dim], 'norm');
    add(`${L}attention.wq.weight`, [q, d.dim], 'linear');
    add(`${L}attention.wk.weight`, [kv, d.dim], 'linear');
    add(`${L}attention.wv.weight`, [kv, d.dim], 'linear');
    add(`${L}attention.wo.weight`, [d.dim, q], 'linear');
    add(`${L}ffn_norm.weight`, [d.dim], 'norm');
    add(`${L}feed_forward.w1.weight`, [d.hiddenDim, d.dim], 'linear');
    add(`${L}feed_forward.w2.weight`, [d.dim, d.hiddenDim], 'linear');
    add(`${L}feed_forward.w3.weight`, [d.hiddenDim, d.dim], 'linear');
    add(`${L}ada_rms_norm_t_cond.0.weight`, [c.adaTCondDim, d.dim], 'ada');
    add(`${L}ada_rms_norm_t_cond.2.weight`, [d.dim, c.adaTCondDim], 'ada');
  }
  add('norm.weight', [d.dim], 'norm');
  return out;
}
