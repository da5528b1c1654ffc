// Tensor-core GEMV for q4 weights and bf16 activations, M <= 8 rows of x per pass.
//
// Why: the v6 profile showed the fp32 GEMVs bound by instruction issue, not memory: each q4
// weight cost a byte permute, an fp32 add and one FMA per x row (measured: 6.6 warp-instruction
// slots per weight at M = 1, far more at M = 4). Here one mma.sync.m16n8k16 does all multiply-adds
// of 16 weight rows x 16 columns x the x rows, and a weight costs ~1.4 instructions of
// dequantization (bf16 pairs built with a shift and one LOP3 and made exact integers with one bf16x2 FMA).
//
// v9 layout of one mma (v7/v8 put x in A and 8 weight rows in B; their loop also branched around
// every load and divided in 64 bits, 9 instruction slots per weight, measured): A = 16 weight rows
// x 16 columns, B = the x rows (16 columns x 8, only the first M non-zero), D = weight rows x x
// rows. Lane (g, t4) = (lane / 4, lane % 4) holds A rows g and g + 8: the 32-bit word t4 of each
// row's 16-byte chunk (32 columns; nibble i of word t4 is column 8 t4 + i), and their two scales,
// so every load of a lane is its own rows'. The pairs one LOP3 yields are columns (i, i + 4) of
// that word, so the mma's k order is a permutation of the columns; x is staged in shared memory
// in the same order. A chunk is one quantization group (or part of one), so its scale multiplies
// the chunk's mma result, in fp32.
//
// A block owns one tile of 16 weight rows (of one output, or of w1 and w3 for the gated FFN); its
// KS warps split k and meet in shared memory, where the epilogue (bias, residual, SiLU·up, RoPE +
// ring write) runs as in gemv_multi. KS is chosen per call from the runtime's occupancy of each
// instance: one wave where possible, enough warps in flight for the memory system (v14's
// double-buffered weight loads measured slower: 4.10 ms against 3.83, docs/cuda-notes.md). x is
// staged as bf16; with a fused norm as x * w * (1 + ada), rounded once, and the rows' 1/rms applied
// to the dot products in the epilogue (v44), which differs from the CPU's composed norm + matmul
// (it rounds x * 1/rms * w * (1 + ada)) only in where the one bf16 rounding falls.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cuda_backend.h"
#include "gemv.cuh"
#include "q4_tiles.h"

namespace vxd::cuda {
namespace {

constexpr int kMmaRows = 8;     // x rows per pass (the mma's n)
constexpr int kTileRows = kQ4TileRows;  // weight rows per block (the mma's m)
constexpr size_t kMmaStaticSmemRoom = 1024;

// Row stride of staged x in bf16 elements: 64 bytes mod 128 between rows, so the 8 lanes of a
// shared-memory phase (2 rows x 4 words of 16 bytes) hit distinct banks.
__host__ __device__ inline int x_ld(int k) { return (k / 32) % 2 ? k : k + 32; }

// Row stride of a block's staged scales in fp32 elements (one per 32-column chunk): odd, so the 8
// rows a warp reads at once hit distinct banks.
__host__ __device__ inline int scale_ld(int chunks) { return chunks | 1; }

// Shared memory of one block: x (rows x ld bf16), the tile's scales (H x 16 rows x scale_ld fp32),
// the split-k partial sums (KS warps x H x 16 x 8 fp32), each part 16-byte aligned; with the RoPE
// epilogue (v30) the tile's angles (16 x 8 sine/cosine pairs) and each x row's ring slot.
struct MmaSmem {
  size_t scales, red, rope, total;
};
constexpr size_t kRopeSmem = kTileRows * kMmaRows * sizeof(float2) + kMmaRows * sizeof(int64_t);
__host__ __device__ inline MmaSmem mma_smem(int rows, int k, int ks, bool gated, bool rope) {
  const size_t h = gated ? 2 : 1;
  MmaSmem m;
  m.scales = (static_cast<size_t>(rows) * x_ld(k) * 2 + 15) / 16 * 16;
  m.red = m.scales + (h * kTileRows * scale_ld(k / 32) * 4 + 15) / 16 * 16;
  m.rope = m.red + static_cast<size_t>(ks) * h * kTileRows * kMmaRows * sizeof(float);
  m.total = m.rope + (rope ? kRopeSmem : 0);
  return m;
}

// Columns (s, s + 4) of a word of 8 q4 codes as a bf16 pair of the integers code - 8: one LOP3
// ((w >> 4s) & 0x000F000F | 0x43004300, in asm: written in C the compiler issued two, as a LOP3 takes
// one immediate) puts each nibble into the mantissa of bf16 128 (128 + n), one FMA subtracts 136.
__device__ __forceinline__ uint32_t q4_pair(uint32_t w, int s) {
  uint32_t biased, out;
  asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(biased) : "r"(w >> (4 * s)), "r"(0x000F000Fu), "r"(0x43004300u));
  asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(out) : "r"(biased), "r"(0x3F803F80u), "r"(0xC308C308u));
  return out;
}

