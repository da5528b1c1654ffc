// Ring KV-cache write and sliding-window causal attention with GQA (fp32 online softmax).
// Attention is split-K ("flash decoding"): the visible keys of a query are cut into `splits`
// contiguous pieces so that even one decoder token fills the GPU; a second kernel merges the
// pieces. One block serves all query heads of one KV head, so each K/V row is read once.
// Key counts and ring slots come from the step-param position, so a captured graph replays
// correctly at any position.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cooperative_groups.h>

#include "common.cuh"
#include "cuda_backend.h"

namespace vxd::cuda {
namespace {

constexpr int kAttnWarps = 4;
constexpr int kMaxPartials = 16384;  // matches the scratch allocated by the backend
constexpr int kMinKeysPerSplit = 32;
constexpr int kKeyBatch = 4;  // keys per warp per round
constexpr int kMaxSplits = 512;


__global__ void kv_write_kernel(DevAct k, DevAct v, DevAct kc, DevAct vc, int64_t ring, const int64_t* pos) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= k.rows * k.cols) return;
  const int64_t r = t / k.cols, c = t % k.cols;
  const int64_t slot = ring_slot(*pos + r, ring);
  st(kc, slot, c, ld(k, r, c));
  st(vc, slot, c, ld(v, r, c));
}

// RoPE of q (n_q heads) and k (n_k heads) in place, and the ring write of k and v, in one
// kernel: one thread per (row, head, pair) of q and of k; a k thread also writes its pair of K
// and V to the ring. Same math as rope_kernel + kv_write_kernel: K enters the ring rounded to
// k's dtype, as if read back from k.
__global__ void rope_kv_write_kernel(DevAct q, DevAct k, DevAct v, DevAct kc, DevAct vc, int n_q, int n_k, int head_dim,
                                     double theta, int64_t ring, const int64_t* pos) {
  pdl_trigger();
  const int half = head_dim / 2;
  const int64_t per_row = static_cast<int64_t>(n_q + n_k) * half;
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= q.rows * per_row) return;
  const int64_t r = t / per_row;
  const int64_t u = t % per_row;
  const bool is_k = u >= static_cast<int64_t>(n_q) * half;
  const int64_t hu = is_k ? u - static_cast<int64_t>(n_q) * half : u;
  const int h = static_cast<int>(hu / half), i = static_cast<int>(hu % half);
  const int64_t c = static_cast<int64_t>(h) * head_dim + 2 * i;
  const DevAct& x = is_k ? k : q;
  const float v0 = ld(x, r, c), v1 = ld(x, r, c + 1);
  const int64_t p = *pos + r;
  const double inv_freq = pow(theta, -2.0 * i / head_dim);
  const double a = fmod(static_cast<double>(p) * inv_freq, 2.0 * 3.14159265358979323846);
  double sn, cs;
  sincos(a, &sn, &cs);
  float o0 = v0 * static_cast<float>(cs) - v1 * static_cast<float>(sn);
  float o1 = v0 * static_cast<float>(sn) + v1 * static_cast<float>(cs);
  st(x, r, c, o0);
  st(x, r, c + 1, o1);
  if (!is_k) return;
  if (k.bf16) o0 = bf16_bits_to_f32(f32_to_bf16_bits(o0)), o1 = bf16_bits_to_f32(f32_to_bf16_bits(o1));
  const int64_t slot = ring_slot(p, ring);
  st(kc, slot, c, o0);
  st(kc, slot, c + 1, o1);
  st(vc, slot, c, ld(v, r, c));
  st(vc, slot, c + 1, ld(v, r, c + 1));
}

struct AttnArgs {
  DevAct q, k, v, out;
  int64_t ring, window;
  int n_heads, n_kv_heads, head_dim, splits;
  int rows_per_block;  // query rows sharing each K/V load (v4: the encoder's 4 rows; 1 = v3)
  float scale;
  const int64_t* pos;
  float* partial;  // [rows * n_heads * splits][head_dim + 2]: m, l, acc
  bool early_kv;   // the tensor-core kernel's first key tile loaded before pdl_wait (v24)
  unsigned long long* trace = nullptr;  // the tensor-core kernel's step-trace stamps (step_trace.cuh)
};

// The end of an attention block: its warps' (m, l, acc) per (row, head) pair, in shared memory,
// merged into the output (one split) or into the split's partial (m, l, acc) for the merge.
// (m, l, acc) of pair h, dimension d over the W parts in (ms, ls, accs): the online softmax's merge.
template <int W, int MAXG, int LD>
__device__ __forceinline__ void merge_parts(const float (&ms)[W][MAXG], const float (&ls)[W][MAXG], const float (&accs)[W][MAXG][LD], int h,
                                            int d, float& M, float& L, float& A) {
  M = -INFINITY;
  for (int w = 0; w < W; ++w) M = fmaxf(M, ms[w][h]);
  L = 0.0f, A = 0.0f;
  if (M != -INFINITY)
    for (int w = 0; w < W; ++w) {
      const float f = __expf(ms[w][h] - M);
      L += ls[w][h] * f;
      A += accs[w][h][d] * f;
    }
}

template <int MAXG, int LD, int WARPS = kAttnWarps>
__device__ __forceinline__ void finish_block(const AttnArgs& a, const float (&sm_m)[WARPS][MAXG], const float (&sm_l)[WARPS][MAXG],
                                             const float (&sm_acc)[WARPS][MAXG][LD], int C, int G, int64_t r0, int g, int split) {
  const int hd = a.head_dim;
  for (int t = threadIdx.x; t < C * hd; t += blockDim.x) {
    const int h = t / hd, d = t % hd;
    const int64_t r = r0 + h / G;
    float M, L, A;
    merge_parts(sm_m, sm_l, sm_acc, h, d, M, L, A);
    const int head = g * G + h % G;
    if (a.splits == 1) {  // every pair sees at least its own position's key
      st(a.out, r, static_cast<int64_t>(head) * hd + d, A / L);
    } else {
      float* part = a.partial + ((r * a.n_heads + head) * a.splits + split) * (hd + 2);
      if (d == 0) part[0] = M, part[1] = L;
      part[2 + d] = A;
    }
  }
}

