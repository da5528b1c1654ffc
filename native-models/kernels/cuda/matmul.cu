// y = x . W^T (+ bias) (+ residual) for fp32/bf16 activations and f32/bf16/q8/q4 weights.
//  - M <= 8 (streaming decoder M=1, encoder M=4): GEMV; warps stream weight rows with 16-byte
//    loads, dequantize in registers and serve all M activation rows (weights read once).
//  - 8 < M <= 256 (prefill): GEMV passes of 8 rows; M > 256 (long files): shared-memory tiled
//    GEMM, weights dequantized on load.
// Every output element is written by exactly one thread after its residual was read, so the
// residual may alias y.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cuda_backend.h"
#include "gemv.cuh"

namespace vxd::cuda {
namespace {

// The GEMV of the streaming shapes (M <= 8). x is staged once per block in shared memory as
// fp32; each warp streams RPW weight rows at once (gemv_rows in gemv.cuh: 16-byte loads,
// dequantized in registers, applied to all M rows of x). Blocks loop over row groups, so
// staging is paid once per resident block.
template <DType WT, int MR, int RPW>
__global__ void __launch_bounds__(kGemvWarps * 32) gemv_smem(DevAct x, DevWeight w, Epilogue e, bool prefetch) {
  constexpr int E = chunk_elems<WT>();
  constexpr bool kQuant = WT == DType::Q8 || WT == DType::Q4;
  extern __shared__ float4 smem4[];
  float* xs = reinterpret_cast<float*>(smem4);
  const int M = static_cast<int>(x.rows);
  const int chunks = static_cast<int>(w.k / E);
  const int warp = threadIdx.x >> 5;
  const int64_t first_row = (static_cast<int64_t>(blockIdx.x) * kGemvWarps + warp) * RPW;
  const int64_t row_step = static_cast<int64_t>(gridDim.x) * kGemvWarps * RPW;
  if (prefetch && first_row < w.n) {
    // The weights do not depend on the previous kernel: start pulling this warp's first rows
    // into L2 before waiting for it.
    const int64_t rows = w.n - first_row < RPW ? w.n - first_row : RPW;
    const int64_t gpr = kQuant ? w.k / w.group : 0;
    prefetch_rows_l2(static_cast<const char*>(w.data) + first_row * chunks * 16, rows * chunks * 16,
                     kQuant ? w.scales + first_row * gpr : nullptr, rows * gpr * 2);
  }
  pdl_wait();
  pdl_trigger();
  float unused_ss[MR] = {};
  stage_rows<WT, MR>(x, M, static_cast<int>(w.k), xs, unused_ss);
  __syncthreads();

  const RopeEpilogue plain{};  // rope.on = false: plain stores
  for (int64_t row0 = first_row; row0 < w.n; row0 += row_step) gemv_rows<WT, MR, RPW, false>(xs, M, w, w, e, row0, plain, 0);
}

// Any alignment and group size: one warp per weight row, up to 8 activation rows.
template <DType WT>
__global__ void __launch_bounds__(kGemvWarps * 32) gemv_generic(DevAct x, DevWeight w, Epilogue e, int64_t m0) {
  pdl_trigger();
  const int lane = threadIdx.x & 31;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kGemvWarps + (threadIdx.x >> 5);
  if (row >= w.n) return;
  const int M = static_cast<int>(x.rows - m0 < 8 ? x.rows - m0 : 8);
  float acc[8] = {};
  for (int64_t c = lane; c < w.k; c += 32) {
    const float wv = weight_at<WT>(w, row, c);
#pragma unroll
    for (int m = 0; m < 8; ++m)
      if (m < M) acc[m] = fmaf(wv, ld(x, m0 + m, c), acc[m]);
  }
#pragma unroll
  for (int m = 0; m < 8; ++m) acc[m] = warp_sum(acc[m]);
#pragma unroll
  for (int m = 0; m < 8; ++m)
    if (m < M && lane == m) store_out(e, m0 + m, row, acc[m]);
}

// 64x64 output tile per block of 256 threads (4x4 each), K in steps of 32.
constexpr int kTile = 64, kTileK = 32;

template <DType WT>
__global__ void __launch_bounds__(256) gemm_tiled(DevAct x, DevWeight w, Epilogue e) {
  pdl_trigger();
  __shared__ float xs[kTileK][kTile + 1];
  __shared__ float ws[kTileK][kTile + 1];
  const int64_t m0 = static_cast<int64_t>(blockIdx.y) * kTile, n0 = static_cast<int64_t>(blockIdx.x) * kTile;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[4][4] = {};
  for (int64_t k0 = 0; k0 < w.k; k0 += kTileK) {
    for (int i = threadIdx.x; i < kTile * kTileK; i += 256) {
      const int r = i / kTileK, kk = i % kTileK;
      const int64_t gk = k0 + kk;
      xs[kk][r] = (m0 + r < x.rows && gk < w.k) ? ld(x, m0 + r, gk) : 0.0f;
      ws[kk][r] = (n0 + r < w.n && gk < w.k) ? weight_at<WT>(w, n0 + r, gk) : 0.0f;
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kTileK; ++kk) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = xs[kk][ty * 4 + i], b[i] = ws[kk][tx * 4 + i];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int64_t m = m0 + ty * 4 + i, n = n0 + tx * 4 + j;
      if (m < x.rows && n < w.n) store_out(e, m, n, acc[i][j]);
    }
}

// With PDL (Hopper), the GEMV may start while the previous kernel still runs: it prefetches
// its weights, then waits for that kernel (griddepcontrol.wait) before reading x.
template <DType WT, int MR, int RPW>
void launch_gemv(const DevAct& x, const DevWeight& w, const Epilogue& e, const MatmulContext& ctx, unsigned grid, size_t smem) {
  launch_gemv_kernel(gemv_smem<WT, MR, RPW>, grid, kGemvWarps, smem, ctx, "launch gemv", x, w, e, ctx.pdl);
}

// No more blocks than can be resident at once: the blocks loop over row groups, and a partial
// second wave would double the kernel's time. The register limit per kernel is measured once
// when the backend starts (no driver queries while a step is being captured); the shared-memory
// limit depends on the call.
template <DType WT, int MR, int RPW>
struct GemvOccupancy {
  static int blocks_per_sm;  // as registers allow
};
template <DType WT, int MR, int RPW>
int GemvOccupancy<WT, MR, RPW>::blocks_per_sm = 1;

template <DType WT, int MR, int RPW>
void measure_occupancy() {
  int per_sm = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, gemv_smem<WT, MR, RPW>, kGemvWarps * 32, 0) != cudaSuccess) {
    (void)cudaGetLastError();
    per_sm = 1;  // only a performance hint
  }
  GemvOccupancy<WT, MR, RPW>::blocks_per_sm = std::max(1, per_sm);
}