// Words (0,4) (1,5) (2,6) (3,7) of 8 bf16 columns: the order of the weight pairs (q4_pair).
__device__ __forceinline__ uint4 pair_order(uint4 v) {
  return make_uint4(__byte_perm(v.x, v.z, 0x5410), __byte_perm(v.x, v.z, 0x7632), __byte_perm(v.y, v.w, 0x5410),
                    __byte_perm(v.y, v.w, 0x7632));
}

// Rows [0, M) of x into shared memory as bf16 (row stride ld), each 8 columns in the pair order
// (pair_order), so that one 16-byte read gives a lane its B fragments. With a fused RMSNorm
// (a.norm_w set) the staged x is x * w * (1 + ada), computed in fp32 and rounded once, and each
// warp leaves its share of every row's sum of squares in part[warp][m]: the row's 1/rms is a
// scalar of the whole dot product, so the epilogue applies it (row_inverse). v44: the norm's block
// reduction, its barrier and a second pass over x no longer sit between x's loads and the MMAs
// (v42g, the reduction skipped: -0.13 ms per 4w step). v16: 16-byte loads, reordered as they are
// stored. A thread reads back only the columns it stored. Loads are issued in batches before any
// is used (all rows of a column block, or for 1-2 rows several column blocks); rows are
// unrolled, so no index needs a division (v10's flat index divided by k / 4 per element: most of
// the small kernels' instructions).
template <int KS, bool NORM>
__device__ __forceinline__ void stage_x_bf16(const DevAct& x, const MultiArgs& a, int M, int k, uint16_t* xs, int ld,
                                             float (*part)[kMmaRows]) {
  constexpr int B = kStageBatch;
  const int c_first = 8 * threadIdx.x, c_step = 8 * blockDim.x;
  constexpr bool norm = NORM;
  float ss[kMmaRows];
#pragma unroll
  for (int m = 0; m < kMmaRows; ++m) ss[m] = 0.0f;
  // The norm's gains of columns c..c+7: w (1 + ada), read with x. No L2 prefetch of them before
  // the wait: every block asked for the same lines, and the step was 0.01-0.03 ms faster without
  // (v42e, v44n; one H100).
  const auto gains = [&](int c, float (&gv)[8]) {
    const float4 w0 = __ldg(reinterpret_cast<const float4*>(a.norm_w + c)), w1 = __ldg(reinterpret_cast<const float4*>(a.norm_w + c + 4));
    gv[0] = w0.x, gv[1] = w0.y, gv[2] = w0.z, gv[3] = w0.w, gv[4] = w1.x, gv[5] = w1.y, gv[6] = w1.z, gv[7] = w1.w;
    if (a.norm_ada) {
      const float4 d0 = __ldg(reinterpret_cast<const float4*>(a.norm_ada + c)), d1 = __ldg(reinterpret_cast<const float4*>(a.norm_ada + c + 4));
      gv[0] *= 1.0f + d0.x, gv[1] *= 1.0f + d0.y, gv[2] *= 1.0f + d0.z, gv[3] *= 1.0f + d0.w;
      gv[4] *= 1.0f + d1.x, gv[5] *= 1.0f + d1.y, gv[6] *= 1.0f + d1.z, gv[7] *= 1.0f + d1.w;
    }
  };
  // Row m's columns c..c+7 as loaded, stored in the pair order; with a norm scaled by its gains
  // (each pair rounded to nearest-even) and added to the row's sum of squares.
  const auto put = [&](int m, int c, const uint4& raw, const float (&gv)[8]) {
    uint4* p = reinterpret_cast<uint4*>(xs + m * ld + c);
    if (!norm) {
      *p = pair_order(raw);
      return;
    }
    const uint32_t w[4] = {raw.x, raw.y, raw.z, raw.w};
    float v[8];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float lo = __uint_as_float(w[i] << 16), hi = __uint_as_float(w[i] & 0xffff0000u);
      ss[m] += lo * lo + hi * hi;
      v[2 * i] = lo * gv[2 * i];
      v[2 * i + 1] = hi * gv[2 * i + 1];
    }
    uint32_t o[4];
#pragma unroll
    for (int i = 0; i < 4; ++i) {  // columns (i, i + 4)
      const __nv_bfloat162 h = __floats2bfloat162_rn(v[i], v[i + 4]);
      o[i] = *reinterpret_cast<const uint32_t*>(&h);
    }
    *p = make_uint4(o[0], o[1], o[2], o[3]);
  };
  const uint16_t* x0 = static_cast<const uint16_t*>(x.data);
  if (M > 2) {
    // Every row of a column block in flight together (v18: rows one after another cost the
    // encoder's 4-row kernels one memory round trip per row: 3.25 -> 3.02 ms per 4w step).
    for (int c = c_first; c < k; c += c_step) {
      uint4 raw[kMmaRows];
#pragma unroll
      for (int m = 0; m < kMmaRows; ++m)
        raw[m] = m < M ? *reinterpret_cast<const uint4*>(x0 + m * x.stride + c) : make_uint4(0, 0, 0, 0);
      float gv[8];
      if (norm) gains(c, gv);
#pragma unroll
      for (int m = 0; m < kMmaRows; ++m)
        if (m < M) put(m, c, raw[m], gv);
    }
  } else {
    // One or two rows: B column blocks of a row in flight together.
#pragma unroll
    for (int m = 0; m < 2; ++m) {
      if (m >= M) break;
      const uint16_t* row = x0 + m * x.stride;
      for (int c0 = c_first; c0 < k; c0 += B * c_step) {
        uint4 raw[B];
#pragma unroll
        for (int j = 0; j < B; ++j) {
          const int c = c0 + j * c_step;
          raw[j] = c < k ? *reinterpret_cast<const uint4*>(row + c) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int j = 0; j < B; ++j) {
          const int c = c0 + j * c_step;
          if (c >= k) break;
          float gv[8];
          if (norm) gains(c, gv);
          put(m, c, raw[j], gv);
        }
      }
    }
  }
  if (norm) store_warp_sums<kMmaRows>(ss, part, M);
  __syncthreads();
}