template <int EPL, int MAXG>
__global__ void __launch_bounds__(kAttnWarps * 32) attention_kernel(AttnArgs a) {
  pdl_trigger();
  pdl_wait();  // as a programmatic dependent launch: q and the newest keys come from the predecessor
  // A block serves C = R x G (query row, query head) pairs of KV head g: rows r0..r0+R-1 and the
  // G query heads of g. Keys run over the union of the rows' windows; each pair masks the keys
  // outside its own window (with R = 1 every key in range is visible, as in v3).
  const int g = blockIdx.x;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * a.rows_per_block;
  const int split = blockIdx.z;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int G = a.n_heads / a.n_kv_heads;
  const int R = a.q.rows - r0 < a.rows_per_block ? static_cast<int>(a.q.rows - r0) : a.rows_per_block;
  const int C = R * G;
  const int hd = a.head_dim;

  const int64_t p0 = *a.pos + r0;
  const int64_t first = p0 - a.window + 1 > 0 ? p0 - a.window + 1 : int64_t{0};
  const int64_t n_keys = p0 + R - 1 - first + 1;
  const int64_t chunk = (n_keys + a.splits - 1) / a.splits;
  const int64_t j0 = split * chunk, j1 = j0 + chunk < n_keys ? j0 + chunk : n_keys;

  float qv[MAXG][EPL], acc[MAXG][EPL], m[MAXG], l[MAXG];
  // Pair h (row r0 + h / G) sees keys lo0 + h / G ..= hi0 + h / G (relative to first).
  const int64_t lo0 = p0 - a.window + 1 - first, hi0 = p0 - first;
  int row_of[MAXG];
  uint32_t qraw[MAXG][EPL];  // every q load is issued before the first is converted
#pragma unroll
  for (int h = 0; h < MAXG; ++h) {
    m[h] = -INFINITY;
    l[h] = 0.0f;
    row_of[h] = h < C ? h / G : 0;
    const int64_t base = (r0 + row_of[h]) * a.q.stride + static_cast<int64_t>(g * G + h % G) * hd;
#pragma unroll
    for (int e = 0; e < EPL; ++e) {
      const int d = lane * EPL + e;
      acc[h][e] = 0.0f;
      qraw[h][e] = (h < C && d < hd) ? load_bits(a.q, base + d) : 0u;
    }
  }
#pragma unroll
  for (int h = 0; h < MAXG; ++h)
#pragma unroll
    for (int e = 0; e < EPL; ++e) qv[h][e] = bits_to_f32(a.q, qraw[h][e]) * a.scale;

  // Keys in batches of kKeyBatch per warp; the K and V rows of a batch are all loaded before
  // the first use, and ring slots advance without divisions.
  const int64_t step = static_cast<int64_t>(kAttnWarps) * kKeyBatch;
  int64_t jb = j0 + warp * kKeyBatch;
  int64_t slot0 = ring_slot(first + jb, a.ring);
  for (; jb < j1; jb += step) {
    // All K and V loads of the batch are issued before the first is converted (a load converted
    // right away waits for memory before the next one is issued).
    uint32_t kraw[kKeyBatch][EPL], vraw[kKeyBatch][EPL];
#pragma unroll
    for (int b = 0; b < kKeyBatch; ++b) {
      const bool valid = jb + b < j1;
      int64_t slot = slot0 + b;
      if (slot >= a.ring) slot -= a.ring;
#pragma unroll
      for (int e = 0; e < EPL; ++e) {
        const int d = lane * EPL + e;
        const bool in = valid && d < hd;
        kraw[b][e] = in ? load_bits(a.k, slot * a.k.stride + static_cast<int64_t>(g) * hd + d) : 0u;
        vraw[b][e] = in ? load_bits(a.v, slot * a.v.stride + static_cast<int64_t>(g) * hd + d) : 0u;
      }
    }
    float kv[kKeyBatch][EPL], vv[kKeyBatch][EPL];
#pragma unroll
    for (int b = 0; b < kKeyBatch; ++b)
#pragma unroll
      for (int e = 0; e < EPL; ++e) kv[b][e] = bits_to_f32(a.k, kraw[b][e]), vv[b][e] = bits_to_f32(a.v, vraw[b][e]);
    slot0 += step % a.ring;
    if (slot0 >= a.ring) slot0 -= a.ring;
    float s[kKeyBatch][MAXG];
#pragma unroll
    for (int b = 0; b < kKeyBatch; ++b)
#pragma unroll
      for (int h = 0; h < MAXG; ++h) {
        float dot = 0.0f;
#pragma unroll
        for (int e = 0; e < EPL; ++e) dot = fmaf(qv[h][e], kv[b][e], dot);
        dot = warp_sum(dot);
        const int64_t j = jb + b;
        s[b][h] = (h < C && j < j1 && j >= lo0 + row_of[h] && j <= hi0 + row_of[h]) ? dot : -INFINITY;
      }
#pragma unroll
    for (int h = 0; h < MAXG; ++h) {
      if (h >= C) break;
      float m_new = m[h];
#pragma unroll
      for (int b = 0; b < kKeyBatch; ++b) m_new = fmaxf(m_new, s[b][h]);
      if (m_new == -INFINITY) continue;  // no key of this pair visible yet (other rows' keys only)
      const float corr = __expf(m[h] - m_new);  // m[h] = -inf before the first key gives 0
      float pe[kKeyBatch], psum = 0.0f;
#pragma unroll
      for (int b = 0; b < kKeyBatch; ++b) pe[b] = __expf(s[b][h] - m_new), psum += pe[b];
      l[h] = l[h] * corr + psum;
#pragma unroll
      for (int e = 0; e < EPL; ++e) {
        float v = acc[h][e] * corr;
#pragma unroll
        for (int b = 0; b < kKeyBatch; ++b) v = fmaf(pe[b], vv[b][e], v);
        acc[h][e] = v;
      }
      m[h] = m_new;
    }
  }

  // Merge the warps of this block.
  __shared__ float sm_m[kAttnWarps][MAXG], sm_l[kAttnWarps][MAXG];
  __shared__ float sm_acc[kAttnWarps][MAXG][EPL * 32];
#pragma unroll
  for (int h = 0; h < MAXG; ++h) {
    if (lane == 0) sm_m[warp][h] = m[h], sm_l[warp][h] = l[h];
#pragma unroll
    for (int e = 0; e < EPL; ++e) sm_acc[warp][h][lane * EPL + e] = acc[h][e];
  }
  __syncthreads();
  finish_block<MAXG, EPL * 32>(a, sm_m, sm_l, sm_acc, C, G, r0, g, split);
}

