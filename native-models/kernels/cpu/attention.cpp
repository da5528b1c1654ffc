// Ring KV-cache write and sliding-window causal attention (GQA, fp32 softmax).
#include <algorithm>
#include <cmath>
#include <vector>

#include "../../src/error.h"
#include "act_io.h"
#include "cpu_backend.h"

namespace vxd::cpu {

void CpuBackend::kv_write(const Act& k, const Act& v, KVCache& cache, StepParam pos) {
  if (k.rows != v.rows || k.cols != cache.k.cols || v.cols != cache.v.cols || k.rows > cache.ring)
    fail(VXD_ERR_INTERNAL, "kv_write shape mismatch");
  const int64_t p0 = params_[pos];
  std::vector<float> tmp;
  for (int64_t r = 0; r < k.rows; ++r) {
    const int64_t slot = (p0 + r) % cache.ring;
    store_row(cache.k, slot, load_row(k, r, tmp));
    store_row(cache.v, slot, load_row(v, r, tmp));
  }
}

void CpuBackend::attention(const Act& q, const KVCache& cache, const AttentionShape& s, StepParam pos, Act& out) {
  const int64_t hd = s.head_dim;
  if (q.cols != s.n_heads * hd || out.cols != q.cols || out.rows != q.rows || cache.k.cols != s.n_kv_heads * hd ||
      s.n_heads % s.n_kv_heads)
    fail(VXD_ERR_INTERNAL, "attention shape mismatch");
  if (cache.ring < s.window + q.rows - 1) fail(VXD_ERR_INTERNAL, "attention ring too small for this batch");
  const int64_t p0 = params_[pos];
  const int group = s.n_heads / s.n_kv_heads;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  const bool kv_bf16 = cache.k.dtype == DType::BF16;
  const DotKernels& kk = kernels_;
  pool_.parallel_for(q.rows * s.n_heads, 1, [&](int64_t t0, int64_t t1, int) {
    thread_local std::vector<float> qrow, scores, acc;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r = t / s.n_heads;
      const int h = static_cast<int>(t % s.n_heads);
      const int g = h / group;
      const int64_t p = p0 + r;
      const int64_t first = std::max<int64_t>(0, p - s.window + 1);
      const int64_t n_keys = p - first + 1;
      qrow.resize(static_cast<size_t>(hd));
      for (int64_t i = 0; i < hd; ++i) qrow[i] = load_elem(q, r, h * hd + i) * scale;
      scores.resize(static_cast<size_t>(n_keys));
      float mx = -INFINITY;
      for (int64_t j = 0; j < n_keys; ++j) {
        const int64_t slot = (first + j) % cache.ring;
        float sc = kv_bf16 ? kk.bf16(qrow.data(), act_row_bf16(cache.k, slot) + g * hd, hd)
                           : kk.f32(qrow.data(), act_row_f32(cache.k, slot) + g * hd, hd);
        scores[j] = sc;
        mx = std::max(mx, sc);
      }
      double sum = 0;
      for (int64_t j = 0; j < n_keys; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
      }
      const float inv = static_cast<float>(1.0 / sum);
      acc.assign(static_cast<size_t>(hd), 0.0f);
      for (int64_t j = 0; j < n_keys; ++j) {
        const int64_t slot = (first + j) % cache.ring;
        const float wj = scores[j] * inv;
        if (kv_bf16) kk.axpy_bf16(wj, act_row_bf16(cache.v, slot) + g * hd, acc.data(), hd);
        else kk.axpy_f32(wj, act_row_f32(cache.v, slot) + g * hd, acc.data(), hd);
      }
      for (int64_t i = 0; i < hd; ++i) store_elem(out, r, h * hd + i, acc[i]);
    }
  });
}

}  // namespace vxd::cpu