template <DType WT, int MR, int RPW>
unsigned resident_grid(const DevWeight& w, const MatmulContext& ctx, size_t smem) {
  const int64_t by_smem = std::max<int64_t>(1, static_cast<int64_t>(ctx.smem_per_sm / (smem + 1024)));
  const int64_t per_sm = std::min<int64_t>(GemvOccupancy<WT, MR, RPW>::blocks_per_sm, by_smem);
  return static_cast<unsigned>(std::min<int64_t>(blocks_for(w.n, kGemvWarps * RPW), per_sm * ctx.sm_count));
}

template <DType WT, int MR, int RPW>
void launch_rows(const DevAct& x, const DevWeight& w, const Epilogue& e, const MatmulContext& ctx, size_t smem) {
  launch_gemv<WT, MR, RPW>(x, w, e, ctx, resident_grid<WT, MR, RPW>(w, ctx, smem), smem);
}

template <DType WT, int RPW>
void launch_smem(const DevAct& x, const DevWeight& w, const Epilogue& e, const MatmulContext& ctx, size_t smem) {
  if (x.rows == 1) launch_rows<WT, 1, RPW>(x, w, e, ctx, smem);
  else if (x.rows == 2) launch_rows<WT, 2, RPW>(x, w, e, ctx, smem);
  else if (x.rows <= 4) launch_rows<WT, 4, RPW>(x, w, e, ctx, smem);
  else launch_rows<WT, 8, RPW>(x, w, e, ctx, smem);
}

