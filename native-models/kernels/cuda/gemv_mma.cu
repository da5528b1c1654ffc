// Tensor-core GEMV for q4 weights and bf16 activations, M <= 8 rows of x per pass (v7). Off by
// default (VXD_CUDA_MMA=1): correct on an H100 (cuda_op_check, full-size parity), faster for the
// encoder's gated FFN (M = 4), but 2.3x slower for M = 1 in v7: two 64-bit divisions per tile and
// chunk in the loop, x staged for 8 rows whatever M is (one block per SM for k = 9216), and each
// chunk's loads issued only after the previous chunk's MMAs. v8 (this branch, not yet run) fixes
// all three (docs/cuda-notes.md "v7").
//
// Why: the v6 profile showed the fp32 GEMVs bound by instruction issue, not memory: each q4
// weight cost a byte permute, an fp32 add and one FMA per x row (3 instructions at M = 1, ~7
// at M = 4). Here one mma.sync.m16n8k16 does all multiply-adds of 16 columns × 8 weight rows ×
// the x rows, and a weight costs ~1.5 instructions of dequantization (bf16 pairs built with one
// LOP3 each and made exact integers with one bf16x2 FMA).
//
// Layout of one mma: A = x (16 × 16, rows = x rows, only the first M non-zero), B = a tile of 8
// weight rows (16 × 8, column n = weight row n), D = x rows × weight rows. Lane (g, t) = (lane / 4,
// lane % 4) holds B column g: the 32-bit word t of weight row g's 16-byte chunk (32 columns,
// nibble i of word t is column 8t + i). The pairs that one LOP3 yields are columns (i, i + 4) of
// that word, so the mma's k order is a permutation of the columns; x goes through the same
// permutation (its pairs are built with PRMT), which leaves the dot products unchanged. Each chunk
// is one quantization group (or part of one), so its scale is applied to the chunk's partial sum.
//
// Blocks own 8·T weight rows (of one output, or of w1 and w3 for the gated FFN); their 8 warps
// split k and meet in shared memory, where the epilogue (bias, residual, SiLU·up, RoPE + ring
// write) runs as in gemv_multi. x is staged in shared memory as bf16, RMSNorm-ed in fp32 and rounded
// once when the call fuses a norm, which is what the CPU's composed norm + matmul computes.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cuda_backend.h"
#include "gemv.cuh"

namespace vxd::cuda {
namespace {

constexpr int kMmaWarps = kGemvWarps;  // blocks are launched by launch_gemv_kernel
constexpr int kMmaRows = 8;  // x rows per pass (the mma's A has 16, the upper 8 always zero)
constexpr size_t kMmaStaticSmemRoom = 1024;

// Row stride of staged x in bf16 elements: 64 bytes mod 128 between rows, so the 8 lanes of a
// shared-memory phase (2 rows × 4 words of 16 bytes) hit distinct banks.
__host__ __device__ inline int x_ld(int k) { return (k / 32) % 2 ? k : k + 32; }

inline size_t mma_smem_bytes(int rows, int k, int T, bool gated) {
  const size_t xs = (static_cast<size_t>(rows) * x_ld(k) * 2 + 15) / 16 * 16;
  const size_t red = static_cast<size_t>(kMmaWarps) * T * (gated ? 2 : 1) * 64 * sizeof(float);
  return xs + red;
}

__device__ __forceinline__ void mma_bf16(float (&d)[4], uint32_t a_lo, uint32_t a_hi, uint32_t b0, uint32_t b1) {
  // A registers 1 and 3 (rows 8..15 of A) are zero: at most 8 x rows per pass.
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a_lo), "r"(0u), "r"(a_hi), "r"(0u), "r"(b0), "r"(b1));
}

// Columns (s, s + 4) of a word of 8 q4 codes as a bf16 pair of the integers code - 8: the LOP3
// puts each nibble into the mantissa of bf16 128 (0x4300 | n = 128 + n), and one FMA subtracts 136.
__device__ __forceinline__ uint32_t q4_pair(uint32_t w, int s) {
  const uint32_t biased = ((w >> (4 * s)) & 0x000F000Fu) | 0x43004300u;
  uint32_t out;
  asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(out) : "r"(biased), "r"(0x3F803F80u), "r"(0xC308C308u));
  return out;
}

