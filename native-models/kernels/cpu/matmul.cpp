// y = x . W^T (+ bias) (+ residual) for fp32/bf16 activations and f32/bf16/q8/q4 weights.
// Parallel over output columns (weight rows); each weight row is read once per call.
#include <algorithm>
#include <vector>

#include "../../src/error.h"
#include "act_io.h"
#include "cpu_backend.h"

namespace vxd::cpu {
namespace {

// Dequantizes weight row n (bf16/q8/q4) into out[k].
void dequant_into(const DotKernels& kk, const Weight& w, int64_t n, float* out) {
  const int64_t k = w.k;
  switch (w.dtype) {
    case DType::BF16: kk.dequant_bf16(static_cast<const uint16_t*>(w.data) + n * k, out, k); break;
    case DType::Q8: kk.dequant_q8(static_cast<const int8_t*>(w.data) + n * k, w.scales + n * (k / w.group), w.group, out, k); break;
    case DType::Q4:
      kk.dequant_q4(static_cast<const uint8_t*>(w.data) + n * (k / 2), w.scales + n * (k / w.group), w.group, out, k);
      break;
    default: fail(VXD_ERR_INTERNAL, "bad weight dtype");
  }
}

float fused_dot(const DotKernels& kk, const Weight& w, int64_t n, const float* x) {
  const int64_t k = w.k;
  switch (w.dtype) {
    case DType::F32: return kk.f32(x, static_cast<const float*>(w.data) + n * k, k);
    case DType::BF16: return kk.bf16(x, static_cast<const uint16_t*>(w.data) + n * k, k);
    case DType::Q8: return kk.q8(x, static_cast<const int8_t*>(w.data) + n * k, w.scales + n * (k / w.group), w.group, k);
    case DType::Q4:
      return kk.q4(x, static_cast<const uint8_t*>(w.data) + n * (k / 2), w.scales + n * (k / w.group), w.group, k);
    default: fail(VXD_ERR_INTERNAL, "bad weight dtype");
  }
}

}  // namespace

void CpuBackend::matmul(const Act& x, const Weight& w, const float* bias, const Act* residual, Act& y) {
  if (x.cols != w.k || y.cols != w.n || y.rows != x.rows || (residual && (residual->rows != y.rows || residual->cols != y.cols)))
    fail(VXD_ERR_INTERNAL, "matmul shape mismatch");
  const int64_t m_rows = x.rows, k = w.k;
  // Activations as one contiguous fp32 block.
  std::vector<float> xf;
  const float* X;
  if (x.dtype == DType::F32 && x.stride == k) {
    X = static_cast<const float*>(x.data);
  } else {
    xf.resize(static_cast<size_t>(m_rows * k));
    std::vector<float> tmp;
    for (int64_t m = 0; m < m_rows; ++m) {
      const float* r = load_row(x, m, tmp);
      std::copy(r, r + k, xf.data() + m * k);
    }
    X = xf.data();
  }
  const DotKernels& kk = kernels_;
  auto finish = [&](int64_t m, int64_t n, float acc) {
    if (bias) acc += bias[n];
    if (residual) acc += load_elem(*residual, m, n);
    store_elem(y, m, n, acc);
  };
  if (m_rows <= 2) {
    // GEMV: stream each weight row once, dequantizing inside the SIMD dot.
    pool_.parallel_for(w.n, 8, [&](int64_t n0, int64_t n1, int) {
      for (int64_t n = n0; n < n1; ++n)
        for (int64_t m = 0; m < m_rows; ++m) finish(m, n, fused_dot(kk, w, n, X + m * k));
    });
    return;
  }
  // Batched: blocks of weight rows as fp32 stay in cache while every activation row passes,
  // kTileRows activation rows by tile_cols weight rows at a time (register tiles, dot.h).
  constexpr int64_t kBlock = 8;
  pool_.parallel_for(w.n, kBlock, [&](int64_t n0, int64_t n1, int) {
    thread_local std::vector<float> rows;
    float out[kTileRows * kBlock];
    for (int64_t b0 = n0; b0 < n1; b0 += kBlock) {
      const int64_t nb = std::min(kBlock, n1 - b0);
      const float* W = static_cast<const float*>(w.data) + b0 * k;
      if (w.dtype != DType::F32) {
        rows.resize(static_cast<size_t>(kBlock * k));
        for (int64_t j = 0; j < nb; ++j) dequant_into(kk, w, b0 + j, rows.data() + j * k);
        W = rows.data();
      }
      for (int64_t m0 = 0; m0 < m_rows; m0 += kTileRows) {
        const int mr = static_cast<int>(std::min<int64_t>(kTileRows, m_rows - m0));
        for (int64_t j0 = 0; j0 < nb; j0 += kk.tile_cols) {
          const int nr = static_cast<int>(std::min<int64_t>(kk.tile_cols, nb - j0));
          if (kk.f32_tile) {
            kk.f32_tile(X + m0 * k, k, mr, W + j0 * k, k, nr, k, out + j0, kBlock);
          } else {
            for (int m = 0; m < mr; ++m)
              for (int j = 0; j < nr; ++j) out[m * kBlock + j0 + j] = kk.f32(X + (m0 + m) * k, W + (j0 + j) * k, k);
          }
        }
        for (int m = 0; m < mr; ++m)
          for (int64_t j = 0; j < nb; ++j) finish(m0 + m, b0 + j, out[m * kBlock + j]);
      }
    }
  });
}

}  // namespace vxd::cpu