// The cluster sizes the in-kernel merge is built for (measure_cluster keeps those the GPU holds);
// its distributed shared memory reads are unrolled to the largest.
constexpr int kClusterSizes[] = {4, 6, 8, 12, 16};
constexpr int kClusterSizeCount = static_cast<int>(sizeof kClusterSizes / sizeof kClusterSizes[0]);
constexpr int kMaxClusterBlocks = kClusterSizes[kClusterSizeCount - 1];

// v15: the same attention on the tensor cores, for bf16 q and caches and head_dim HD of 64 or
// 128. Why: the fp32 kernel above issued ~470 warp instructions per key and KV head (a warp sum
// of shuffles per key and query head, 16-bit loads, 64-bit masks; Nsight Compute: issue-bound,
// ~0.6 TB/s); here a 16-key tile costs ~110 (2 HD/16 score MMAs, HD/8 value MMAs, 16-byte
// loads, one shuffle-reduced max per tile).
//
// A warp takes 16 keys at a time, two score MMAs of 8 keys each: S = Q K^T with Q in A (row g =
// pair g of the block's C <= 8 (row, head) pairs; rows 8..15 zero) and K in B (column n = key n,
// which lane (n, t4) loads). The MMA's k order is a permutation of head dims chosen so that one
// 16-byte load gives a lane two k-steps: k-step 2j + e of lane t4 holds dims 32 j + 8 t4 + 4 e ..
// + 3. The output O^T = V^T P^T puts V^T in A (16 dims x 16 keys) and P^T in B: the score MMA's
// D fragment (lane (g, t4): pair g, keys 2 t4, 2 t4 + 1) is exactly P^T's B fragment, so P never
// leaves the registers. V^T's fragments pair two keys of one dim: a lane loads 16 bytes of each
// of its 4 keys (dims 64 j + 8 g ..) and pairs them with one PRMT per register. P is split into
// bf16 hi + lo parts (two value MMAs), so it keeps ~16 bits, as the fp32 kernel's p does in effect.
// v17 (CLUSTER, VXD_CUDA_ATTN_CLUSTER=0: off): the splits of a (KV head, row block) are one thread
// block cluster of WARPS-warp blocks, merged through distributed shared memory at the end of the
// kernel, so no partials go to global memory and no merge kernel runs (v16: 4.5–5.4 µs per layer).
// v24 (VXD_CUDA_ATTN_EARLY=0: off): a warp's first key tile is loaded before pdl_wait when all
// its keys precede the step's first row. Within a step only the step's rows of a layer's ring
// are written (by the kernel just before, the q/k/v epilogue, or rope_kv_write); older keys were
// written by earlier steps and are final, so their DRAM round trip overlaps that kernel's tail.
// The step position is a step parameter, uploaded before the step starts. Their lines never hold
// bytes of the rows being written (whole ring rows apart), so the non-coherent loads stay right.
template <int HD, int WARPS = kAttnWarps, bool CLUSTER = false>
__global__ void __launch_bounds__(WARPS * 32) attention_mma_kernel(AttnArgs a) {
  pdl_trigger();
  constexpr int KSTEPS = HD / 16;  // score MMA k-steps (16 dims each)
  constexpr int KV4 = HD / 32;     // 16-byte K loads per key and lane (two k-steps each)
  constexpr int VV4 = HD / 64;     // 16-byte V loads per key and lane (8 dims, 4 value m-tiles each)
  constexpr int MT = HD / 16;      // value MMA m-tiles (16 dims each)
  constexpr int MAXG = 8;
  const int kvh = blockIdx.x;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * a.rows_per_block;
  const int split = blockIdx.z;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t4 = lane & 3;
  const int G = a.n_heads / a.n_kv_heads;
  const int R = a.q.rows - r0 < a.rows_per_block ? static_cast<int>(a.q.rows - r0) : a.rows_per_block;
  const int C = R * G;

  const int64_t p0 = *a.pos + r0;
  const int64_t first = p0 - a.window + 1 > 0 ? p0 - a.window + 1 : int64_t{0};
  // Key indices relative to `first` fit in int: at most window + rows - 1 <= ring (host check).
  const int n_keys = static_cast<int>(p0 + R - 1 - first + 1);
  const int chunk = (n_keys + a.splits - 1) / a.splits;
  const int j0 = split * chunk, j1 = j0 + chunk < n_keys ? j0 + chunk : n_keys;
  const int ring = static_cast<int>(a.ring);
  const int first_slot = static_cast<int>(ring_slot(first, a.ring));
  // Pair g (row g / G) sees keys lo + g / G ..= hi + g / G.
  const bool has_pair = g < C;
  const int row = has_pair ? g / G : 0;
  const int lo = static_cast<int>(p0 - a.window + 1 - first) + row, hi = static_cast<int>(p0 - first) + row;

  const uint16_t* kbase = static_cast<const uint16_t*>(a.k.data) + kvh * HD + 8 * t4;
  const uint16_t* vbase = static_cast<const uint16_t*>(a.v.data) + kvh * HD + 8 * g;
  const int kstride = static_cast<int>(a.k.stride), vstride = static_cast<int>(a.v.stride);
  // Ring slot of key j, clamped to the split's last key: the tail of the last tile loads a real
  // (finite) key and masks its score.
  const auto slot_of = [&](int j) {
    const int s = first_slot + (j < j1 ? j : j1 - 1);
    return s >= ring ? s - ring : s;
  };

  float m = -INFINITY, l = 0.0f;  // pair g's running max and this lane's part of its sum
  float acc[MT][4];               // O^T: dims (g, g + 8 of m-tile) x pairs (2 t4, 2 t4 + 1)
#pragma unroll
  for (int t = 0; t < MT; ++t) acc[t][0] = acc[t][1] = acc[t][2] = acc[t][3] = 0.0f;

  // Every load of a tile at once: K of keys jb + 8 i + g, V of keys jb + 8 i + 2 t4 + e. v54: no
  // line left in L1 (each key is read once per step): -0.018 ms per 4w step at position 8000.
  uint4 kr[2][KV4], vr[2][2][VV4];
  const auto load_tile = [&](int jb) {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const uint16_t* kp = kbase + slot_of(jb + 8 * i + g) * kstride;
#pragma unroll
      for (int j = 0; j < KV4; ++j) kr[i][j] = ldg_stream(reinterpret_cast<const uint4*>(kp + 32 * j));
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const uint16_t* vp = vbase + slot_of(jb + 8 * i + 2 * t4 + e) * vstride;
#pragma unroll
        for (int j = 0; j < VV4; ++j) vr[i][e][j] = ldg_stream(reinterpret_cast<const uint4*>(vp + 64 * j));
      }
    }
  };
  // Keys [0, *a.pos - first) precede the step's rows (see above; a block's own p0 may be a later
  // row of the step); a tile's loads reach key min(jb + 15, j1 - 1) at most (slot_of clamps).
  const int jb0 = j0 + 16 * warp;
  const bool early = a.early_kv && jb0 < j1 && min(jb0 + 15, j1 - 1) < *a.pos - first;
  if (early) load_tile(jb0);
  trace_mark(a.trace, 0);
  pdl_wait();
  trace_mark(a.trace, 1);

  // Q's A fragments of pair g (a0 and a2 of each k-step; a1 = a3 = 0: rows 8..15).
  uint32_t qa[KSTEPS][2];
  {
    const uint16_t* qrow = static_cast<const uint16_t*>(a.q.data) + (r0 + row) * a.q.stride + static_cast<int64_t>(kvh * G + g % G) * HD;
#pragma unroll
    for (int j = 0; j < KV4; ++j) {
      const uint4 v = has_pair ? *reinterpret_cast<const uint4*>(qrow + 32 * j + 8 * t4) : make_uint4(0, 0, 0, 0);
      qa[2 * j][0] = v.x, qa[2 * j][1] = v.y, qa[2 * j + 1][0] = v.z, qa[2 * j + 1][1] = v.w;
    }
  }

  for (int jb = jb0; jb < j1; jb += 16 * WARPS) {
    if (jb != jb0 || !early) load_tile(jb);
    // Scores of pair g with keys jb + 8 i + 2 t4 + e, masked to the split and the pair's window.
    float sc[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      float d[4];
#pragma unroll
      for (int s = 0; s < KSTEPS; ++s) {
        const uint4& w = kr[i][s / 2];
        const uint32_t b0 = s % 2 ? w.z : w.x, b1 = s % 2 ? w.w : w.y;
        if (s == 0) mma_bf16(d, qa[s][0], 0u, qa[s][1], 0u, b0, b1);
        else mma_bf16_acc(d, qa[s][0], 0u, qa[s][1], 0u, b0, b1);
      }
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int j = jb + 8 * i + 2 * t4 + e;
        sc[i][e] = has_pair && j < j1 && j >= lo && j <= hi ? d[e] * a.scale : -INFINITY;
      }
    }
    float tmax = fmaxf(fmaxf(sc[0][0], sc[0][1]), fmaxf(sc[1][0], sc[1][1]));
    tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 1));
    tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, 2));
    const float m_new = fmaxf(m, tmax);
    // No key of pair g visible yet: p = 0 and nothing to rescale (m stays -inf).
    const float corr = m_new == -INFINITY ? 1.0f : __expf(m - m_new);
    float p[2][2];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int e = 0; e < 2; ++e) p[i][e] = m_new == -INFINITY ? 0.0f : __expf(sc[i][e] - m_new);
    l = l * corr + (p[0][0] + p[0][1]) + (p[1][0] + p[1][1]);
    m = m_new;
    // acc holds pairs 2 t4 and 2 t4 + 1, whose factors live in lanes 8 t4 and 8 t4 + 4.
    if (__any_sync(0xffffffffu, corr != 1.0f)) {
      const float c0 = __shfl_sync(0xffffffffu, corr, 8 * t4), c1 = __shfl_sync(0xffffffffu, corr, 8 * t4 + 4);
#pragma unroll
      for (int t = 0; t < MT; ++t) acc[t][0] *= c0, acc[t][1] *= c1, acc[t][2] *= c0, acc[t][3] *= c1;
    }
    // P^T's B fragments (keys 2 t4, 2 t4 + 1 of each 8, pair g) as bf16 hi and lo parts.
    uint32_t ph[2], pl[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      const __nv_bfloat162 h = __floats2bfloat162_rn(p[i][0], p[i][1]);
      const __nv_bfloat162 r = __floats2bfloat162_rn(p[i][0] - __low2float(h), p[i][1] - __high2float(h));
      ph[i] = *reinterpret_cast<const uint32_t*>(&h);
      pl[i] = *reinterpret_cast<const uint32_t*>(&r);
    }
    // V^T's A fragments: m-tile 4 j + w is dims 64 j + 8 g + 2 w (row g) and + 1 (row g + 8).