// Rows [0, M) of x into shared memory as bf16 (row stride ld), RMSNorm-ed in fp32 and rounded
// once when a.norm_w is set. Loads are issued in batches before any is used (see stage_rows).
__device__ __forceinline__ void stage_x_bf16(const DevAct& x, const MultiArgs& a, int M, int k, uint16_t* xs, int ld) {
  const int k4 = k / 4, total = M * k4;
  float ss[kMmaRows];
#pragma unroll
  for (int m = 0; m < kMmaRows; ++m) ss[m] = 0.0f;
  for (int t0 = threadIdx.x; t0 < total; t0 += kStageBatch * blockDim.x) {
    uint2 raw[kStageBatch];
    load_bf16_batch(x, t0, total, k4, raw);
#pragma unroll
    for (int j = 0; j < kStageBatch; ++j) {
      const int t = t0 + j * blockDim.x, m = t / k4, c = 4 * (t - m * k4);
      if (t >= total) break;
      *reinterpret_cast<uint2*>(xs + m * ld + c) = raw[j];
      const float v0 = __uint_as_float(raw[j].x << 16), v1 = __uint_as_float(raw[j].x & 0xffff0000u),
                  v2 = __uint_as_float(raw[j].y << 16), v3 = __uint_as_float(raw[j].y & 0xffff0000u);
      const float sq = v0 * v0 + v1 * v1 + v2 * v2 + v3 * v3;
#pragma unroll
      for (int r = 0; r < kMmaRows; ++r)
        if (r == m) ss[r] += sq;
    }
  }
  if (a.norm_w) {
    float inv[kMmaRows];
    rms_inverse<kMmaRows>(ss, k, a.eps, inv);
    for (int t0 = threadIdx.x; t0 < total; t0 += kStageBatch * blockDim.x) {
      float4 w[kStageBatch], d[kStageBatch];
      load_norm_batch(a, t0, total, k4, w, d);
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int t = t0 + j * blockDim.x, m = t / k4, c = 4 * (t - m * k4);
        if (t >= total) break;
        const float in = row_value<kMmaRows>(inv, m);
        uint2* p = reinterpret_cast<uint2*>(xs + m * ld + c);
        const uint2 u = *p;
        float v0 = __uint_as_float(u.x << 16) * in * w[j].x, v1 = __uint_as_float(u.x & 0xffff0000u) * in * w[j].y;
        float v2 = __uint_as_float(u.y << 16) * in * w[j].z, v3 = __uint_as_float(u.y & 0xffff0000u) * in * w[j].w;
        if (a.norm_ada) v0 *= 1.0f + d[j].x, v1 *= 1.0f + d[j].y, v2 *= 1.0f + d[j].z, v3 *= 1.0f + d[j].w;
        *p = make_uint2(f32_to_bf16_bits(v0) | static_cast<uint32_t>(f32_to_bf16_bits(v1)) << 16,
                        f32_to_bf16_bits(v2) | static_cast<uint32_t>(f32_to_bf16_bits(v3)) << 16);
      }
    }
  }
  __syncthreads();
}

