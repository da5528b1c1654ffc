// Audio encoder (causal conv stem with carried state, sliding-window transformer) and adapter.
#include "model.h"

namespace vxd {

void encode_audio(const Model& m, Workspace& ws, int64_t n) {
  Backend& be = *m.backend;
  const ModelConfig& c = m.config;
  const ModelWeights& w = m.weights;
  const int64_t frames = n * c.mel_frames_per_token(), rows = n * c.enc_frames_per_token();

  // conv1 (k3 s1, left pad 2 carried) -> GELU; conv2 (k3 s2, left pad 1 carried) -> GELU.
  Act cols1 = ws.conv1_cols.rows_view(0, frames);
  be.im2col(ws.mel_in.rows_view(0, frames + 2), 3, 1, cols1);
  Act c1 = ws.conv1_out.rows_view(1, frames);
  be.matmul(cols1, w.conv1, w.conv1_bias, nullptr, c1);
  be.gelu(c1);
  Act mel_carry = ws.mel_in.rows_view(0, 2);
  be.copy(ws.mel_in.rows_view(frames, 2), mel_carry);
  Act cols2 = ws.conv2_cols.rows_view(0, rows);
  be.im2col(ws.conv1_out.rows_view(0, frames + 1), 3, 2, cols2);
  Act c1_carry = ws.conv1_out.rows_view(0, 1);
  be.copy(ws.conv1_out.rows_view(frames, 1), c1_carry);
  Act h = ws.eh.rows_view(0, rows);
  be.matmul(cols2, w.conv2, w.conv2_bias, nullptr, h);
  be.gelu(h);

  Act a = ws.ea.rows_view(0, rows), q = ws.eq.rows_view(0, rows), k = ws.ek.rows_view(0, rows), v = ws.ev.rows_view(0, rows);
  Act att = ws.eatt.rows_view(0, rows), gate = ws.egate.rows_view(0, rows), up = ws.eup.rows_view(0, rows);
  const float eps = static_cast<float>(c.enc_norm_eps);
  AttentionShape shape{static_cast<int>(c.enc_n_heads), static_cast<int>(c.enc_n_heads), static_cast<int>(c.enc_head_dim), c.enc_window};
  for (size_t l = 0; l < w.encoder.size(); ++l) {
    const EncoderLayerWeights& L = w.encoder[l];
    if (m.fused) {
      // Same math as below in 4 ops + attention: the norms fold into the matmuls, q/k/v and
      // w1/w3 each run as one matmul, RoPE and the ring write join the q/k/v matmul.
      const NormSpec attn_norm{L.attention_norm, eps, nullptr, a};
      const MatmulOut qkv[3] = {{L.wq, L.bq, nullptr, q}, {L.wk, nullptr, nullptr, k}, {L.wv, L.bv, nullptr, v}};
      be.qkv_rope_write(h, &attn_norm, qkv, RopeSpec{shape.n_heads, shape.n_heads, shape.head_dim, c.enc_rope_theta}, ws.enc_cache[l],
                        kEncoderPos);
      be.attention(q, ws.enc_cache[l], shape, kEncoderPos, att);
      be.matmul(att, L.wo, L.bo, &h, h);
      const NormSpec ffn_norm{L.ffn_norm, eps, nullptr, a};
      be.gated_ffn(h, &ffn_norm, L.w1, L.w3, up, gate);
      be.matmul(gate, L.w2, L.b2, &h, h);
      continue;
    }
    be.rmsnorm(h, L.attention_norm, eps, nullptr, a);
    be.matmul(a, L.wq, L.bq, nullptr, q);
    be.matmul(a, L.wk, nullptr, nullptr, k);
    be.matmul(a, L.wv, L.bv, nullptr, v);
    be.rope(q, shape.n_heads, shape.head_dim, c.enc_rope_theta, kEncoderPos);
    be.rope(k, shape.n_heads, shape.head_dim, c.enc_rope_theta, kEncoderPos);
    be.kv_write(k, v, ws.enc_cache[l], kEncoderPos);
    be.attention(q, ws.enc_cache[l], shape, kEncoderPos, att);
    be.matmul(att, L.wo, L.bo, &h, h);
    be.rmsnorm(h, L.ffn_norm, eps, nullptr, a);
    be.matmul(a, L.w1, nullptr, nullptr, gate);
    be.matmul(a, L.w3, nullptr, nullptr, up);
    be.silu_mul(gate, up, gate);
    be.matmul(gate, L.w2, L.b2, &h, h);
  }
  be.rmsnorm(h, w.encoder_norm, eps, nullptr, h);

  // Downsample: 4 consecutive frames form one row; adapter = W_out . GELU(W_in . x).
  Act stacked = h.reshaped(c.enc_dim * c.downsample_factor);
  Act hid = ws.ad_hidden.rows_view(0, n), emb = ws.audio_embeds.rows_view(0, n);
  be.matmul(stacked, w.adapter_in, nullptr, nullptr, hid);
  be.gelu(hid);
  be.matmul(hid, w.adapter_out, nullptr, nullptr, emb);
}

}  // namespace vxd