#pragma unroll
    for (int j = 0; j < VV4; ++j)
#pragma unroll
      for (int w = 0; w < 4; ++w) {
        const uint32_t x00 = (&vr[0][0][j].x)[w], x01 = (&vr[0][1][j].x)[w], x10 = (&vr[1][0][j].x)[w], x11 = (&vr[1][1][j].x)[w];
        const uint32_t a0 = __byte_perm(x00, x01, 0x5410), a1 = __byte_perm(x00, x01, 0x7632);
        const uint32_t a2 = __byte_perm(x10, x11, 0x5410), a3 = __byte_perm(x10, x11, 0x7632);
        mma_bf16_acc(acc[4 * j + w], a0, a1, a2, a3, ph[0], ph[1]);
        mma_bf16_acc(acc[4 * j + w], a0, a1, a2, a3, pl[0], pl[1]);
      }
  }

  // Merge the warps of this block: pair g's m (same in its 4 lanes), l summed over them.
  l += __shfl_xor_sync(0xffffffffu, l, 1);
  l += __shfl_xor_sync(0xffffffffu, l, 2);
  __shared__ float sm_m[WARPS][MAXG], sm_l[WARPS][MAXG];
  __shared__ float sm_acc[WARPS][MAXG][HD];
  if (t4 == 0) sm_m[warp][g] = m, sm_l[warp][g] = l;
