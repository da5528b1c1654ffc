// Fused GEMVs (Backend::matmul_multi, Backend::gated_ffn): one launch serves several weights that
// share the same x (q/k/v; w1 and w3), optionally RMSNorm-ing x while staging it, so a layer's
// norm + 3 matmuls (or norm + 2 matmuls + SiLU·up) is one kernel instead of 4. Each block
// normalises its own staged copy of x (k <= a few thousand: one extra pass over shared memory).
// The hot loop (gemv_rows) is shared with matmul.cu's gemv_smem; shapes it does not serve fall
// back to the composed default.
#include <algorithm>
#include <cmath>

#include "cuda_backend.h"
#include "gemv.cuh"

namespace vxd::cuda {
namespace {

// Static shared memory of gemv_multi (the norm's per-warp partial sums) must fit next to the dynamic part
// within the device's per-block opt-in limit, so the dynamic limit leaves this much room.
constexpr size_t kStaticSmemRoom = 1024;

// Stages x (M rows) into shared memory as fp32, RMSNorm-ed when a.norm_w is set: one block
// reduction for all rows, then every thread rescales exactly the elements it staged (its norm
// weights loaded in batches, like x).
template <DType WT, int MR>
__device__ __forceinline__ void stage_x(const DevAct& x, const MultiArgs& a, int k, float* xs) {
  constexpr int E = chunk_elems<WT>();
  constexpr int kSlot = x_slot<WT>();
  const int M = static_cast<int>(x.rows), chunks = k / E;
  float ss[MR];
#pragma unroll
  for (int m = 0; m < MR; ++m) ss[m] = 0.0f;
  stage_rows<WT, MR>(x, M, k, xs, ss);
  if (a.norm_w) {
    float inv[MR];
    rms_inverse<MR>(ss, k, a.eps, inv);
    // The norm weights of a batch of columns are loaded once for all rows.
    for (int c0 = 4 * threadIdx.x; c0 < k; c0 += 4 * kStageBatch * blockDim.x) {
      float4 w[kStageBatch], d[kStageBatch];
#pragma unroll
      for (int j = 0; j < kStageBatch; ++j) {
        const int c = c0 + 4 * j * blockDim.x;
        w[j] = c < k ? *reinterpret_cast<const float4*>(a.norm_w + c) : make_float4(0, 0, 0, 0);
        d[j] = c < k && a.norm_ada ? *reinterpret_cast<const float4*>(a.norm_ada + c) : make_float4(0, 0, 0, 0);
      }
#pragma unroll
      for (int m = 0; m < MR; ++m) {
        if (m >= M) break;
#pragma unroll
        for (int j = 0; j < kStageBatch; ++j) {
          const int c = c0 + 4 * j * blockDim.x;
          if (c >= k) break;
          float4* p = reinterpret_cast<float4*>(xs + (m * chunks + c / E) * kSlot + c % E);
          float4 v = *p;
          v.x = v.x * inv[m] * w[j].x, v.y = v.y * inv[m] * w[j].y, v.z = v.z * inv[m] * w[j].z, v.w = v.w * inv[m] * w[j].w;
          if (a.norm_ada) v.x *= 1.0f + d[j].x, v.y *= 1.0f + d[j].y, v.z *= 1.0f + d[j].z, v.w *= 1.0f + d[j].w;
          *p = v;
        }
      }
    }
  }
  __syncthreads();
}

template <DType WT, int MR, int RPW, bool GATED>
__global__ void __launch_bounds__(kGemvWarps * 32) gemv_multi(DevAct x, MultiArgs a) {
  extern __shared__ float4 smem4[];
  float* xs = reinterpret_cast<float*>(smem4);
  constexpr int kOutRows = GATED ? RPW / 2 : RPW;  // output rows per warp row group
  const int64_t gw = static_cast<int64_t>(blockIdx.x) * kGemvWarps + (threadIdx.x >> 5);
  const int64_t gstride = static_cast<int64_t>(gridDim.x) * kGemvWarps;
  pdl_wait();
  pdl_trigger();
  const int M = static_cast<int>(x.rows);
  stage_x<WT, MR>(x, a, static_cast<int>(a.w[0].k), xs);
  if constexpr (GATED) {
    for (int64_t g = gw; g < a.group_end[0]; g += gstride) gemv_rows<WT, MR, RPW, true>(xs, M, a.w[0], a.w[1], a.e[0], g * kOutRows, a.rope, 0);
  } else {
    // Not unrolled: one copy of the hot loop (unrolled 3x, ptxas spilled 148 bytes in the 4w
    // encoder q/k/v instance at its 128-register target; 68 bytes this way).
#pragma unroll 1
    for (int i = 0; i < a.count; ++i) {
      const int64_t start = i ? a.group_end[i - 1] : 0, end = a.group_end[i];
      // First group of this warp's sequence gw, gw + gstride, ... that belongs to output i.
      int64_t g = gw >= start ? gw : gw + (start - gw + gstride - 1) / gstride * gstride;
      for (; g < end; g += gstride) gemv_rows<WT, MR, RPW, false>(xs, M, a.w[i], a.w[i], a.e[i], (g - start) * kOutRows, a.rope, i);
    }
  }
}

// Resident blocks per SM as registers allow, measured once at start (as for gemv_smem).
template <DType WT, int MR, int RPW, bool GATED>
struct MultiOccupancy {
  static int blocks_per_sm;
};
template <DType WT, int MR, int RPW, bool GATED>
int MultiOccupancy<WT, MR, RPW, GATED>::blocks_per_sm = 1;

template <DType WT, int MR, int RPW, bool GATED>
void configure_one(int smem_limit) {
  int per_sm = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, gemv_multi<WT, MR, RPW, GATED>, kGemvWarps * 32, 0) != cudaSuccess) {
    (void)cudaGetLastError();
    per_sm = 1;  // only a performance hint
  }
  MultiOccupancy<WT, MR, RPW, GATED>::blocks_per_sm = std::max(1, per_sm);
  check(cudaFuncSetAttribute(gemv_multi<WT, MR, RPW, GATED>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_limit),
        "gemv_multi smem limit");
}