// The tile's scales into shared memory as fp32, one per 32-column chunk (a group of 32 << gshift
// columns repeats its scale): ss[(h 16 + r) sld + c]. A warp copies whole rows (rows warp,
// warp + KS, ...), so no index needs a division; rows past n repeat the last row (their sums are
// never stored). v36: all of a warp's rows are loaded before any is stored, so a block that starts
// late (as its predecessor's blocks leave) waits here for one memory round trip, not one per row
// (8 for the decoder's 4-warp gated blocks): -0.08 ms per 4w step against row by row (one H100).
template <int H, int KS>
__device__ __forceinline__ void stage_scales(const MultiArgs& a, int out, int64_t row0, int chunks, int gshift, int gpr, float* ss, int sld) {
  constexpr int kRows = H * kTileRows, kPer = (kRows + KS - 1) / KS;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int c0 = lane; c0 < chunks; c0 += 32 * 4) {
    uint16_t v[kPer][4];
#pragma unroll
    for (int i = 0; i < kPer; ++i) {
      const int hr = warp + i * KS;
      if (hr >= kRows) break;
      const DevWeight& w = a.w[H == 2 ? hr / kTileRows : out];
      const uint16_t* src = w.scales + min(row0 + hr % kTileRows, w.n - 1) * gpr;
#pragma unroll
      for (int j = 0; j < 4; ++j) v[i][j] = c0 + 32 * j < chunks ? __ldg(src + ((c0 + 32 * j) >> gshift)) : uint16_t{0};
    }
#pragma unroll
    for (int i = 0; i < kPer; ++i) {
      const int hr = warp + i * KS;
      if (hr >= kRows) break;
#pragma unroll
      for (int j = 0; j < 4; ++j)
        if (c0 + 32 * j < chunks) ss[hr * sld + c0 + 32 * j] = __half2float(__ushort_as_half(v[i][j]));
    }
  }
}