#pragma unroll
  for (int j = 0; j < VV4; ++j)
#pragma unroll
    for (int w = 0; w < 4; ++w) {
      const float* v = acc[4 * j + w];
      const int d = 64 * j + 8 * g + 2 * w;
      sm_acc[warp][2 * t4][d] = v[0], sm_acc[warp][2 * t4 + 1][d] = v[1];
      sm_acc[warp][2 * t4][d + 1] = v[2], sm_acc[warp][2 * t4 + 1][d + 1] = v[3];
    }
  __syncthreads();
  if constexpr (CLUSTER) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    // This block's (m, l, acc) per pair, its warps merged; then every block of the cluster
    // merges a share of the outputs over all blocks' values, read through DSMEM.
    __shared__ float blk_m[1][MAXG], blk_l[1][MAXG], blk_acc[1][MAXG][HD];
    for (int t = threadIdx.x; t < C * HD; t += blockDim.x) {
      const int h = t / HD, d = t % HD;
      float M, L, A;
      merge_parts(sm_m, sm_l, sm_acc, h, d, M, L, A);
      blk_acc[0][h][d] = A;
      if (d == 0) blk_m[0][h] = M, blk_l[0][h] = L;
    }
    cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
    cluster.sync();  // every block's values written, visible to the cluster
    // v47: every block's (m, l, acc) read at once (a distributed shared memory load costs a
    // round trip of its own; in a loop over the cluster's runtime size they went one after
    // another), then merged in block order as before.
    const int S = static_cast<int>(cluster.num_blocks()), rank = static_cast<int>(cluster.block_rank());
    for (int t = rank * blockDim.x + threadIdx.x; t < C * HD; t += S * blockDim.x) {
      const int h = t / HD, d = t % HD;
      float mr[kMaxClusterBlocks], lr[kMaxClusterBlocks], ar[kMaxClusterBlocks];
#pragma unroll
      for (int r = 0; r < kMaxClusterBlocks; ++r) {
        if (r >= S) break;
        mr[r] = *cluster.map_shared_rank(&blk_m[0][h], r);
        lr[r] = *cluster.map_shared_rank(&blk_l[0][h], r);
        ar[r] = *cluster.map_shared_rank(&blk_acc[0][h][d], r);
      }
      float M = -INFINITY;
#pragma unroll
      for (int r = 0; r < kMaxClusterBlocks; ++r)
        if (r < S) M = fmaxf(M, mr[r]);
      float L = 0.0f, A = 0.0f;
#pragma unroll
      for (int r = 0; r < kMaxClusterBlocks; ++r) {
        if (r >= S) break;
        if (mr[r] == -INFINITY) continue;  // a block whose keys this pair cannot see
        const float f = __expf(mr[r] - M);
        L += lr[r] * f;
        A += ar[r] * f;
      }
      st(a.out, r0 + h / G, static_cast<int64_t>(kvh * G + h % G) * HD + d, A / L);  // every pair sees its own key
    }
    cluster.sync();  // no block leaves while another still reads its shared memory
#endif
  } else {
    finish_block<MAXG, HD, WARPS>(a, sm_m, sm_l, sm_acc, C, G, r0, kvh, split);
  }
  trace_done(a.trace);
}

// The merge prelude of one (row, head), shared by both merges: the split weights exp(m_s - M)
// into weight[] (shared memory) and the softmax denominator sum_s l_s * weight[s], returned to
// every thread. `base` points at the (row, head)'s first partial: m, l, acc per split.
__device__ float split_weights(const float* base, int splits, int stride, float* weight) {
  __shared__ float total;
  float mx = -INFINITY;
  for (int s = threadIdx.x; s < splits; s += blockDim.x) mx = fmaxf(mx, base[s * stride]);
  mx = block_max(mx);
  float lsum = 0.0f;
  for (int s = threadIdx.x; s < splits; s += blockDim.x) {
    const float* part = base + s * stride;
    const float w = part[0] == -INFINITY ? 0.0f : __expf(part[0] - mx);  // empty splits weigh nothing
    weight[s] = w;
    lsum += part[1] * w;
  }
  lsum = block_sum(lsum);
  if (threadIdx.x == 0) total = lsum;
  __syncthreads();
  return total;
}