template <DType WT, int RPW, bool GATED>
void configure_rows(int smem_limit) {
  configure_one<WT, 1, RPW, GATED>(smem_limit);
  configure_one<WT, 2, RPW, GATED>(smem_limit);
  configure_one<WT, 4, RPW, GATED>(smem_limit);
  configure_one<WT, 8, RPW, GATED>(smem_limit);
}

template <DType WT>
void configure_dtype(int smem_limit) {
  configure_rows<WT, 1, false>(smem_limit);
  configure_rows<WT, 4, false>(smem_limit);
  configure_rows<WT, 4, true>(smem_limit);
  configure_one<WT, 1, 6, true>(smem_limit);  // M = 1 only (run_multi)
}

template <DType WT, int MR, int RPW, bool GATED>
int64_t resident_blocks(const MatmulContext& ctx, size_t smem) {
  const int64_t by_smem = std::max<int64_t>(1, static_cast<int64_t>(ctx.smem_per_sm / (smem + 1024)));
  return std::min<int64_t>(MultiOccupancy<WT, MR, RPW, GATED>::blocks_per_sm, by_smem) * ctx.sm_count;
}

template <DType WT, int MR, int RPW, bool GATED>
void launch_multi(const DevAct& x, const MultiArgs& a, const MatmulContext& ctx, size_t smem) {
  const int64_t groups = a.group_end[a.count - 1];
  const unsigned grid = static_cast<unsigned>(std::min<int64_t>(blocks_for(groups, kGemvWarps), resident_blocks<WT, MR, RPW, GATED>(ctx, smem)));
  launch_gemv_kernel(gemv_multi<WT, MR, RPW, GATED>, grid, kGemvWarps, smem, ctx, "launch gemv_multi", x, a);
}

template <DType WT, int RPW, bool GATED>
void launch_mr(const DevAct& x, const MultiArgs& a, const MatmulContext& ctx, size_t smem) {
  if (x.rows == 1) launch_multi<WT, 1, RPW, GATED>(x, a, ctx, smem);
  else if (x.rows == 2) launch_multi<WT, 2, RPW, GATED>(x, a, ctx, smem);
  else if (x.rows <= 4) launch_multi<WT, 4, RPW, GATED>(x, a, ctx, smem);
  else launch_multi<WT, 8, RPW, GATED>(x, a, ctx, smem);
}

