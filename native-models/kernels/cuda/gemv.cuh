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

// x chunk slots in shared memory are padded by 4 floats (except for fp32 weights, whose 4-wide
// chunks are already conflict-free) so the lanes' 16-byte reads hit distinct banks.
template <DType WT>
__host__ __device__ constexpr int x_slot() {
  return chunk_elems<WT>() == 4 ? 4 : chunk_elems<WT>() + 4;
}

// Stages rows [0, M) of x into shared memory as fp32, in the chunk slots the hot loop reads, and
// adds each row's sum of squares into ss[m] (this thread's share). Every thread issues up to
// kStageBatch 16-byte (fp32) or 8-byte (bf16) loads before it uses any: converting each value
// right after its load made staging a chain of serial memory round trips (one per 4 columns per
// thread: 20 of them for the encoder's w2 input).
constexpr int kStageBatch = 8;

template <DType WT, int MR, bool X_BF16>
__device__ __forceinline__ void stage_rows_as(const DevAct& x, int M, int k, float* xs, float (&ss)[MR]) {
  constexpr int E = chunk_elems<WT>();
  constexpr int kSlot = x_slot<WT>();
  const int k4 = k / 4, chunks = k / E, total = M * k4;
  for (int t0 = threadIdx.x; t0 < total; t0 += kStageBatch * blockDim.x) {
    float4 v[kStageBatch];
    if constexpr (X_BF16) {
      uint2 raw[kStageBatch];
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int t = t0 + j * blockDim.x, m = t / k4, c = 4 * (t - m * k4);
        raw[j] = t < total ? *reinterpret_cast<const uint2*>(static_cast<const uint16_t*>(x.data) + m * x.stride + c) : make_uint2(0, 0);
      }
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j)
        v[j] = make_float4(__uint_as_float(raw[j].x << 16), __uint_as_float(raw[j].x & 0xffff0000u), __uint_as_float(raw[j].y << 16),
                           __uint_as_float(raw[j].y & 0xffff0000u));
    } else {
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int t = t0 + j * blockDim.x, m = t / k4, c = 4 * (t - m * k4);
        v[j] = t < total ? *reinterpret_cast<const float4*>(static_cast<const float*>(x.data) + m * x.stride + c) : make_float4(0, 0, 0, 0);
      }
    }
#pragma unroll
    for (int j = 0; j < kStageBatch; ++j) {
      const int t = t0 + j * blockDim.x, m = t / k4, c = 4 * (t - m * k4);
      if (t >= total) break;
      *reinterpret_cast<float4*>(xs + (m * chunks + c / E) * kSlot + c % E) = v[j];
      const float sq = v[j].x * v[j].x + v[j].y * v[j].y + v[j].z * v[j].z + v[j].w * v[j].w;
#pragma unroll
      for (int r = 0; r < MR; ++r)
        if (r == m) ss[r] += sq;  // a register array indexed by constants only
    }
  }
}

template <DType WT, int MR>
__device__ __forceinline__ void stage_rows(const DevAct& x, int M, int k, float* xs, float (&ss)[MR]) {
  if (x.bf16) stage_rows_as<WT, MR, true>(x, M, k, xs, ss);
  else stage_rows_as<WT, MR, false>(x, M, k, xs, ss);
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

// Pulls `rows` consecutive weight rows (and their scales) towards L2 without waiting (the PDL
// prologue of gemv_smem, before it waits for the previous kernel).
__device__ __forceinline__ void prefetch_rows_l2(const void* rows_base, int64_t bytes, const void* scales_base, int64_t scale_bytes) {
  const int lane = threadIdx.x & 31;
  const char* p = static_cast<const char*>(rows_base);
  for (int64_t off = lane * 128; off < bytes; off += 32 * 128) asm volatile("prefetch.global.L2 [%0];" ::"l"(p + off));
  if (scales_base) {
    const char* s = static_cast<const char*>(scales_base);
    for (int64_t off = lane * 128; off < scale_bytes; off += 32 * 128) asm volatile("prefetch.global.L2 [%0];" ::"l"(s + off));
  }
}

inline DevAct rows_of(DevAct a, int64_t r0, int64_t n) {
  a.data = static_cast<char*>(a.data) + r0 * a.stride * (a.bf16 ? 2 : 4);
  a.rows = n;
  return a;
}

}  // namespace
}  // namespace vxd::cuda