// One block: weight rows row0 .. row0 + 8T - 1 of output `out` (gated: of w1 and of w3), all M x
// rows. Warp w takes chunks [w C / 8, (w + 1) C / 8) of the C = k / 32 chunks.
template <int T, bool GATED>
__global__ void __launch_bounds__(kMmaWarps * 32, 2) gemv_mma_q4(DevAct x, MultiArgs a) {
  constexpr int H = GATED ? 2 : 1;
  extern __shared__ float4 smem4[];
  const int M = static_cast<int>(x.rows);
  const int k = static_cast<int>(a.w[0].k), ld = x_ld(k);
  uint16_t* xs = reinterpret_cast<uint16_t*>(smem4);
  // Staged x holds this pass's M rows only (v8: v7 reserved 8, which left the decoder's w2, k = 9216,
  // one block per SM).
  float* red = reinterpret_cast<float*>(smem4) + (static_cast<size_t>(M) * ld * 2 + 15) / 16 * 4;
  pdl_wait();
  pdl_trigger();
  stage_x_bf16(x, a, M, k, xs, ld);

  int out = 0;
  while (!GATED && out + 1 < a.count && blockIdx.x >= a.group_end[out]) ++out;
  const int64_t row0 = (static_cast<int64_t>(blockIdx.x) - (out ? a.group_end[out - 1] : 0)) * 8 * T;
  const DevWeight W[2] = {a.w[out], a.w[GATED ? 1 : out]};
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t4 = lane & 3;
  const int chunks = k / 32, c0 = warp * chunks / kMmaWarps, c1 = (warp + 1) * chunks / kMmaWarps;
  const int64_t words_per_row = k / 8;
  // Scale indexing without 64-bit divisions in the loop (v7 divided twice per tile and chunk):
  // every weight of a call shares one group size, a multiple of 32 (run_mma_q4).
  const int gpr = k / W[0].group, chunks_per_group = W[0].group / 32;

  float acc[T][H][2];
#pragma unroll
  for (int t = 0; t < T; ++t)
#pragma unroll
    for (int h = 0; h < H; ++h) acc[t][h][0] = acc[t][h][1] = 0.0f;

  // U chunks per round, every load of the round issued before the first MMA (v7 waited for each
  // chunk's loads in turn: 12-36 serial rounds per warp at M = 1).
  constexpr int U = T * H >= 8 ? 1 : T * H >= 4 ? 2 : 4;  // 8 tiles already give 8 loads in flight per lane
  for (int c = c0; c < c1; c += U) {
    uint4 xv[U];
    uint32_t wq[U][T][H];
    uint16_t sc[U][T][H][2];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int cu = c + u;
      const bool in = cu < c1;
      // x: columns 32 cu + 8 t4 .. + 7 of x row g.
      xv[u] = in && g < M ? *reinterpret_cast<const uint4*>(xs + g * ld + 32 * cu + 8 * t4) : make_uint4(0, 0, 0, 0);
#pragma unroll
      for (int t = 0; t < T; ++t)
#pragma unroll
        for (int h = 0; h < H; ++h) {
          const DevWeight& w = W[h];
          const int64_t r = row0 + 8 * t + g;
          // A missing row (or chunk) reads as code 8 (weight 0).
          wq[u][t][h] = in && r < w.n ? __ldg(static_cast<const uint32_t*>(w.data) + r * words_per_row + 4 * cu + t4) : 0x88888888u;
          const int grp = cu / chunks_per_group;
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const int64_t rr = row0 + 8 * t + 2 * t4 + e;
            sc[u][t][h][e] = in && rr < w.n ? __ldg(w.scales + rr * static_cast<int64_t>(gpr) + grp) : uint16_t{0};
          }
        }
    }
#pragma unroll
    for (int u = 0; u < U; ++u) {
      if (c + u >= c1) break;  // the same for the whole warp
      // x paired as the weight codes are: columns (0,4) (1,5) (2,6) (3,7) of the lane's 8.
      const uint32_t x04 = __byte_perm(xv[u].x, xv[u].z, 0x5410), x15 = __byte_perm(xv[u].x, xv[u].z, 0x7632);
      const uint32_t x26 = __byte_perm(xv[u].y, xv[u].w, 0x5410), x37 = __byte_perm(xv[u].y, xv[u].w, 0x7632);
#pragma unroll
      for (int t = 0; t < T; ++t)
#pragma unroll
        for (int h = 0; h < H; ++h) {
          float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
          mma_bf16(d, x04, x15, q4_pair(wq[u][t][h], 0), q4_pair(wq[u][t][h], 1));
          mma_bf16(d, x26, x37, q4_pair(wq[u][t][h], 2), q4_pair(wq[u][t][h], 3));
          acc[t][h][0] = fmaf(f16_bits_to_f32(sc[u][t][h][0]), d[0], acc[t][h][0]);
          acc[t][h][1] = fmaf(f16_bits_to_f32(sc[u][t][h][1]), d[1], acc[t][h][1]);
        }
    }
  }

  // red[warp][t][h][x row][weight row of the tile]: lane (g, t4) holds x row g, rows 2 t4, 2 t4 + 1.
#pragma unroll
  for (int t = 0; t < T; ++t)
#pragma unroll
    for (int h = 0; h < H; ++h)
#pragma unroll
      for (int e = 0; e < 2; ++e) red[(((warp * T + t) * H + h) * 8 + g) * 8 + 2 * t4 + e] = acc[t][h][e];
  __syncthreads();
  const auto sum = [&](int t, int h, int m, int col) {
    float v = 0.0f;
#pragma unroll
    for (int w = 0; w < kMmaWarps; ++w) v += red[(((w * T + t) * H + h) * 8 + m) * 8 + col];
    return v;
  };
  for (int i = threadIdx.x; i < T * 8 * M; i += blockDim.x) {
    const int t = i / (8 * M), m = (i / 8) % M, col = i % 8;
    const int64_t n = row0 + 8 * t + col;
    if (n >= W[0].n) continue;
    if constexpr (GATED) {
      const float u = sum(t, 0, m, col);
      store_out(a.e[0], m, n, u / (1.0f + expf(-u)) * sum(t, 1, m, col));  // same SiLU as silu_mul
    } else if (a.rope.on) {
      rope_store(a.rope, a.e[out], out, m, *a.rope.pos + a.rope.m0 + m, n, sum(t, 0, m, col), sum(t, 0, m, col ^ 1));
    } else {
      store_out(a.e[out], m, n, sum(t, 0, m, col));
    }
  }
}