// The MMAs of one chunk for one weight: w0, w1 = the lane's words of rows g and g + 8; s0, s1 their
// scales; xv = the lane's x pairs (x row g); acc[e] += scale x (rows g / g + 8, x rows 2 t4 + e).
__device__ __forceinline__ void mma_chunk(float (&acc)[4], uint32_t w0, uint32_t w1, float s0, float s1, const uint4& xv) {
  float d[4];
  mma_bf16(d, q4_pair(w0, 0), q4_pair(w1, 0), q4_pair(w0, 1), q4_pair(w1, 1), xv.x, xv.y);
  mma_bf16_acc(d, q4_pair(w0, 2), q4_pair(w1, 2), q4_pair(w0, 3), q4_pair(w1, 3), xv.z, xv.w);
  acc[0] = fmaf(s0, d[0], acc[0]);
  acc[1] = fmaf(s0, d[1], acc[1]);
  acc[2] = fmaf(s1, d[2], acc[2]);
  acc[3] = fmaf(s1, d[3], acc[3]);
}

// One block: weight rows row0 .. row0 + 15 of output `out` (gated: of w1 and of w3), all M x
// rows. Warp w takes chunks [w C / KS, (w + 1) C / KS) of the C = k / 32 chunks, kRound at a time.
// R: chunks per round. R = 8 asks for 5 resident blocks (<= 96 registers: the decoder's 576
// tiles stay one wave); 0 leaves the R = 4 instances to ptxas's own choice (a minimum of 1 grew
// them from 59 to 72 registers).
// TILED (v23): the weights are in the tiled layout (q4_tiles.h): a lane's words of 4
// consecutive chunks of one row are 16 contiguous bytes, so one 16-byte load per row and quad of
// chunks replaces four 4-byte loads that used half of each 32-byte sector; each warp then splits
// k on quad boundaries.
// NORM: the call fuses an RMSNorm (a.norm_w set); its staging code and registers only in these instances.
template <int KS, bool GATED, int R, bool TILED, bool NORM>
__global__ void __launch_bounds__(KS * 32, R == 8 ? 5 : 0) gemv_mma_q4(DevAct x, MultiArgs a) {
  constexpr int H = GATED ? 2 : 1;
  // Chunks per round: all weight loads of a round (2 rows x H x kRound words per lane) are
  // issued before its first MMA. v9 had 2 (gated) and its scale loads in the loop: the decoder's
  // w1/w3 waited on memory (long scoreboard 3.3 stalls per issue) at 1.2 TB/s. v19: R = 8 for
  // that kernel (4 warps, gated), x read at each MMA and 5 blocks per SM kept (576 tiles, one wave):
  // 2.93 against 3.05 ms per 4w step (VXD_CUDA_ROUND8=0 gives R = 4).
  constexpr int kRound = R;
  extern __shared__ float4 smem4[];
  const int M = static_cast<int>(x.rows);
  const int k = static_cast<int>(a.w[0].k), ld = x_ld(k);
  const int chunks = k / 32, gpr = k / a.w[0].group, sld = scale_ld(chunks);
  // Every weight of a call shares one group size, 32 << gshift (run_mma_q4).
  const int gshift = __ffs(a.w[0].group / 32) - 1;
  const bool rope = !GATED && a.rope.on;  // !GATED: compiled out of the gated instances
  const bool rope_early = rope && a.rope_early;
  const MmaSmem lay = mma_smem(M, k, KS, GATED, rope);
  uint16_t* xs = reinterpret_cast<uint16_t*>(smem4);
  float* sc = reinterpret_cast<float*>(reinterpret_cast<char*>(smem4) + lay.scales);
  float* red = reinterpret_cast<float*>(reinterpret_cast<char*>(smem4) + lay.red);
  float2* rope_sc = reinterpret_cast<float2*>(reinterpret_cast<char*>(smem4) + lay.rope);  // [m 16 + col]
  int64_t* rope_slot_of = reinterpret_cast<int64_t*>(rope_sc + kTileRows * kMmaRows);   // [m]

  int out = 0;
  while (!GATED && out + 1 < a.count && blockIdx.x >= a.group_end[out]) ++out;
  const int64_t row0 = (static_cast<int64_t>(blockIdx.x) - (out ? a.group_end[out - 1] : 0)) * kTileRows;
  // Weights and scales are never written by earlier kernels: staged before pdl_wait (with the
  // programmatic dependent launch this overlaps the previous kernel's tail). v12 also loaded the
  // first round of weight words here: 95 registers instead of 75 for the gated FFN, slower (A/B).
  stage_scales<H, KS>(a, out, row0, chunks, gshift, gpr, sc, sld);
  // v30 (VXD_CUDA_ROPE_EARLY=0: off): the epilogue's RoPE angles (double-precision reduction, a
  // chain of dependent instructions) and ring slots, from the step position, which is a step
  // parameter uploaded before the step: done here they overlap the previous kernel's tail.
  if (rope_early) {
    const int64_t p0 = *a.rope.pos + a.rope.m0;
    for (int i = threadIdx.x; i < kTileRows * M; i += blockDim.x) {
      const int m = i / kTileRows, col = i % kTileRows;
      if (out != 2) rope_sc[i] = rope_angle(a.rope, p0 + m, row0 + col);
      if (col == 0) rope_slot_of[m] = ring_slot(p0 + m, a.rope.ring);
    }
  }
  trace_mark(a.trace, 0);
  pdl_wait();
  trace_mark(a.trace, 1);
  pdl_trigger();
  __shared__ float norm_part[NORM ? KS : 1][kMmaRows];
  stage_x_bf16<KS, NORM>(x, a, M, k, xs, ld, norm_part);  // ends with __syncthreads, which also covers the scales

  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t4 = lane & 3;
  const int quads = chunks / 4;
  const int c0 = TILED ? 4 * (warp * quads / KS) : warp * chunks / KS;
  const int c1 = TILED ? 4 * ((warp + 1) * quads / KS) : (warp + 1) * chunks / KS;

  // The lane's two rows of each weight (clamped: a row past n computes a value nobody stores),
  // as word pointers at chunk c0; no branch in the loop. Tiled: the lane's 16-byte slots of rows
  // g and g + 8 at quad c0 / 4 (whole tiles only: n is a multiple of 16).
  const uint32_t* wp[H][2];
  const uint4* tp[H][2];
#pragma unroll
  for (int h = 0; h < H; ++h) {
    const DevWeight& w = a.w[GATED ? h : out];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      if constexpr (TILED) tp[h][i] = static_cast<const uint4*>(w.data) + q4_tile_slot(row0 / kTileRows, c0 / 4, i, lane, quads);
      else wp[h][i] = static_cast<const uint32_t*>(w.data) + min(row0 + g + 8 * i, w.n - 1) * (k / 8) + 4 * c0 + t4;
    }
  }
  // x row g's pairs (rows past M are zero and their results never stored); the lane's scale rows.
  const uint4* xp = reinterpret_cast<const uint4*>(xs + g * ld) + 4 * c0 + t4;
  const bool xrow = g < M;
  // The lane's scale rows (g and g + 8 of each weight), at chunk c0.
  const float* sp[H][2];
