// Ring KV-cache write and sliding-window causal attention with GQA (fp32 online softmax).
// Attention is split-K ("flash decoding"): the visible keys of a query are cut into `splits`
// contiguous pieces so that even one decoder token fills the GPU; a second kernel merges the
// pieces. One block serves all query heads of one KV head, so each K/V row is read once.
// Key counts and ring slots come from the step-param position, so a captured graph replays
// correctly at any position.
#include <algorithm>
#include <cmath>

#include "common.cuh"
#include "cuda_backend.h"

namespace vxd::cuda {
namespace {

constexpr int kAttnWarps = 4;
constexpr int kMaxPartials = 16384;  // matches the scratch allocated by the backend
constexpr int kMinKeysPerSplit = 32;
constexpr int kKeyBatch = 4;  // keys per warp per round
constexpr int kMaxSplits = 512;

__device__ __forceinline__ int64_t ring_slot(int64_t p, int64_t ring) { return ((p % ring) + ring) % ring; }

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
};

template <int EPL, int MAXG>
__global__ void __launch_bounds__(kAttnWarps * 32) attention_kernel(AttnArgs a) {
  pdl_trigger();
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
  for (int t = threadIdx.x; t < C * hd; t += blockDim.x) {
    const int h = t / hd, d = t % hd;
    const int64_t r = r0 + h / G;
    float M = -INFINITY;
    for (int w = 0; w < kAttnWarps; ++w) M = fmaxf(M, sm_m[w][h]);
    float L = 0.0f, A = 0.0f;
    if (M != -INFINITY)
      for (int w = 0; w < kAttnWarps; ++w) {
        const float f = __expf(sm_m[w][h] - M);
        L += sm_l[w][h] * f;
        A += sm_acc[w][h][d] * f;
      }
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
AttnOccupancy g_attn_occupancy[16];

int attention_blocks_per_sm(AttnKernel k) {
  for (const AttnOccupancy& o : g_attn_occupancy)
    if (o.kernel == k) return o.blocks_per_sm;
  return 1;
}

}  // namespace

void configure_attention() {
  int i = 0;
  for (int64_t hd : {32, 64, 128, 256})
    for (int pairs : {1, 2, 4, 8}) {
      const AttnKernel k = attention_instance(hd, pairs);
      int per_sm = 0;
      if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, k, kAttnWarps * 32, 0) != cudaSuccess) {
        (void)cudaGetLastError();
        per_sm = 1;  // only a performance hint
      }
      g_attn_occupancy[i++] = AttnOccupancy{k, std::max(1, per_sm)};
    }
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
  const AttnKernel kernel = attention_instance(hd, pairs);
  // Enough blocks to fill the GPU, each with at least kMinKeysPerSplit keys when the window is
  // full. v6: no more than fit at once (VXD_CUDA_ATTN_WAVE=0: 8 per SM, as v4): the v5
  // profile showed 1056 decoder blocks where 528 fit and 736 encoder blocks where 660 fit, so a
  // second wave of short blocks ran after the first.
  const int64_t base_blocks = row_blocks * s.n_kv_heads;
  const int64_t target_blocks = attn_one_wave_ ? static_cast<int64_t>(attention_blocks_per_sm(kernel)) * sm_count_ : 8LL * sm_count_;
  int64_t splits = std::max<int64_t>(1, attn_one_wave_ ? target_blocks / base_blocks : (target_blocks + base_blocks - 1) / base_blocks);
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, s.window / kMinKeysPerSplit));
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, kMaxPartials / (q.rows * s.n_heads)));
  splits = std::min<int64_t>(splits, std::min<int64_t>(kMaxSplits, attn_max_splits_));
  if (splits > 1 && q.rows * s.n_heads * splits > kMaxPartials) splits = 1;

  AttnArgs a{dev(q), dev(cache.k), dev(cache.v), dev(out), cache.ring, s.window, s.n_heads, s.n_kv_heads,
             s.head_dim, static_cast<int>(splits), rows_per_block, static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd))),
             param_ptr(pos), d_attn_scratch_};
  const dim3 grid(static_cast<unsigned>(s.n_kv_heads), static_cast<unsigned>(row_blocks), static_cast<unsigned>(splits));
  kernel<<<grid, dim3(kAttnWarps * 32), 0, stream_>>>(a);
  check_launch("attention");
  if (splits > 1 && attn_parallel_merge_) {
    // As many groups of hd threads as give each at least 4 splits, up to 1024 threads.
    const int groups = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(1024 / hd, splits / 4)));
    const int threads = static_cast<int>((groups * hd + 31) / 32 * 32);
    attention_merge_par_kernel<<<static_cast<unsigned>(q.rows * s.n_heads), threads, 0, stream_>>>(a, groups);
    check_launch("attention merge");
  } else if (splits > 1) {
    attention_merge_kernel<<<static_cast<unsigned>(q.rows * s.n_heads), 128, 0, stream_>>>(a);
    check_launch("attention merge");
  }
}

}  // namespace vxd::cuda