// One launch per pass of up to 8 rows of x. False (nothing launched) when a shape is outside
// the fast path; the caller then runs the composed default.
template <DType WT>
bool run_multi(const DevAct& x, MultiArgs a, bool gated, const MatmulContext& ctx, bool launch) {
  if constexpr (WT == DType::Q4)
    if (run_mma_q4(x, a, gated, ctx, launch)) return true;
  constexpr int64_t kMaxRows = 256;  // beyond: the tiled GEMM of matmul() is faster
  if (x.rows > kMaxRows || a.w[0].k >= (1LL << 30) || a.w[0].k % 4) return false;
  for (int i = 0; i < (gated ? 2 : a.count); ++i) {
    const DevWeight& w = a.w[i];
    if (!fast_path_ok<WT>(x, w) || w.k != a.w[0].k || w.group != a.w[0].group) return false;
  }
  if (a.norm_w && (!aligned16(a.norm_w) || (a.norm_ada && !aligned16(a.norm_ada)))) return false;
  if (gemv_smem_bytes<WT>(std::min<int64_t>(x.rows, 8), a.w[0].k) > ctx.smem_limit - kStaticSmemRoom) return false;
  int64_t total_rows = 0;
  for (int i = 0; i < a.count; ++i) total_rows += a.w[i].n;
  // Four weight rows per warp when that still fills the GPU (as matmul() decides); gated mode
  // streams 4 (2 of w1, 2 of w3), or 6 (below).
  const bool four = gated || blocks_for(total_rows, kGemvWarps * 4) >= static_cast<unsigned>(ctx.sm_count);
  // The RoPE epilogue needs both rows of a pair in one warp.
  if (a.rope.on && (gated || !four)) return false;
  if (!launch) return true;
  // Decoder w1/w3 (M = 1): 3 + 3 rows per warp where 2 + 2 leave a second, partial round of row
  // groups and 3 + 3 fit in one (4w: 4608 groups of 2 + 2 for 4224 resident warps, so 384 warps
  // ran a second group alone; 3072 of 3 + 3 fit 3168).
  bool six = false;
  if (gated && x.rows == 1 && ctx.gated_six) {
    const size_t smem1 = gemv_smem_bytes<WT>(1, a.w[0].k);
    const int64_t warps4 = resident_blocks<WT, 1, 4, true>(ctx, smem1) * kGemvWarps;
    const int64_t warps6 = resident_blocks<WT, 1, 6, true>(ctx, smem1) * kGemvWarps;
    six = warps4 < (a.w[0].n + 1) / 2 && warps6 >= (a.w[0].n + 2) / 3;
  }
  const int64_t out_rows = six ? 3 : gated ? 2 : four ? 4 : 1;
  int64_t end = 0;
  for (int i = 0; i < a.count; ++i) a.group_end[i] = end += (a.w[i].n + out_rows - 1) / out_rows;
  const MultiArgs full = a;
  for (int64_t m0 = 0; m0 < x.rows; m0 += 8) {
    const int64_t n = std::min<int64_t>(8, x.rows - m0);
    MultiArgs p = full;
    p.rope.m0 = m0;
    for (int i = 0; i < a.count; ++i) {
      p.e[i].y = rows_of(full.e[i].y, m0, n);
      p.e[i].residual = rows_of(full.e[i].residual, m0, n);
    }
    const DevAct xp = rows_of(x, m0, n);
    const size_t smem = gemv_smem_bytes<WT>(n, a.w[0].k);
    if (six) launch_multi<WT, 1, 6, true>(xp, p, ctx, smem);
    else if (gated) launch_mr<WT, 4, true>(xp, p, ctx, smem);
    else if (four) launch_mr<WT, 4, false>(xp, p, ctx, smem);
    else launch_mr<WT, 1, false>(xp, p, ctx, smem);
  }
  return true;
}

// launch = false only checks whether the fast path serves these arguments.
bool dispatch(DType t, const DevAct& x, const MultiArgs& a, bool gated, const MatmulContext& ctx, bool launch) {
  if (x.rows <= 0) return false;
  switch (t) {
    case DType::F32: return run_multi<DType::F32>(x, a, gated, ctx, launch);
    case DType::BF16: return run_multi<DType::BF16>(x, a, gated, ctx, launch);
    case DType::Q8: return run_multi<DType::Q8>(x, a, gated, ctx, launch);
    case DType::Q4: return run_multi<DType::Q4>(x, a, gated, ctx, launch);
    default: return false;
  }
}