#pragma unroll
  for (int h = 0; h < H; ++h) sp[h][0] = sc + (h * kTileRows + g) * sld + c0, sp[h][1] = sp[h][0] + 8 * sld;

  float acc[H][4];
#pragma unroll
  for (int h = 0; h < H; ++h) acc[h][0] = acc[h][1] = acc[h][2] = acc[h][3] = 0.0f;

  // A round: all its weight and x loads, then its MMAs.
  const auto round = [&](int c, int left) {
    // Long rounds (R = 8) read x from shared memory at its MMA instead of with the weights: the
    // registers go to weight words in flight.
    constexpr bool kLateX = kRound > 4;
    uint32_t wq[kRound][H][2];
    uint4 xv[kLateX ? 1 : kRound];
    if constexpr (TILED) {
      // left is a multiple of 4 here: whole quads.
#pragma unroll
      for (int u4 = 0; u4 < kRound / 4; ++u4) {
        const int d4 = 4 * u4 < left ? u4 : left / 4 - 1;
#pragma unroll
        for (int h = 0; h < H; ++h)
#pragma unroll
          for (int i = 0; i < 2; ++i) {
            const uint4 v = ldg_stream(tp[h][i] + kQ4QuadSlots * d4);
            wq[4 * u4][h][i] = v.x, wq[4 * u4 + 1][h][i] = v.y, wq[4 * u4 + 2][h][i] = v.z, wq[4 * u4 + 3][h][i] = v.w;
          }
      }
    }
#pragma unroll
    for (int u = 0; u < kRound; ++u) {
      const int du = u < left ? u : left - 1;
      if constexpr (!TILED)
#pragma unroll
        for (int h = 0; h < H; ++h)
#pragma unroll
          for (int i = 0; i < 2; ++i) wq[u][h][i] = __ldg(wp[h][i] + 4 * du);
      if constexpr (!kLateX) xv[u] = xrow ? xp[4 * (c - c0 + du)] : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int u = 0; u < kRound; ++u) {
      if (u >= left) break;  // the same for the whole warp
      const int cu = c - c0 + u;
      if constexpr (kLateX) {
        const uint4 x = xrow ? xp[4 * cu] : make_uint4(0, 0, 0, 0);
#pragma unroll
        for (int h = 0; h < H; ++h) mma_chunk(acc[h], wq[u][h][0], wq[u][h][1], sp[h][0][cu], sp[h][1][cu], x);
      } else {
#pragma unroll
        for (int h = 0; h < H; ++h) mma_chunk(acc[h], wq[u][h][0], wq[u][h][1], sp[h][0][cu], sp[h][1][cu], xv[u]);
      }
    }
#pragma unroll
    for (int h = 0; h < H; ++h) {
      if constexpr (TILED) tp[h][0] += kQ4QuadSlots * kRound / 4, tp[h][1] += kQ4QuadSlots * kRound / 4;
      else wp[h][0] += 4 * kRound, wp[h][1] += 4 * kRound;
    }
  };
  int c = c0;
  for (; c + kRound <= c1; c += kRound) round(c, kRound);
  if (c < c1) round(c, c1 - c);

  // red[warp][h][weight row of the tile][x row]: lane (g, t4) holds rows g, g + 8, x rows 2 t4, 2 t4 + 1.
