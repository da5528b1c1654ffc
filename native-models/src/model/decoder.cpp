// Text decoder: GQA over a ring KV cache, time-conditioned FFN norm, tied LM head, argmax.
#include "model.h"

namespace vxd {

void decode_positions(const Model& m, Workspace& ws, int64_t n) {
  Backend& be = *m.backend;
  const ModelConfig& c = m.config;
  const ModelWeights& w = m.weights;
  Act x = ws.x.rows_view(0, n), a = ws.a.rows_view(0, n), q = ws.q.rows_view(0, n), k = ws.k.rows_view(0, n),
      v = ws.v.rows_view(0, n), att = ws.att.rows_view(0, n), gate = ws.gate.rows_view(0, n), up = ws.up.rows_view(0, n);
  Act emb = ws.audio_embeds.rows_view(0, n);
  be.embed(w.tok_embeddings, ws.token_ids, &emb, x);
  const float eps = static_cast<float>(c.norm_eps);
  AttentionShape shape{static_cast<int>(c.n_heads), static_cast<int>(c.n_kv_heads), static_cast<int>(c.head_dim), c.sliding_window};
  for (size_t l = 0; l < w.decoder.size(); ++l) {
    const DecoderLayerWeights& L = w.decoder[l];
    if (m.fused) {
      // Same math as below in 4 ops + attention (see encoder.cpp).
      const NormSpec attn_norm{L.attention_norm, eps, nullptr, a};
      const MatmulOut qkv[3] = {{L.wq, nullptr, nullptr, q}, {L.wk, nullptr, nullptr, k}, {L.wv, nullptr, nullptr, v}};
      be.qkv_rope_write(x, &attn_norm, qkv, RopeSpec{shape.n_heads, shape.n_kv_heads, shape.head_dim, c.rope_theta}, ws.dec_cache[l],
                        kDecoderPos);
      be.attention(q, ws.dec_cache[l], shape, kDecoderPos, att);
      be.matmul(att, L.wo, nullptr, &x, x);
      const NormSpec ffn_norm{L.ffn_norm, eps, L.ada_scale, a};
      be.gated_ffn(x, &ffn_norm, L.w1, L.w3, up, gate);
      be.matmul(gate, L.w2, nullptr, &x, x);
      continue;
    }
    be.rmsnorm(x, L.attention_norm, eps, nullptr, a);
    be.matmul(a, L.wq, nullptr, nullptr, q);
    be.matmul(a, L.wk, nullptr, nullptr, k);
    be.matmul(a, L.wv, nullptr, nullptr, v);
    be.rope(q, shape.n_heads, shape.head_dim, c.rope_theta, kDecoderPos);
    be.rope(k, shape.n_kv_heads, shape.head_dim, c.rope_theta, kDecoderPos);
    be.kv_write(k, v, ws.dec_cache[l], kDecoderPos);
    be.attention(q, ws.dec_cache[l], shape, kDecoderPos, att);
    be.matmul(att, L.wo, nullptr, &x, x);
    be.rmsnorm(x, L.ffn_norm, eps, L.ada_scale, a);
    be.matmul(a, L.w1, nullptr, nullptr, gate);
    be.matmul(a, L.w3, nullptr, nullptr, up);
    be.silu_mul(gate, up, gate);
    be.matmul(gate, L.w2, nullptr, &x, x);
  }
  Act last = x.rows_view(n - 1, 1);
  if (m.fused) {
    const NormSpec final_norm{w.norm, eps, nullptr, ws.last_norm};
    const MatmulOut head[1] = {{w.tok_embeddings, nullptr, nullptr, ws.logits}};
    be.matmul_multi(last, &final_norm, head, 1);
  } else {
    be.rmsnorm(last, w.norm, eps, nullptr, ws.last_norm);
    be.matmul(ws.last_norm, w.tok_embeddings, nullptr, nullptr, ws.logits);
  }
  be.argmax(ws.logits, ws.token_ids);
}

}  // namespace vxd