MultiArgs norm_args(const NormSpec* norm) {
  MultiArgs a = {};
  if (norm && norm->weight)
    a.norm_w = norm->weight, a.norm_ada = norm->ada, a.eps = norm->eps, a.norm_bf16 = norm->normed.dtype == DType::BF16;
  return a;
}

// Checks shapes and fills the weights and epilogues of a matmul_multi-like call; false when the
// outputs' weight dtypes differ (the fused kernel streams one dtype).
bool multi_outputs(const Act& x, const NormSpec* norm, const MatmulOut* outs, int n_outs, MultiArgs& a) {
  if (n_outs < 1 || n_outs > kMaxOuts) fail(VXD_ERR_INTERNAL, "matmul_multi: bad number of outputs");
  for (int i = 0; i < n_outs; ++i) {
    const MatmulOut& o = outs[i];
    if (x.cols != o.w.k || o.y.cols != o.w.n || o.y.rows != x.rows ||
        (o.residual && (o.residual->rows != o.y.rows || o.residual->cols != o.y.cols)))
      fail(VXD_ERR_INTERNAL, "matmul_multi shape mismatch");
  }
  if (norm && norm->weight && (norm->normed.rows != x.rows || norm->normed.cols != x.cols))
    fail(VXD_ERR_INTERNAL, "matmul_multi norm shape mismatch");
  a = norm_args(norm);
  a.count = n_outs;
  bool same_dtype = true;
  for (int i = 0; i < n_outs; ++i) {
    const DevAct dy = dev(outs[i].y);
    a.w[i] = dev(outs[i].w);
    a.e[i] = Epilogue{outs[i].bias, outs[i].residual ? dev(*outs[i].residual) : dy, outs[i].residual != nullptr, dy};
    same_dtype = same_dtype && outs[i].w.dtype == outs[0].w.dtype;
  }
  return same_dtype;
}

}  // namespace

void configure_gemv_multi(const MatmulContext& ctx) {
  const int limit = static_cast<int>(ctx.smem_limit - kStaticSmemRoom);
  configure_dtype<DType::F32>(limit);
  configure_dtype<DType::BF16>(limit);
  configure_dtype<DType::Q8>(limit);
  configure_dtype<DType::Q4>(limit);
}

void CudaBackend::matmul_multi(const Act& x, const NormSpec* norm, const MatmulOut* outs, int n_outs) {
  MultiArgs a;
  const bool same_dtype = multi_outputs(x, norm, outs, n_outs, a);
  const DevAct dx = dev(x);
  // Decided from the arguments only, so a dry run and the capture take the same branch; the
  // fallback's ops fingerprint themselves.
  if (!same_dtype || !dispatch(outs[0].w.dtype, dx, a, false, matmul_ctx_, false)) {
    Backend::matmul_multi(x, norm, outs, n_outs);
    return;
  }
  const bool dry = note(20, x, static_cast<const void*>(a.norm_w), static_cast<const void*>(a.norm_ada), a.eps, n_outs);
  for (int i = 0; i < n_outs; ++i)
    fingerprint_.add(outs[i].w), fingerprint_.add(static_cast<const void*>(outs[i].bias)), fingerprint_.add(outs[i].residual),
        fingerprint_.add(outs[i].y);
  if (dry) return;
  ProfileScope prof(*this, profiling() ? std::string("matmul_multi w=") + dtype_name(outs[0].w.dtype) + " x=" + dtype_name(x.dtype) +
                                             " M=" + std::to_string(x.rows) + " outs=" + std::to_string(n_outs) +
                                             " k=" + std::to_string(x.cols) + (a.norm_w ? " +norm" : "")
                                       : std::string());
  dispatch(outs[0].w.dtype, dx, a, false, matmul_ctx_, true);
  check_launch("matmul_multi");
}