#pragma unroll
  for (int h = 0; h < H; ++h)
#pragma unroll
    for (int e = 0; e < 4; ++e) red[((warp * H + h) * kTileRows + g + 8 * (e >> 1)) * kMmaRows + 2 * t4 + (e & 1)] = acc[h][e];
  __syncthreads();
  float scale = 1.0f;  // the fused norm's 1/rms of the element's x row (stage_x_bf16)
  const auto sum = [&](int h, int m, int col) {
    float v = 0.0f;
#pragma unroll
    for (int w = 0; w < KS; ++w) v += red[((w * H + h) * kTileRows + col) * kMmaRows + m];
    return v * scale;
  };
  for (int i = threadIdx.x; i < kTileRows * M; i += blockDim.x) {
    const int m = i / kTileRows, col = i % kTileRows;
    const int64_t n = row0 + col;
    if (n >= a.w[out].n) continue;
    if constexpr (NORM) scale = row_inverse<kMmaRows, KS>(norm_part, m, k, a.eps);
    if constexpr (GATED) {
      const float u = sum(0, m, col);
      store_out(a.e[0], m, n, u / (1.0f + expf(-u)) * sum(1, m, col));  // same SiLU as silu_mul
    } else if (rope_early) {
      rope_apply(a.rope, a.e[out], out, m, rope_slot_of[m], n, sum(0, m, col), sum(0, m, col ^ 1), out == 2 ? make_float2(0.0f, 1.0f) : rope_sc[i]);
    } else if (a.rope.on) {
      rope_store(a.rope, a.e[out], out, m, *a.rope.pos + a.rope.m0 + m, n, sum(0, m, col), sum(0, m, col ^ 1));
    } else {
      store_out(a.e[out], m, n, sum(0, m, col));
    }
  }
  trace_done(a.trace);
}

