// RMSNorm (optionally time-conditioned: * (1 + ada)) and interleaved-pair RoPE.
#include <algorithm>

#include "common.cuh"
#include "cuda_backend.h"

namespace vxd::cuda {
namespace {

__global__ void rmsnorm_kernel(DevAct x, const float* weight, float eps, const float* ada, DevAct y) {
  pdl_trigger();
  const int64_t r = blockIdx.x;
  float ss = 0.0f;
  for (int64_t c = threadIdx.x; c < x.cols; c += blockDim.x) {
    const float v = ld(x, r, c);
    ss = fmaf(v, v, ss);
  }
  const float inv = rsqrtf(block_sum(ss) / static_cast<float>(x.cols) + eps);
  // Each element is read and written by the same thread, so y may alias x.
  for (int64_t c = threadIdx.x; c < x.cols; c += blockDim.x) {
    float n = ld(x, r, c) * inv * weight[c];
    if (ada) n *= 1.0f + ada[c];
    st(y, r, c, n);
  }
}

// One thread per (row, head, pair), all independent (a per-row loop over heads serialises on
// memory latency). The angle is reduced in double so positions may grow without bound.
__global__ void rope_kernel(DevAct x, int n_heads, int head_dim, double theta, const int64_t* pos) {
  pdl_trigger();
  const int half = head_dim / 2;
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= x.rows * n_heads * half) return;
  const int i = static_cast<int>(t % half);
  const int64_t rh = t / half;
  const int h = static_cast<int>(rh % n_heads);
  const int64_t r = rh / n_heads;
  const int64_t c = static_cast<int64_t>(h) * head_dim + 2 * i;
  const float v0 = ld(x, r, c), v1 = ld(x, r, c + 1);
  const double p = static_cast<double>(*pos + r);
  const double inv_freq = pow(theta, -2.0 * i / head_dim);
  const double a = fmod(p * inv_freq, 2.0 * 3.14159265358979323846);
  double sn, cs;
  sincos(a, &sn, &cs);
  st(x, r, c, v0 * static_cast<float>(cs) - v1 * static_cast<float>(sn));
  st(x, r, c + 1, v0 * static_cast<float>(sn) + v1 * static_cast<float>(cs));
}

}  // namespace

void CudaBackend::rmsnorm(const Act& x, const float* weight, float eps, const float* ada, Act& y) {
  if (note(2, x, static_cast<const void*>(weight), eps, static_cast<const void*>(ada), y)) return;
  ProfileScope prof(*this, profiling() ? "rmsnorm " + std::to_string(x.rows) + "x" + std::to_string(x.cols) : std::string());
  if (x.rows != y.rows || x.cols != y.cols) fail(VXD_ERR_INTERNAL, "rmsnorm shape mismatch");
  if (x.rows == 0) return;
  // About four elements per thread: the row is read in one round of loads.
  const int threads = static_cast<int>(std::min<int64_t>(1024, std::max<int64_t>(32, (x.cols / 4 + 31) / 32 * 32)));
  rmsnorm_kernel<<<static_cast<unsigned>(x.rows), threads, 0, stream_>>>(dev(x), weight, eps, ada, dev(y));
  check_launch("rmsnorm");
}

void CudaBackend::rope(Act& x, int n_heads, int head_dim, double theta, StepParam pos) {
  if (note(3, x, n_heads, head_dim, theta, pos)) return;
  ProfileScope prof(*this, profiling() ? "rope " + std::to_string(x.rows) + "x" + std::to_string(x.cols) : std::string());
  if (static_cast<int64_t>(n_heads) * head_dim != x.cols || head_dim % 2) fail(VXD_ERR_INTERNAL, "rope shape mismatch");
  if (x.rows == 0) return;
  const int64_t n = x.rows * n_heads * (head_dim / 2);
  rope_kernel<<<blocks_for(n, 128), 128, 0, stream_>>>(dev(x), n_heads, head_dim, theta, param_ptr(pos));
  check_launch("rope");
}

}  // namespace vxd::cuda
