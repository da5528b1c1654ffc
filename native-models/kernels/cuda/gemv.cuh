// Pieces shared by the GEMV kernels (matmul.cu: one weight; gemv_multi.cu: several weights
// sharing x, optional RMSNorm of x, gated FFN; gemv_mma.cu: the tensor-core path for q4 weights):
// the epilogue, the fused-call arguments, x staging in shared memory and the fast-path
// conditions. Header-only so every file inlines them.
#pragma once

#include <utility>

#include "common.cuh"
#include "cuda_backend.h"
#include "weights.cuh"

namespace vxd::cuda {

constexpr int kGemvWarps = 8;  // warps per GEMV block
constexpr int kMaxOuts = Backend::kMaxMatmulOuts;

struct Epilogue {
  const float* bias;
  DevAct residual;
  bool has_residual;
  DevAct y;
};

// The RoPE epilogue of qkv_rope_write (on = false: plain stores). Outputs 0 (q) and 1 (k) are
// rotated, and the k and v rows also go to the ring at slot (pos + m0 + m) mod ring; m0 is the
// first row of x in this pass.
struct RopeEpilogue {
  bool on;
  DevAct kc, vc;
  int64_t ring;
  const int64_t* pos;
  int head_dim;
  double log2_theta;  // log2(theta), from the host: exp2 of it costs less than pow in the epilogue
  int64_t m0;
};

// A fused call's arguments (matmul_multi, gated_ffn, qkv_rope_write; a plain matmul is one output).
struct MultiArgs {
  DevWeight w[kMaxOuts];
  Epilogue e[kMaxOuts];
  int64_t group_end[kMaxOuts];  // cumulative row groups: output i owns [group_end[i-1], group_end[i])
  int count;
  const float* norm_w;  // null: x is used as is
  const float* norm_ada;
  float eps;
  bool norm_bf16;  // the call's normalised x is a bf16 activation (its rounding is part of the op)
  RopeEpilogue rope;  // qkv_rope_write (rope.on): outputs 0 = q, 1 = k, 2 = v
  bool rope_early;    // the tensor-core GEMV computes its RoPE angles and ring slots before its wait (v30)
  unsigned long long* trace = nullptr;  // the tensor-core GEMV's step-trace stamps (step_trace.cuh; set per launch)
};

// The tensor-core GEMV for q4 weights and bf16 activations (gemv_mma.cu): false, launching
// nothing, where it does not serve the arguments or is off (VXD_CUDA_MMA=0 turns it off);
// launch = false only checks.
bool run_mma_q4(const DevAct& x, MultiArgs a, bool gated, const MatmulContext& ctx, bool launch);
void configure_gemv_mma(const MatmulContext& ctx);

namespace {

__device__ __forceinline__ void store_out(const Epilogue& e, int64_t m, int64_t n, float v) {
  if (e.bias) v += e.bias[n];
  if (e.has_residual) v += ld(e.residual, m, n);
  st(e.y, m, n, v);
}

// Launches a GEMV kernel (`warps` warps per block) on the context's stream, as a programmatic
// dependent launch when ctx.pdl is set (the kernel waits in pdl_wait() for its predecessor).
template <typename... Params, typename... Args>
void launch_gemv_kernel(void (*kernel)(Params...), unsigned grid, int warps, size_t smem, const MatmulContext& ctx, const char* what,
                        Args&&... args) {
  check(launch_kernel(kernel, dim3(grid), dim3(warps * 32), smem, ctx.stream, ctx.pdl, std::forward<Args>(args)...), what);
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
constexpr int kStageBatch = 4;

// Each warp's share of the sums of squares of rows [0, M) into part[warp][m] (lane 0 writes).
template <int MR>
__device__ __forceinline__ void store_warp_sums(const float (&ss)[MR], float (*part)[MR], int M) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int m = 0; m < MR; ++m) {
    if (m >= M) break;
    const float v = warp_sum(ss[m]);
    if (lane == 0) part[warp][m] = v;
  }
}

// 1 / RMS of row m (k columns) from the WARPS warps' partial sums (store_warp_sums).
template <int MR, int WARPS>
__device__ __forceinline__ float row_inverse(const float (*part)[MR], int m, int k, float eps) {
  float t = 0.0f;
#pragma unroll
  for (int w = 0; w < WARPS; ++w) t += part[w][m];
  return rsqrtf(t / static_cast<float>(k) + eps);
}

// 1 / RMS of each x row from every thread's partial sums of squares (one block reduction for all
// rows; blocks of WARPS warps); rows from M on are not reduced (their inv is not used).
template <int MR, int WARPS = kGemvWarps>
__device__ __forceinline__ void rms_inverse(const float (&ss)[MR], int k, float eps, float (&inv)[MR], int M = MR) {
  __shared__ float part[WARPS][MR];
  store_warp_sums<MR>(ss, part, M);
  __syncthreads();
#pragma unroll
  for (int m = 0; m < MR; ++m) inv[m] = row_inverse<MR, WARPS>(part, m, k, eps);
}

// Rows are an unrolled outer loop (M <= MR), so no index needs a division (v10's SASS: a flat
// index divided by k / 4 per element cost more than the GEMV's loop in the small kernels).
template <DType WT, int MR, bool X_BF16>
__device__ __forceinline__ void stage_rows_as(const DevAct& x, int M, int k, float* xs, float (&ss)[MR]) {
  constexpr int E = chunk_elems<WT>();
  constexpr int kSlot = x_slot<WT>();
  const int chunks = k / E, step = 4 * kStageBatch * blockDim.x;
#pragma unroll
  for (int m = 0; m < MR; ++m) {
    if (m >= M) break;
    for (int c0 = 4 * threadIdx.x; c0 < k; c0 += step) {
      float4 v[kStageBatch];
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int c = c0 + 4 * j * blockDim.x;
        if constexpr (X_BF16) {
          const uint2 raw = c < k ? *reinterpret_cast<const uint2*>(static_cast<const uint16_t*>(x.data) + m * x.stride + c) : make_uint2(0, 0);
          v[j] = make_float4(__uint_as_float(raw.x << 16), __uint_as_float(raw.x & 0xffff0000u), __uint_as_float(raw.y << 16),
                             __uint_as_float(raw.y & 0xffff0000u));
        } else {
          v[j] = c < k ? *reinterpret_cast<const float4*>(static_cast<const float*>(x.data) + m * x.stride + c) : make_float4(0, 0, 0, 0);
        }
      }
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int c = c0 + 4 * j * blockDim.x;
        if (c >= k) break;
        *reinterpret_cast<float4*>(xs + (m * chunks + c / E) * kSlot + c % E) = v[j];
        ss[m] += v[j].x * v[j].x + v[j].y * v[j].y + v[j].z * v[j].z + v[j].w * v[j].w;
      }
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
  // Quantized: one scale per 16-byte chunk (groups of 32+ for q4, 16+ for q8, as packed). Smaller
  // groups take the generic kernels: a scale per sub-block kept 4x the scale registers live in
  // the hot loop of every kernel, for groups no pack uses.
  return w.k % E == 0 && aligned16(w.data) && aligned16(x.data) && (x.stride * xelem) % 16 == 0 &&
         (!quant || w.group % E == 0);
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

__device__ __forceinline__ float round_to(const DevAct& a, float v) { return a.bf16 ? bf16_bits_to_f32(f32_to_bf16_bits(v)) : v; }

// Output row n (of q, k or v) of x row m, given this row's and its RoPE partner's (n ^ 1) sums:
// the math of rope_kv_write_kernel on values that were never rounded to the activation dtype.
// K and V enter the ring rounded to k's and v's dtype, as if read back from them.
// Sine and cosine of column n's RoPE angle at position p. The angle is reduced to [-pi, pi] in
// double (positions grow without bound), then its sine and cosine come from the fast fp32 unit
// (|error| < 4e-7 there): double sincos in this epilogue cost more registers and time than the
// whole q/k/v matmul.
__device__ __forceinline__ float2 rope_angle(const RopeEpilogue& R, int64_t p, int64_t n) {
  const int i = static_cast<int>((n % R.head_dim) / 2);
  const double turns = static_cast<double>(p) * exp2(-2.0 * i / R.head_dim * R.log2_theta) * (0.5 / 3.14159265358979323846);
  float sn, cs;
  __sincosf(static_cast<float>((turns - rint(turns)) * (2.0 * 3.14159265358979323846)), &sn, &cs);
  return make_float2(sn, cs);
}

// Output `out` (0 q, 1 k, 2 v) of row m, column n: q and k rotated by sc = (sine, cosine), k and v
// also stored in the ring at `slot`.
__device__ __forceinline__ void rope_apply(const RopeEpilogue& R, const Epilogue& e, int out, int64_t m, int64_t slot, int64_t n, float self,
                                           float partner, float2 sc) {
  if (e.bias) self += e.bias[n], partner += e.bias[n ^ 1];
  if (out == 2) {
    st(e.y, m, n, self);
    st(R.vc, slot, n, round_to(e.y, self));
    return;
  }
  const bool odd = n & 1;
  const float v0 = odd ? partner : self, v1 = odd ? self : partner;
  const float o = odd ? v0 * sc.x + v1 * sc.y : v0 * sc.y - v1 * sc.x;
  st(e.y, m, n, o);
  if (out == 1) st(R.kc, slot, n, round_to(e.y, o));
}

__device__ __forceinline__ void rope_store(const RopeEpilogue& R, const Epilogue& e, int out, int64_t m, int64_t p, int64_t n,
                                           float self, float partner) {
  rope_apply(R, e, out, m, ring_slot(p, R.ring), n, self, partner, out == 2 ? make_float2(0.0f, 1.0f) : rope_angle(R, p, n));
}

// One warp, RPW weight rows: plain mode rows row0..row0+RPW-1 of W; gated mode rows
// row0..row0+H-1 of W (= w1) and of U (= w3), H = RPW / 2, stored as silu(W row) * (U row).
template <DType WT, int MR, int RPW, bool GATED>
__device__ __forceinline__ void gemv_rows(const float* xs, int M, const DevWeight& W, const DevWeight& U, const Epilogue& e,
                                          int64_t row0, const RopeEpilogue& rope, int out) {
  constexpr int E = chunk_elems<WT>();
  constexpr int kSlot = x_slot<WT>();
  constexpr int kSubW = sub_elems<WT>();
  constexpr int kSubs = E / kSubW;
  constexpr bool kQuant = WT == DType::Q8 || WT == DType::Q4;
  constexpr int H = GATED ? RPW / 2 : RPW;
  const int lane = threadIdx.x & 31;
  const int chunks = static_cast<int>(W.k / E);
  const int groups_per_row = kQuant ? static_cast<int>(W.k / W.group) : 0;
  // Row pointers as one base per weight (plain: 1, gated: 2) plus r * chunks: per-row pointer
  // arrays cost 4 registers per row.
  const uint4* wbase[2] = {static_cast<const uint4*>(W.data) + row0 * chunks, static_cast<const uint4*>(U.data) + row0 * chunks};
  const uint16_t* sbase[2] = {kQuant ? W.scales + row0 * groups_per_row : nullptr, kQuant ? U.scales + row0 * groups_per_row : nullptr};
  bool ok[RPW];
#pragma unroll
  for (int r = 0; r < RPW; ++r) ok[r] = row0 + r % H < ((GATED && r >= H) ? U.n : W.n);
  float acc[RPW][MR];
#pragma unroll
  for (int r = 0; r < RPW; ++r)
#pragma unroll
    for (int m = 0; m < MR; ++m) acc[r][m] = 0.0f;

#pragma unroll 2
  for (int ci = lane; ci < chunks; ci += 32) {
    // Every weight and scale load of this iteration is issued before the first use; the scales
    // stay fp16 bits until then (converting each right after its load waited for memory row by
    // row, and an fp32 copy of them cost registers).
    uint4 bits[RPW];
    uint16_t sbits[RPW];  // one scale per chunk (fast_path_ok)
#pragma unroll
    for (int r = 0; r < RPW; ++r) {
      const int b = (GATED && r >= H) ? 1 : 0;
      bits[r] = make_uint4(0, 0, 0, 0);
      if (ok[r]) {
        if (WT == DType::Q4 && (b ? U : W).tiled) bits[r] = load_tiled_q4_chunk(b ? U : W, row0 + r % H, ci);
        else bits[r] = __ldg(wbase[b] + static_cast<int64_t>(r % H) * chunks + ci);
      }
      if constexpr (kQuant) {
        const uint16_t* srow = sbase[b] + static_cast<int64_t>(r % H) * groups_per_row;
        sbits[r] = ok[r] ? __ldg(srow + ci * E / W.group) : uint16_t{0};
      }
    }
#pragma unroll
    for (int s = 0; s < kSubs; ++s) {
      float wv[RPW][kSubW];
#pragma unroll
      for (int r = 0; r < RPW; ++r) unpack_sub<WT>(bits[r], s, wv[r]);
#pragma unroll
      for (int m = 0; m < MR; ++m) {
        if (m >= M) break;
        const float4* xp = reinterpret_cast<const float4*>(xs + (m * chunks + ci) * kSlot + s * kSubW);
        float xv[kSubW];
#pragma unroll
        for (int q = 0; q < kSubW / 4; ++q) {
          const float4 t = xp[q];
          xv[4 * q] = t.x, xv[4 * q + 1] = t.y, xv[4 * q + 2] = t.z, xv[4 * q + 3] = t.w;
        }
#pragma unroll
        for (int r = 0; r < RPW; ++r) {
          float part = 0.0f;
#pragma unroll
          for (int i = 0; i < kSubW; ++i) part = fmaf(wv[r][i], xv[i], part);
          if constexpr (kQuant) acc[r][m] = fmaf(f16_bits_to_f32(sbits[r]), part, acc[r][m]);
          else acc[r][m] += part;
        }
      }
    }
  }
#pragma unroll
  for (int r = 0; r < RPW; ++r)
#pragma unroll
    for (int m = 0; m < MR; ++m) acc[r][m] = warp_sum(acc[r][m]);
  // After warp_sum every lane holds every sum; lane r * MR + m stores (r, m).
  if constexpr (!GATED && RPW % 2 == 0) {
    if (rope.on) {
      // Row groups start at multiples of 4, so a pair's partner row is in this warp. The RoPE
      // math runs once per lane, not once per unrolled (r, m) slot.
      float self = 0.0f, partner = 0.0f;
      int rr = -1, mm = 0;
#pragma unroll
      for (int r = 0; r < RPW; ++r)
#pragma unroll
        for (int m = 0; m < MR; ++m)
          if (lane == r * MR + m) self = acc[r][m], partner = acc[r ^ 1][m], rr = r, mm = m;
      if (rr >= 0 && mm < M && row0 + rr < W.n) rope_store(rope, e, out, mm, *rope.pos + rope.m0 + mm, row0 + rr, self, partner);
      return;
    }
  }
#pragma unroll
  for (int r = 0; r < H; ++r)
#pragma unroll
    for (int m = 0; m < MR; ++m)
      if (m < M && ok[r] && lane == r * MR + m) {
        float v = acc[r][m];
        if constexpr (GATED) v = v / (1.0f + expf(-v)) * acc[r + H][m];  // same SiLU as silu_mul
        store_out(e, m, row0 + r, v);
      }
}

}  // namespace
}  // namespace vxd::cuda
