// RMSNorm (optionally time-conditioned) and interleaved-pair RoPE.
#include <cmath>
#include <vector>

#include "../../src/error.h"
#include "act_io.h"
#include "cpu_backend.h"

namespace vxd::cpu {

void CpuBackend::rmsnorm(const Act& x, const float* weight, float eps, const float* ada, Act& y) {
  if (x.rows != y.rows || x.cols != y.cols) fail(VXD_ERR_INTERNAL, "rmsnorm shape mismatch");
  pool_.parallel_for(x.rows, 1, [&](int64_t r0, int64_t r1, int) {
    thread_local std::vector<float> in, out;
    for (int64_t r = r0; r < r1; ++r) {
      const float* v = load_row(x, r, in);
      double ss = 0;
      for (int64_t i = 0; i < x.cols; ++i) ss += static_cast<double>(v[i]) * v[i];
      const float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(x.cols) + eps));
      out.resize(static_cast<size_t>(x.cols));
      for (int64_t i = 0; i < x.cols; ++i) {
        float n = v[i] * inv * weight[i];
        out[i] = ada ? n * (1.0f + ada[i]) : n;
      }
      store_row(y, r, out.data());
    }
  });
}

void CpuBackend::rope(Act& x, int n_heads, int head_dim, double theta, StepParam pos) {
  if (static_cast<int64_t>(n_heads) * head_dim != x.cols || head_dim % 2) fail(VXD_ERR_INTERNAL, "rope shape mismatch");
  const int64_t p0 = params_[pos];
  const int half = head_dim / 2;
  std::vector<double> inv_freq(static_cast<size_t>(half));
  for (int i = 0; i < half; ++i) inv_freq[i] = std::pow(theta, -2.0 * i / head_dim);
  pool_.parallel_for(x.rows, 1, [&](int64_t r0, int64_t r1, int) {
    thread_local std::vector<float> in, cs, sn;
    cs.resize(static_cast<size_t>(half));
    sn.resize(static_cast<size_t>(half));
    for (int64_t r = r0; r < r1; ++r) {
      const double p = static_cast<double>(p0 + r);
      for (int i = 0; i < half; ++i) {
        // Reduce the angle in double so positions can grow without bound.
        double a = std::fmod(p * inv_freq[i], 2.0 * M_PI);
        cs[i] = static_cast<float>(std::cos(a));
        sn[i] = static_cast<float>(std::sin(a));
      }
      const float* v = load_row(x, r, in);
      std::vector<float> outrow(v, v + x.cols);
      for (int h = 0; h < n_heads; ++h) {
        float* hp = outrow.data() + static_cast<int64_t>(h) * head_dim;
        for (int i = 0; i < half; ++i) {
          float a = hp[2 * i], b = hp[2 * i + 1];
          hp[2 * i] = a * cs[i] - b * sn[i];
          hp[2 * i + 1] = a * sn[i] + b * cs[i];
        }
      }
      store_row(x, r, outrow.data());
    }
  });
}

}  // namespace vxd::cpu