// Up to this many rows, a matmul runs as GEMV passes of 8 rows (weights re-read per pass but
// streamed at full bandwidth), which beats the simple tiled GEMM for prefill-sized batches.
constexpr int64_t kMaxGemvPassRows = 256;

template <DType WT>
void launch_matmul(const DevAct& x, const DevWeight& w, const Epilogue& e, const MatmulContext& ctx) {
  if constexpr (WT == DType::Q4) {
    MultiArgs one = {};
    one.count = 1, one.w[0] = w, one.e[0] = e;
    if (run_mma_q4(x, one, false, ctx, true)) return;
  }
  cudaStream_t s = ctx.stream;
  const bool fast = x.rows <= kMaxGemvPassRows && fast_path_ok<WT>(x, w) && w.k < (1LL << 30);
  const size_t smem = fast ? gemv_smem_bytes<WT>(std::min<int64_t>(x.rows, 8), w.k) : 0;
  if (fast && smem <= ctx.smem_limit) {
    for (int64_t m0 = 0; m0 < x.rows; m0 += 8) {
      const int64_t n_rows = std::min<int64_t>(8, x.rows - m0);
      const DevAct xp = rows_of(x, m0, n_rows);
      const Epilogue ep{e.bias, rows_of(e.residual, m0, n_rows), e.has_residual, rows_of(e.y, m0, n_rows)};
      const size_t sm = gemv_smem_bytes<WT>(n_rows, w.k);
      // Four rows per warp when there are enough rows to fill the GPU that way.
      if (blocks_for(w.n, kGemvWarps * 4) >= static_cast<unsigned>(ctx.sm_count)) launch_smem<WT, 4>(xp, w, ep, ctx, sm);
      else launch_smem<WT, 1>(xp, w, ep, ctx, sm);
    }
  } else if (x.rows <= 8) {
    gemv_generic<WT><<<blocks_for(w.n, kGemvWarps), kGemvWarps * 32, 0, s>>>(x, w, e, 0);
  } else {
    const dim3 grid(blocks_for(w.n, kTile), blocks_for(x.rows, kTile));
    gemm_tiled<WT><<<grid, 256, 0, s>>>(x, w, e);
  }
}