// The kernel instance for (ks, gated, tiled, norm) as the context asks: one choice, used for the
// occupancy query at start and for every launch. R = 8 for the gated 4-warp instance (v19,
// ctx.round8; v21 tried it for the plain 8- and 16-warp ones, the decoder's wo and w2: 0.1 ms
// slower per step).
using MmaKernel = void (*)(DevAct, MultiArgs);
template <bool GATED, bool TILED, bool NORM>
MmaKernel mma_kernel(int ks, const MatmulContext& ctx) {
  switch (ks) {
    case 2: return gemv_mma_q4<2, GATED, 4, TILED, NORM>;
    case 4:
      if constexpr (GATED)
        if (ctx.round8) return gemv_mma_q4<4, true, 8, TILED, NORM>;
      return gemv_mma_q4<4, GATED, 4, TILED, NORM>;
    case 8: return gemv_mma_q4<8, GATED, 4, TILED, NORM>;
    default: return gemv_mma_q4<16, GATED, 4, TILED, NORM>;
  }
}
template <bool NORM>
MmaKernel mma_kernel(int ks, bool gated, bool tiled, const MatmulContext& ctx) {
  if (tiled) return gated ? mma_kernel<true, true, NORM>(ks, ctx) : mma_kernel<false, true, NORM>(ks, ctx);
  return gated ? mma_kernel<true, false, NORM>(ks, ctx) : mma_kernel<false, false, NORM>(ks, ctx);
}
MmaKernel mma_kernel(int ks, bool gated, bool tiled, bool norm, const MatmulContext& ctx) {
  return norm ? mma_kernel<true>(ks, gated, tiled, ctx) : mma_kernel<false>(ks, gated, tiled, ctx);
}

void launch_mma(int ks, bool gated, bool tiled, const DevAct& x, const MultiArgs& a, const MatmulContext& ctx, size_t smem) {
  MatmulContext c = ctx;
  c.pdl = ctx.pdl || ctx.pdl_mma;
  launch_gemv_kernel(mma_kernel(ks, gated, tiled, a.norm_w != nullptr, ctx), static_cast<unsigned>(a.group_end[gated ? 0 : a.count - 1]), ks,
                     smem, c, "launch gemv_mma_q4", x, a);
}

// The repack into the tiled layout (q4_tiles.h), one 16-byte slot per thread.
__global__ void tile_q4_kernel(const uint32_t* src, uint4* dst, int64_t n, int64_t k) {
  const int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= n / kTileRows * (k / kQ4QuadCols) * kQ4QuadSlots) return;
  dst[o] = make_uint4(src[q4_tile_source(o, 0, k)], src[q4_tile_source(o, 1, k)], src[q4_tile_source(o, 2, k)], src[q4_tile_source(o, 3, k)]);
}

constexpr int kSplits[] = {2, 4, 8, 16};

int split_index(int ks) { return ks == 2 ? 0 : ks == 4 ? 1 : ks == 8 ? 2 : 3; }

// Resident blocks per SM of each instance as its registers and static shared memory allow,
// measured once when the backend starts (as for attention: no driver queries while a step is
// captured); the dynamic shared memory of a call is applied in split_for.
int g_mma_blocks_per_sm[4][2][2][2];  // [split][gated][tiled][norm]

// Warps per tile (k split): among the splits whose blocks fit in the fewest waves (occupancy of
// the instance, measured at start, and of the call's shared memory: v12's 20 extra registers put
// the encoder FFN's 320 blocks of 8 warps into two waves), the fewest that put ~16 warps per SM
// to work, else the one with the most warps; each warp walks >= 2 chunks where the split allows.
// 0: no split fits in shared memory.
int split_for(int64_t tiles, int chunks, int rows, int k, bool gated, bool tiled, bool norm, bool rope, const MatmulContext& ctx) {
  const int64_t target = 16LL * ctx.sm_count;
  int best = 0;
  int64_t best_waves = 0, best_warps = 0;
  for (int ks : kSplits) {
    if (ks > 2 && 2 * ks > chunks) break;
    const size_t smem = mma_smem(rows, k, ks, gated, rope).total;
    if (smem > ctx.smem_limit - kMmaStaticSmemRoom) continue;
    // 1 KB per block is the runtime's own reservation (compute capability 8.0+).
    const int by_smem = static_cast<int>(ctx.smem_per_sm / (smem + kMmaStaticSmemRoom + 1024));
    const int per_sm = std::min(g_mma_blocks_per_sm[split_index(ks)][gated][tiled][norm], by_smem);
    if (per_sm < 1) continue;
    const int64_t cap = static_cast<int64_t>(per_sm) * ctx.sm_count;
    const int64_t waves = (tiles + cap - 1) / cap, warps = std::min(tiles, cap) * ks;
    if (!best || waves < best_waves || (waves == best_waves && best_warps < target && warps > best_warps))
      best = ks, best_waves = waves, best_warps = warps;
  }
  return best;
}

}  // namespace