// v3 merge (VXD_FUSED=0): each thread sums its dimension over the splits in sequence (coalesced
// across threads).
__global__ void attention_merge_kernel(AttnArgs a) {
  pdl_trigger();
  pdl_wait();
  __shared__ float weight[kMaxSplits];
  const int64_t rh = blockIdx.x;  // row * n_heads + head
  const int64_t r = rh / a.n_heads;
  const int head = static_cast<int>(rh % a.n_heads);
  const int hd = a.head_dim;
  const float* base = a.partial + rh * a.splits * (hd + 2);
  const float inv = 1.0f / split_weights(base, a.splits, hd + 2, weight);
  for (int d = threadIdx.x; d < hd; d += blockDim.x) {
    float acc = 0.0f;
#pragma unroll 4
    for (int s = 0; s < a.splits; ++s) acc = fmaf(base[s * (hd + 2) + 2 + d], weight[s], acc);
    st(a.out, r, static_cast<int64_t>(head) * hd + d, acc * inv);
  }
}

// v4 merge: the same math with the splits read in parallel. Thread t serves dimension t % hd
// for every `groups`-th split starting at t / hd; the groups' sums meet in shared memory. With
// 132 splits and hd 128 that is 17 loads per thread instead of 132 in sequence.
__global__ void __launch_bounds__(1024) attention_merge_par_kernel(AttnArgs a, int groups) {
  pdl_trigger();
  pdl_wait();
  __shared__ float weight[kMaxSplits];
  __shared__ float sums[1024];
  const int64_t rh = blockIdx.x;  // row * n_heads + head
  const int64_t r = rh / a.n_heads;
  const int head = static_cast<int>(rh % a.n_heads);
  const int hd = a.head_dim;
  const float* base = a.partial + rh * a.splits * (hd + 2);
  const float total = split_weights(base, a.splits, hd + 2, weight);
  const int d = threadIdx.x % hd, j = threadIdx.x / hd;
  if (j < groups) {
    float acc = 0.0f;
#pragma unroll 4
    for (int s = j; s < a.splits; s += groups) acc = fmaf(base[s * (hd + 2) + 2 + d], weight[s], acc);
    sums[threadIdx.x] = acc;
  }
  __syncthreads();
  if (threadIdx.x < hd) {
    float acc = 0.0f;
    for (int g = 0; g < groups; ++g) acc += sums[g * hd + threadIdx.x];
    st(a.out, r, static_cast<int64_t>(head) * hd + threadIdx.x, acc / total);
  }
}

using AttnKernel = void (*)(AttnArgs);

// The instance for head_dim hd (EPL = elements per lane) and `pairs` (row, head) pairs per block.
template <int EPL>
AttnKernel attention_for_pairs(int pairs) {
  if (pairs == 1) return attention_kernel<EPL, 1>;
  if (pairs == 2) return attention_kernel<EPL, 2>;
  if (pairs <= 4) return attention_kernel<EPL, 4>;
  return attention_kernel<EPL, 8>;
}

AttnKernel attention_instance(int64_t hd, int pairs) {
  if (hd <= 32) return attention_for_pairs<1>(pairs);
  if (hd <= 64) return attention_for_pairs<2>(pairs);
  if (hd <= 128) return attention_for_pairs<4>(pairs);
  return attention_for_pairs<8>(pairs);
}

// Resident blocks per SM of each instance, measured once when the backend starts (as for the
// GEMVs: no driver queries while a step is captured). Keyed by the instance's entry point.
struct AttnOccupancy {
  AttnKernel kernel;
  int blocks_per_sm;
};
AttnOccupancy g_attn_occupancy[18];

// v17: the cluster kernels (8 warps a block) and the cluster sizes each supports with its blocks
// resident together (measured at start; none: no cluster launch here). v48: a set of sizes, not
// only the largest, so a launch can take the smallest that gives each warp one key tile.
constexpr int kClusterWarps = 8;
struct AttnCluster {
  AttnKernel kernel;
  unsigned sizes;  // bit i: kClusterSizes[i] fits
  // The smallest size that fits with at least `want` blocks, else the largest power of two that
  // fits (v17's choice: 8 for the decoder); 0: none.
  int pick(int64_t want) const {
    int largest = 0;
    for (int i = 0; i < kClusterSizeCount; ++i) {
      if (!(sizes >> i & 1u)) continue;
      if (kClusterSizes[i] >= want) return kClusterSizes[i];
      if ((kClusterSizes[i] & (kClusterSizes[i] - 1)) == 0) largest = kClusterSizes[i];
    }
    return largest;
  }
};
AttnCluster g_attn_cluster[2];  // head_dim 64, 128

AttnCluster cluster_for(int64_t hd) { return hd == 64 ? g_attn_cluster[0] : hd == 128 ? g_attn_cluster[1] : AttnCluster{nullptr, 0u}; }