template <DType WT, int RPW>
void allow_smem_rpw(int bytes) {
  measure_occupancy<WT, 1, RPW>();
  measure_occupancy<WT, 2, RPW>();
  measure_occupancy<WT, 4, RPW>();
  measure_occupancy<WT, 8, RPW>();
  check(cudaFuncSetAttribute(gemv_smem<WT, 1, RPW>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "gemv smem limit");
  check(cudaFuncSetAttribute(gemv_smem<WT, 2, RPW>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "gemv smem limit");
  check(cudaFuncSetAttribute(gemv_smem<WT, 4, RPW>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "gemv smem limit");
  check(cudaFuncSetAttribute(gemv_smem<WT, 8, RPW>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "gemv smem limit");
}

template <DType WT>
void allow_smem(size_t bytes) {
  allow_smem_rpw<WT, 1>(static_cast<int>(bytes));
  allow_smem_rpw<WT, 4>(static_cast<int>(bytes));
}

}  // namespace

MatmulContext configure_matmul(cudaStream_t stream, int device) {
  MatmulContext ctx;
  ctx.stream = stream;
  int optin = 0, per_sm = 0;
  check(cudaDeviceGetAttribute(&ctx.sm_count, cudaDevAttrMultiProcessorCount, device), "device attribute");
  check(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device), "device attribute");
  check(cudaDeviceGetAttribute(&per_sm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, device), "device attribute");
  ctx.smem_per_sm = static_cast<size_t>(per_sm);
  ctx.smem_limit = std::min<size_t>(static_cast<size_t>(optin), 160 * 1024);
  int major = 0;
  check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "device attribute");
  const char* pdl = std::getenv("VXD_CUDA_PDL");
  // Programmatic dependent launch: by default for the tensor-core GEMVs only, which stage their
  // scales before waiting (v11 A/B: all GEMVs with it, 3.82 against 3.97 ms at 4w, but bf16, whose
  // fp32 GEMVs wait at once, 0.09 ms slower); VXD_CUDA_PDL=1: every GEMV, =0: none.
  ctx.pdl = major >= 9 && pdl && std::strcmp(pdl, "1") == 0;
  ctx.pdl_mma = major >= 9 && switch_on("VXD_CUDA_PDL");
  ctx.gated_six = switch_on("VXD_CUDA_GATED6");
  // On by default (v9, docs/cuda-notes.md); VXD_CUDA_MMA=0 keeps q4 x bf16 on the fp32 GEMVs.
  ctx.mma = major >= 8 && switch_on("VXD_CUDA_MMA");
  // v19 (A/B on one H100: 2.93 against 3.05 ms per 4w step at 2000); VXD_CUDA_ROUND8=0: v18's 4 chunks.
  ctx.round8 = switch_on("VXD_CUDA_ROUND8");
  // v23 (A/B: 2.75 against 2.97 ms); VXD_CUDA_TILED=0 keeps q4 weights in the file's layout.
  ctx.tiled = ctx.mma && switch_on("VXD_CUDA_TILED");
  // v30; VXD_CUDA_ROPE_EARLY=0 computes the q/k/v epilogue's RoPE angles after the wait, as before.
  ctx.rope_early = switch_on("VXD_CUDA_ROPE_EARLY");
  allow_smem<DType::F32>(ctx.smem_limit);
  allow_smem<DType::BF16>(ctx.smem_limit);
  allow_smem<DType::Q8>(ctx.smem_limit);
  allow_smem<DType::Q4>(ctx.smem_limit);
  configure_gemv_multi(ctx);
  configure_gemv_mma(ctx);
  return ctx;
}

void CudaBackend::matmul(const Act& x, const Weight& w, const float* bias, const Act* residual, Act& y) {
  if (note(1, x, w, static_cast<const void*>(bias), residual, y)) return;
  ProfileScope prof(*this, profiling() ? std::string("matmul w=") + dtype_name(w.dtype) + " x=" + dtype_name(x.dtype) + " M=" + std::to_string(x.rows) +
                              " n=" + std::to_string(w.n) + " k=" + std::to_string(w.k) : std::string());
  if (x.cols != w.k || y.cols != w.n || y.rows != x.rows || (residual && (residual->rows != y.rows || residual->cols != y.cols)))
    fail(VXD_ERR_INTERNAL, "matmul shape mismatch");
  if (x.rows == 0) return;
  if (x.rows > 65535LL * kTile) fail(VXD_ERR_INTERNAL, "matmul with too many rows");
  const DevAct dx = dev(x), dy = dev(y);
  const Epilogue e{bias, residual ? dev(*residual) : dy, residual != nullptr, dy};
  const DevWeight dw = dev(w);
  switch (w.dtype) {
    case DType::F32: launch_matmul<DType::F32>(dx, dw, e, matmul_ctx_); break;
    case DType::BF16: launch_matmul<DType::BF16>(dx, dw, e, matmul_ctx_); break;
    case DType::Q8: launch_matmul<DType::Q8>(dx, dw, e, matmul_ctx_); break;
    case DType::Q4: launch_matmul<DType::Q4>(dx, dw, e, matmul_ctx_); break;
    default: fail(VXD_ERR_INTERNAL, "bad weight dtype");
  }
  check_launch("matmul");
}

}  // namespace vxd::cuda
