// Pieces shared by the GEMV kernels (matmul.cu: one weight; gemv_multi.cu: several weights
// sharing x, optional RMSNorm of x, gated FFN): the epilogue, x staging in shared memory and
// the fast-path conditions. Header-only so both files inline them.
#pragma once

#include "common.cuh"
#include "weights.cuh"

namespace vxd::cuda {
namespace {

constexpr int kGemvWarps = 8;  // warps per GEMV block

struct Epilogue {
  const float* bias;
  DevAct residual;
  bool has_residual;
  DevAct y;
};

__device__ __forceinline__ void store_out(const Epilogue& e, int64_t m, int64_t n, float v) {
  if (e.bias) v += e.bias[n];
  if (e.has_residual) v += ld(e.residual, m, n);
  st(e.y, m, n, v);
}

// Four consecutive activations as fp32 (c is a multiple of 4, the row 16-byte aligned).
__device__ __forceinline__ float4 load_x4(const DevAct& x, int m, int c) {
  if (x.bf16) {
    const uint2 u = *reinterpret_cast<const uint2*>(static_cast<const uint16_t*>(x.data) + m * x.stride + c);
    return make_float4(__uint_as_float(u.x << 16), __uint_as_float(u.x & 0xffff0000u), __uint_as_float(u.y << 16),
                       __uint_as_float(u.y & 0xffff0000u));
  }
  return *reinterpret_cast<const float4*>(static_cast<const float*>(x.data) + m * x.stride + c);
}

// x chunk slots in shared memory are padded by 4 floats (except for fp32 weights, whose 4-wide
// chunks are already conflict-free) so the lanes' 16-byte reads hit distinct banks.
template <DType WT>
__host__ __device__ constexpr int x_slot() {
  return chunk_elems<WT>() == 4 ? 4 : chunk_elems<WT>() + 4;
}

template <DType WT>
inline size_t gemv_smem_bytes(int64_t rows, int64_t k) {
  return static_cast<size_t>(rows) * static_cast<size_t>(k / chunk_elems<WT>()) * x_slot<WT>() * sizeof(float);
}

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

template <DType WT>
inline bool fast_path_ok(const DevAct& x, const DevWeight& w) {
  constexpr int E = chunk_elems<WT>();
  const size_t xelem = x.bf16 ? 2 : 4;
  const bool quant = WT == DType::Q8 || WT == DType::Q4;
  return w.k % E == 0 && aligned16(w.data) && aligned16(x.data) && (x.stride * xelem) % 16 == 0 &&
         (!quant || w.group % 8 == 0);
}

inline DevAct rows_of(DevAct a, int64_t r0, int64_t n) {
  a.data = static_cast<char*>(a.data) + r0 * a.stride * (a.bf16 ? 2 : 4);
  a.rows = n;
  return a;
}

}  // namespace
}  // namespace vxd::cuda