// The sizes of kClusterSizes of which the GPU can hold `want` clusters at once; none where the
// kernel runs from code built for an older GPU than 9.0 (the compute_80 PTX that other GPUs JIT),
// which has no cluster merge and would leave the output unwritten.
unsigned measure_cluster(AttnKernel k, int want) {
  cudaFuncAttributes attrs = {};
  if (cudaFuncGetAttributes(&attrs, k) != cudaSuccess || attrs.ptxVersion < 90 ||
      cudaFuncSetAttribute(k, cudaFuncAttributeNonPortableClusterSizeAllowed, 1) != cudaSuccess) {
    (void)cudaGetLastError();
    return 0u;
  }
  unsigned sizes = 0;
  for (int i = 0; i < kClusterSizeCount; ++i) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(1, 1, kClusterSizes[i]);
    cfg.blockDim = dim3(kClusterWarps * 32);
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = 1, attr.val.clusterDim.y = 1, attr.val.clusterDim.z = kClusterSizes[i];
    cfg.attrs = &attr;
    cfg.numAttrs = 1;
    int clusters = 0;
    if (cudaOccupancyMaxActiveClusters(&clusters, k, &cfg) != cudaSuccess) {
      (void)cudaGetLastError();
      continue;
    }
    if (clusters >= want) sizes |= 1u << i;
  }
  return sizes;
}

int attention_blocks_per_sm(AttnKernel k) {
  for (const AttnOccupancy& o : g_attn_occupancy)
    if (o.kernel == k) return o.blocks_per_sm;
  return 1;
}

}  // namespace

void configure_attention() {
  int i = 0;
  const auto measure = [&](AttnKernel k) {
    int per_sm = 0;
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, k, kAttnWarps * 32, 0) != cudaSuccess) {
      (void)cudaGetLastError();
      per_sm = 1;  // only a performance hint
    }
    g_attn_occupancy[i++] = AttnOccupancy{k, std::max(1, per_sm)};
  };
  for (int64_t hd : {32, 64, 128, 256})
    for (int pairs : {1, 2, 4, 8}) measure(attention_instance(hd, pairs));
  measure(attention_mma_kernel<64>);
  measure(attention_mma_kernel<128>);
  // The encoder's 32 heads and the decoder's 8 KV heads, each one cluster, in one wave.
  int major = 0, device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess) {
    (void)cudaGetLastError();
    major = 0;
  }
  const AttnKernel k64 = attention_mma_kernel<64, kClusterWarps, true>, k128 = attention_mma_kernel<128, kClusterWarps, true>;
  g_attn_cluster[0] = {k64, major >= 9 ? measure_cluster(k64, 32) : 0u};
  g_attn_cluster[1] = {k128, major >= 9 ? measure_cluster(k128, 8) : 0u};
  if (const char* t = std::getenv("VXD_CUDA_TRACE"); t && std::strcmp(t, "1") == 0)  // which sizes fit, with the step trace
    std::fprintf(stderr, "attention cluster sizes (bit i of 4,6,8,12,16): head_dim 64 0x%x, 128 0x%x\n", g_attn_cluster[0].sizes,
                 g_attn_cluster[1].sizes);
}

void CudaBackend::kv_write(const Act& k, const Act& v, KVCache& cache, StepParam pos) {
  if (note(4, k, v, cache, pos)) return;
  ProfileScope prof(*this, profiling() ? "kv_write " + std::to_string(k.rows) + "x" + std::to_string(k.cols) : std::string());
  if (k.rows != v.rows || k.cols != cache.k.cols || v.cols != cache.v.cols || k.rows > cache.ring || cache.ring <= 0)
    fail(VXD_ERR_INTERNAL, "kv_write shape mismatch");
  if (k.rows == 0) return;
  kv_write_kernel<<<blocks_for(k.rows * k.cols, 256), 256, 0, stream_>>>(dev(k), dev(v), dev(cache.k), dev(cache.v),
                                                                         cache.ring, param_ptr(pos));
  check_launch("kv_write");
}

void CudaBackend::rope_kv_write(Act& q, Act& k, const Act& v, int n_heads, int n_kv_heads, int head_dim, double theta,
                                KVCache& cache, StepParam pos) {
  if (note(22, q, k, v, n_heads, n_kv_heads, head_dim, theta, cache, pos)) return;
  ProfileScope prof(*this, profiling() ? "rope_kv_write " + std::to_string(q.rows) + "x" + std::to_string(q.cols) : std::string());
  if (head_dim <= 0 || head_dim % 2 || n_heads <= 0 || n_kv_heads <= 0 || static_cast<int64_t>(n_heads) * head_dim != q.cols ||
      static_cast<int64_t>(n_kv_heads) * head_dim != k.cols || k.rows != q.rows || v.rows != q.rows || k.cols != cache.k.cols ||
      v.cols != cache.v.cols || v.cols != k.cols || k.rows > cache.ring || cache.ring <= 0)
    fail(VXD_ERR_INTERNAL, "rope_kv_write shape mismatch");
  if (q.rows == 0) return;
  const int64_t n = q.rows * static_cast<int64_t>(n_heads + n_kv_heads) * (head_dim / 2);
  rope_kv_write_kernel<<<blocks_for(n, 128), 128, 0, stream_>>>(dev(q), dev(k), dev(v), dev(cache.k), dev(cache.v), n_heads,
                                                               n_kv_heads, head_dim, theta, cache.ring, param_ptr(pos));
  check_launch("rope_kv_write");
}

