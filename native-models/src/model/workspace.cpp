#include "workspace.h"

namespace vxd {
namespace {

// Visits every allocation (rows, cols, dtype) in a fixed order; used both to size and to build.
template <typename F>
void for_each_alloc(const ModelConfig& c, DType act, int64_t T, F&& f) {
  const int64_t ed = c.enc_dim, eq = c.enc_n_heads * c.enc_head_dim, frames = 8 * T, enc = 4 * T;
  f(2 + frames, c.num_mel_bins, DType::F32);
  f(frames, c.num_mel_bins * 3, act);
  f(1 + frames, ed, act);
  f(enc, ed * 3, act);
  for (int64_t cols : {ed, ed, eq, eq, eq, eq, c.enc_hidden_dim, c.enc_hidden_dim}) f(enc, cols, act);
  f(T, c.dim, act);
  f(T, c.dim, act);
  const int64_t enc_ring = c.enc_window + enc;
  for (int64_t l = 0; l < c.enc_n_layers; ++l) {
    f(enc_ring, eq, act);
    f(enc_ring, eq, act);
  }
  const int64_t dq = c.n_heads * c.head_dim, dkv = c.n_kv_heads * c.head_dim;
  for (int64_t cols : {c.dim, c.dim, dq, dkv, dkv, dq, c.hidden_dim, c.hidden_dim}) f(T, cols, act);
  f(1, c.dim, act);
  f(1, c.vocab_size, DType::F32);
  const int64_t dec_ring = c.sliding_window + T;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    f(dec_ring, dkv, act);
    f(dec_ring, dkv, act);
  }
  f(T, 1, DType::I32);
}

size_t elem_bytes(DType t) { return t == DType::BF16 ? 2 : 4; }

}  // namespace

uint64_t Workspace::bytes_needed(const ModelConfig& c, DType act, int64_t max_tokens) {
  uint64_t total = 0;
  for_each_alloc(c, act, max_tokens, [&](int64_t r, int64_t cols, DType t) { total += static_cast<uint64_t>(r * cols) * elem_bytes(t); });
  return total;
}

Act Workspace::make(int64_t rows, int64_t cols, DType t) {
  Buffer b = be_.alloc(static_cast<size_t>(rows * cols) * elem_bytes(t));
  buffers_.push_back(b);
  Act a;
  a.data = b.ptr;
  a.dtype = t;
  a.rows = rows;
  a.cols = cols;
  a.stride = cols;
  return a;
}

Workspace::Workspace(Backend& backend, const ModelConfig& c, DType act, int64_t T) : max_tokens(T), be_(backend) {
  std::vector<Act> all;
  try {
    for_each_alloc(c, act, T, [&](int64_t r, int64_t cols, DType t) { all.push_back(make(r, cols, t)); });
  } catch (...) {
    for (auto& b : buffers_) be_.free(b);
    throw;
  }
  size_t i = 0;
  auto take_caches = [&](int64_t layers, std::vector<KVCache>& out) {
    for (int64_t l = 0; l < layers; ++l) {
      KVCache kv;
      kv.k = all[i++];
      kv.v = all[i++];
      kv.ring = kv.k.rows;
      out.push_back(kv);
    }
  };
  mel_in = all[i++];
  conv1_cols = all[i++];
  conv1_out = all[i++];
  conv2_cols = all[i++];
  for (Act* p : {&eh, &ea, &eq, &ek, &ev, &eatt, &egate, &eup}) *p = all[i++];
  ad_hidden = all[i++];
  audio_embeds = all[i++];
  take_caches(c.enc_n_layers, enc_cache);
  for (Act* p : {&x, &a, &q, &k, &v, &att, &gate, &up}) *p = all[i++];
  last_norm = all[i++];
  logits = all[i++];
  take_caches(c.n_layers, dec_cache);
  token_ids = static_cast<int32_t*>(all[i++].data);
}

Workspace::~Workspace() {
  for (auto& b : buffers_) be_.free(b);
}

}  // namespace vxd