void configure_gemv_mma(const MatmulContext& ctx) {
  const int limit = static_cast<int>(ctx.smem_limit - kMmaStaticSmemRoom);
  for (int ks : kSplits)
    for (int v = 0; v < 8; ++v) {
      const bool gated = v & 1, tiled = (v >> 1) & 1, norm = v >> 2;
      const MmaKernel kernel = mma_kernel(ks, gated, tiled, norm, ctx);
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, limit), "gemv_mma smem limit");
      int per_sm = 0;
      if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, ks * 32, 0) != cudaSuccess) {
        (void)cudaGetLastError();
        per_sm = 1;  // only a sizing hint
      }
      g_mma_blocks_per_sm[split_index(ks)][gated][tiled][norm] = std::max(1, per_sm);
    }
}

bool q4_tileable(DType dtype, int64_t n, int64_t k) {
  return dtype == DType::Q4 && n % kQ4TileRows == 0 && k % kQ4QuadCols == 0 && k < (1LL << 30);
}

void tile_q4(const void* src, void* dst, int64_t n, int64_t k, cudaStream_t stream) {
  const int64_t slots = n / kQ4TileRows * (k / kQ4QuadCols) * kQ4QuadSlots;
  tile_q4_kernel<<<blocks_for(slots, 256), 256, 0, stream>>>(static_cast<const uint32_t*>(src), static_cast<uint4*>(dst), n, k);
  check_launch("tile_q4");
}

bool run_mma_q4(const DevAct& x, MultiArgs a, bool gated, const MatmulContext& ctx, bool launch) {
  constexpr int64_t kMaxRows = 256;  // beyond: the tiled GEMM of matmul() (as run_multi)
  if (!ctx.mma || !x.bf16 || x.rows < 1 || x.rows > kMaxRows || !aligned16(x.data) || (x.stride * 2) % 16) return false;
  const int outs = gated ? 2 : a.count;
  const int64_t k = a.w[0].k;
  if (k % 32 || k >= (1LL << 30)) return false;
  const int group = a.w[0].group;
  // One group size per call, 32 << s (the loop shifts instead of dividing).
  if (group < 32 || group % 32 || ((group / 32) & (group / 32 - 1))) return false;
  for (int i = 0; i < outs; ++i) {
    const DevWeight& w = a.w[i];
    if (w.k != k || w.group != group || k % w.group || !aligned16(w.data) || (gated && w.n != a.w[0].n)) return false;
  }
  // x is staged as bf16: a fused norm may round only where the op's own normalised x is bf16.
  if (a.norm_w && (!a.norm_bf16 || !aligned16(a.norm_w) || (a.norm_ada && !aligned16(a.norm_ada)))) return false;
  if (a.rope.on && (gated || a.w[0].n % 2 || a.w[1].n % 2)) return false;
  int64_t tiles = 0;
  for (int i = 0; i < (gated ? 1 : a.count); ++i) tiles += (a.w[i].n + kTileRows - 1) / kTileRows;
  // One layout per call: the TILED instances read every weight tiled, the others every weight in
  // the file's layout. A call mixing them (shapes of which only some tile, or a repack skipped for
  // lack of room) runs per weight on the other paths, which read either.
  int n_tiled = 0;
  for (int i = 0; i < outs; ++i) n_tiled += a.w[i].tiled;
  if (n_tiled != 0 && n_tiled != outs) return false;
  const bool tiled = n_tiled == outs;
  // Sized for the first pass, which has the most rows (later ones have as many or fewer).
  const int ks = split_for(tiles, static_cast<int>(k / 32), static_cast<int>(std::min<int64_t>(x.rows, kMmaRows)), static_cast<int>(k), gated,
                           tiled, a.norm_w != nullptr, a.rope.on, ctx);
  if (!ks) return false;
  if (!launch) return true;
  int64_t end = 0;
  for (int i = 0; i < (gated ? 1 : a.count); ++i) a.group_end[i] = end += (a.w[i].n + kTileRows - 1) / kTileRows;
  a.rope_early = ctx.rope_early;
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
    const size_t smem = mma_smem(static_cast<int>(n), static_cast<int>(k), ks, gated, a.rope.on).total;
    p.trace = ctx.trace && ctx.trace->taking() ? ctx.trace->slot((gated ? "w1w3" : a.rope.on ? "qkv" : "proj") + std::string(" m") + std::to_string(n) + " k" +
                                          std::to_string(k))
                        : nullptr;
    launch_mma(ks, gated, tiled, xp, p, ctx, smem);
  }
  return true;
}

}  // namespace vxd::cuda