void CudaBackend::attention(const Act& q, const KVCache& cache, const AttentionShape& s, StepParam pos, Act& out) {
  if (note(5, q, cache, s, pos, out)) return;
  ProfileScope prof(*this, profiling() ? "attention " + std::to_string(q.rows) + "x" + std::to_string(q.cols) + " window=" + std::to_string(s.window) : std::string());
  const int64_t hd = s.head_dim;
  if (s.n_kv_heads <= 0 || s.n_heads <= 0 || hd <= 0 || q.cols != s.n_heads * hd || out.cols != q.cols ||
      out.rows != q.rows || cache.k.cols != s.n_kv_heads * hd || s.n_heads % s.n_kv_heads || s.window <= 0)
    fail(VXD_ERR_INTERNAL, "attention shape mismatch");
  if (cache.ring < s.window + q.rows - 1) fail(VXD_ERR_INTERNAL, "attention ring too small for this batch");
  const int group = s.n_heads / s.n_kv_heads;
  if (group > 8 || hd > 256) fail(VXD_ERR_UNSUPPORTED, "CUDA attention supports up to 8 query heads per KV head and head_dim <= 256");
  if (q.rows == 0) return;
  if (q.rows > 65535) fail(VXD_ERR_INTERNAL, "attention with too many rows");

  // v4: query rows of a batch share K/V loads in one block, up to 8 (row, head) pairs (MAXG).
  const int rows_per_block = attn_parallel_merge_ ? static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(q.rows, 8 / group))) : 1;
  const int64_t row_blocks = (q.rows + rows_per_block - 1) / rows_per_block;
  const int pairs = rows_per_block * group;
  // v15: the tensor-core kernel where it applies (bf16 q and caches, head_dim 64 or 128, 16-byte
  // rows, ring offsets in int); VXD_CUDA_ATTN_MMA=0: the fp32 kernel, to compare.
  const auto rows16 = [](const Act& x) { return x.dtype == DType::BF16 && x.stride % 8 == 0 && reinterpret_cast<uintptr_t>(x.data) % 16 == 0; };
  const bool mma = attn_mma_ && (hd == 64 || hd == 128) && rows16(q) && rows16(cache.k) && rows16(cache.v) &&
                   cache.ring * std::max(cache.k.stride, cache.v.stride) < (int64_t{1} << 31);
  AttnKernel kernel = mma ? (hd == 64 ? attention_mma_kernel<64> : attention_mma_kernel<128>) : attention_instance(hd, pairs);
  // Enough blocks to fill the GPU, each with at least kMinKeysPerSplit keys when the window is
  // full. v6: no more than fit at once (VXD_CUDA_ATTN_WAVE=0: 8 per SM, as v4): the v5
  // profile showed 1056 decoder blocks where 528 fit and 736 encoder blocks where 660 fit, so a
  // second wave of short blocks ran after the first.
  const int64_t base_blocks = row_blocks * s.n_kv_heads;
  const int64_t target_blocks = attn_one_wave_ ? static_cast<int64_t>(attention_blocks_per_sm(kernel)) * sm_count_ : 8LL * sm_count_;
  int64_t splits = std::max<int64_t>(1, attn_one_wave_ ? target_blocks / base_blocks : (target_blocks + base_blocks - 1) / base_blocks);
  // The tensor-core kernel's warps take 16 keys at a time: a split of fewer than 64 idles some.
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, s.window / (mma ? 16 * kAttnWarps : kMinKeysPerSplit)));
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, kMaxPartials / (q.rows * s.n_heads)));
  splits = std::min<int64_t>(splits, std::min<int64_t>(kMaxSplits, attn_max_splits_));
  if (splits > 1 && q.rows * s.n_heads * splits > kMaxPartials) splits = 1;

  // v17: the splits as one cluster of 8-warp blocks merged in the kernel, where the GPU holds such
  // clusters, the fused ops are on and more than one split is allowed (keys per split >= 16).
  // v48: the smallest cluster that gives every warp at most one 16-key tile of a full window
  // (the encoder's 753 keys: 6 blocks, not 4, so every warp's keys load before the wait), else
  // the largest the GPU holds.
  const AttnCluster cluster = mma && attn_cluster_ && attn_parallel_merge_ ? cluster_for(hd) : AttnCluster{nullptr, 0u};
  const int cluster_size = cluster.pick((s.window + rows_per_block - 1 + 16 * kClusterWarps - 1) / (16 * kClusterWarps));
  if (cluster_size > 1 && attn_max_splits_ >= 2 && s.window >= 32) {
    splits = std::min<int64_t>({cluster_size, attn_max_splits_, s.window / 16});
    kernel = cluster.kernel;
  }
  AttnArgs a{dev(q), dev(cache.k), dev(cache.v), dev(out), cache.ring, s.window, s.n_heads, s.n_kv_heads,
             s.head_dim, static_cast<int>(splits), rows_per_block, static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd))),
             param_ptr(pos), d_attn_scratch_, attn_early_kv_};
  const dim3 grid(static_cast<unsigned>(s.n_kv_heads), static_cast<unsigned>(row_blocks), static_cast<unsigned>(splits));
  // With the GEMVs' programmatic dependent launch (v15: attention and merge too), each kernel's
  // launch overlaps its predecessor's tail; both wait for it before they read anything.
  const bool pdl = matmul_ctx_.pdl_mma;
  if (mma && trace_.taking()) a.trace = trace_.slot("attn m" + std::to_string(q.rows) + " d" + std::to_string(hd));
  if (kernel == cluster.kernel) {
    check(launch_kernel_clustered(kernel, grid, dim3(kClusterWarps * 32), dim3(1, 1, static_cast<unsigned>(splits)), 0, stream_, pdl, a),
          "launch attention (cluster)");
    return;  // merged in the kernel
  }
  check(launch_kernel(kernel, grid, dim3(kAttnWarps * 32), 0, stream_, pdl, a), "launch attention");
  const unsigned merges = static_cast<unsigned>(q.rows * s.n_heads);
  if (splits > 1 && attn_parallel_merge_) {
    // As many groups of hd threads as give each at least 4 splits, up to 1024 threads.
    const int groups = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(1024 / hd, splits / 4)));
    const int threads = static_cast<int>((groups * hd + 31) / 32 * 32);
    check(launch_kernel(attention_merge_par_kernel, dim3(merges), dim3(threads), 0, stream_, pdl, a, groups), "launch attention merge");
  } else if (splits > 1) {
    check(launch_kernel(attention_merge_kernel, dim3(merges), dim3(128), 0, stream_, pdl, a), "launch attention merge");
  }
}

}  // namespace vxd::cuda