template <int T, bool GATED>
void launch_mma(const DevAct& x, const MultiArgs& a, const MatmulContext& ctx, size_t smem) {
  launch_gemv_kernel(gemv_mma_q4<T, GATED>, static_cast<unsigned>(a.group_end[GATED ? 0 : a.count - 1]), smem, ctx,
                     "launch gemv_mma_q4", x, a);
}

template <int T, bool GATED>
void allow_smem(int bytes) {
  check(cudaFuncSetAttribute(gemv_mma_q4<T, GATED>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "gemv_mma smem limit");
}

}  // namespace

void configure_gemv_mma(const MatmulContext& ctx) {
  const int limit = static_cast<int>(ctx.smem_limit - kMmaStaticSmemRoom);
  allow_smem<1, false>(limit);
  allow_smem<2, false>(limit);
  allow_smem<4, false>(limit);
  allow_smem<1, true>(limit);
  allow_smem<2, true>(limit);
  allow_smem<4, true>(limit);
}

bool run_mma_q4(const DevAct& x, MultiArgs a, bool gated, const MatmulContext& ctx, bool launch) {
  constexpr int64_t kMaxRows = 256;  // beyond: the tiled GEMM of matmul() (as run_multi)
  if (!ctx.mma || !x.bf16 || x.rows < 1 || x.rows > kMaxRows || !aligned16(x.data) || (x.stride * 2) % 16) return false;
  const int outs = gated ? 2 : a.count;
  const int64_t k = a.w[0].k;
  if (k % 32 || k >= (1LL << 30)) return false;
  for (int i = 0; i < outs; ++i) {
    const DevWeight& w = a.w[i];
    if (w.k != k || w.group <= 0 || w.group % 32 || w.group != a.w[0].group || k % w.group || !aligned16(w.data) ||
        (gated && w.n != a.w[0].n))
      return false;
  }
  // x is staged as bf16: a fused norm may round only where the op's own normalised x is bf16.
  if (a.norm_w && (!a.norm_bf16 || !aligned16(a.norm_w) || (a.norm_ada && !aligned16(a.norm_ada)))) return false;
  if (a.rope.on && (gated || a.w[0].n % 2 || a.w[1].n % 2)) return false;
  int64_t total_rows = 0;
  for (int i = 0; i < (gated ? 1 : a.count); ++i) total_rows += a.w[i].n;
  // The largest tile count per block that still gives two blocks per SM (more weight rows per
  // block share the staging of x).
  const int T = total_rows >= 64LL * ctx.sm_count ? 4 : total_rows >= 32LL * ctx.sm_count ? 2 : 1;
  // The first pass has the most rows (later ones have as many or fewer).
  if (mma_smem_bytes(static_cast<int>(std::min<int64_t>(x.rows, kMmaRows)), static_cast<int>(k), T, gated) >
      ctx.smem_limit - kMmaStaticSmemRoom)
    return false;
  if (!launch) return true;
  int64_t end = 0;
  for (int i = 0; i < (gated ? 1 : a.count); ++i) a.group_end[i] = end += (a.w[i].n + 8 * T - 1) / (8 * T);
  const MultiArgs full = a;
  for (int64_t m0 = 0; m0 < x.rows; m0 += kMmaRows) {
    const int64_t n = std::min<int64_t>(kMmaRows, x.rows - m0);
    MultiArgs p = full;
    p.rope.m0 = m0;
    for (int i = 0; i < (gated ? 1 : a.count); ++i) {
      p.e[i].y = rows_of(full.e[i].y, m0, n);
      p.e[i].residual = rows_of(full.e[i].residual, m0, n);
    }
    const DevAct xp = rows_of(x, m0, n);
    const size_t smem = mma_smem_bytes(static_cast<int>(n), static_cast<int>(k), T, gated);
    if (T == 4) gated ? launch_mma<4, true>(xp, p, ctx, smem) : launch_mma<4, false>(xp, p, ctx, smem);
    else if (T == 2) gated ? launch_mma<2, true>(xp, p, ctx, smem) : launch_mma<2, false>(xp, p, ctx, smem);
    else gated ? launch_mma<1, true>(xp, p, ctx, smem) : launch_mma<1, false>(xp, p, ctx, smem);
  }
  return true;
}

}  // namespace vxd::cuda