void CudaBackend::qkv_rope_write(const Act& x, const NormSpec* norm, const MatmulOut qkv[3], const RopeSpec& r, KVCache& cache,
                                 StepParam pos) {
  const Act &q = qkv[0].y, &k = qkv[1].y, &v = qkv[2].y;
  if (r.head_dim <= 0 || r.head_dim % 2 || r.n_heads <= 0 || r.n_kv_heads <= 0 || static_cast<int64_t>(r.n_heads) * r.head_dim != q.cols ||
      static_cast<int64_t>(r.n_kv_heads) * r.head_dim != k.cols || v.cols != k.cols || k.cols != cache.k.cols ||
      v.cols != cache.v.cols || x.rows > cache.ring || cache.ring <= 0)
    fail(VXD_ERR_INTERNAL, "qkv_rope_write shape mismatch");
  MultiArgs a;
  const bool same_dtype = multi_outputs(x, norm, qkv, 3, a);
  a.rope.on = true;
  const DevAct dx = dev(x);
  // The epilogue writes each output row once from fresh sums: no residual may be added.
  const bool plain = !qkv[0].residual && !qkv[1].residual && !qkv[2].residual;
  if (!qkv_rope_epilogue_ || !same_dtype || !plain || !dispatch(qkv[0].w.dtype, dx, a, false, matmul_ctx_, false)) {
    Backend::qkv_rope_write(x, norm, qkv, r, cache, pos);
    return;
  }
  const bool dry = note(23, x, static_cast<const void*>(a.norm_w), static_cast<const void*>(a.norm_ada), a.eps, r.n_heads, r.n_kv_heads,
                        r.head_dim, r.theta, cache, pos);
  for (int i = 0; i < 3; ++i)
    fingerprint_.add(qkv[i].w), fingerprint_.add(static_cast<const void*>(qkv[i].bias)), fingerprint_.add(qkv[i].y);
  if (dry) return;
  ProfileScope prof(*this, profiling() ? std::string("qkv_rope_write w=") + dtype_name(qkv[0].w.dtype) + " x=" + dtype_name(x.dtype) +
                                             " M=" + std::to_string(x.rows) + " k=" + std::to_string(x.cols)
                                       : std::string());
  a.rope = RopeEpilogue{true, dev(cache.k), dev(cache.v), cache.ring, param_ptr(pos), r.head_dim, std::log2(r.theta), 0};
  dispatch(qkv[0].w.dtype, dx, a, false, matmul_ctx_, true);
  check_launch("qkv_rope_write");
}

void CudaBackend::gated_ffn(const Act& x, const NormSpec* norm, const Weight& w1, const Weight& w3, Act& up, Act& out) {
  const bool has_norm = norm && norm->weight;
  if (x.cols != w1.k || x.cols != w3.k || w1.n != w3.n || out.cols != w1.n || out.rows != x.rows || up.rows != out.rows ||
      up.cols != out.cols)
    fail(VXD_ERR_INTERNAL, "gated_ffn shape mismatch");
  if (has_norm && (norm->normed.rows != x.rows || norm->normed.cols != x.cols)) fail(VXD_ERR_INTERNAL, "gated_ffn norm shape mismatch");
  MultiArgs a = norm_args(norm);
  a.count = 1;
  const DevAct dout = dev(out), dx = dev(x);
  a.w[0] = dev(w1);
  a.w[1] = dev(w3);
  a.e[0] = Epilogue{nullptr, dout, false, dout};
  if (w1.dtype != w3.dtype || !dispatch(w1.dtype, dx, a, true, matmul_ctx_, false)) {
    Backend::gated_ffn(x, norm, w1, w3, up, out);
    return;
  }
  if (note(21, x, static_cast<const void*>(a.norm_w), static_cast<const void*>(a.norm_ada), a.eps, w1, w3, out)) return;
  ProfileScope prof(*this, profiling() ? std::string("gated_ffn w=") + dtype_name(w1.dtype) + " x=" + dtype_name(x.dtype) +
                                             " M=" + std::to_string(x.rows) + " n=" + std::to_string(w1.n) +
                                             " k=" + std::to_string(x.cols) + (has_norm ? " +norm" : "")
                                       : std::string());
  dispatch(w1.dtype, dx, a, true, matmul_ctx_, true);
  check_launch("gated_ffn");
}

}  // namespace vxd::cuda
