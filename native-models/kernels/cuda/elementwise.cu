// Element-wise ops, im2col for the causal conv stem, embedding lookup and argmax on the device.
#include <algorithm>
#include <climits>

#include "common.cuh"
#include "cuda_backend.h"
#include "weights.cuh"

namespace vxd::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxOverlapCols = 8 * 1024;  // overlapping copies keep one row in registers

__global__ void im2col_kernel(DevAct x, int kernel, int stride, DevAct cols) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= cols.rows * cols.cols) return;
  const int64_t j = t / cols.cols, col = t % cols.cols;
  const int64_t c = col / kernel, k = col % kernel;
  st(cols, j, col, ld(x, j * stride + k, c));
}

__global__ void copy_kernel(DevAct src, DevAct dst) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= src.rows * src.cols) return;
  const int64_t r = t / src.cols, c = t % src.cols;
  st(dst, r, c, ld(src, r, c));
}

// Overlapping source and destination (the conv carry shifts rows towards the start): one block
// moves one whole row at a time, in the order that never overwrites a row still to be read.
__global__ void copy_overlap_kernel(DevAct src, DevAct dst, bool forward) {
  pdl_trigger();
  constexpr int kPer = kMaxOverlapCols / 1024;
  for (int64_t i = 0; i < src.rows; ++i) {
    const int64_t r = forward ? i : src.rows - 1 - i;
    float v[kPer];
#pragma unroll
    for (int e = 0; e < kPer; ++e) {
      const int64_t c = threadIdx.x + static_cast<int64_t>(e) * blockDim.x;
      v[e] = c < src.cols ? ld(src, r, c) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int e = 0; e < kPer; ++e) {
      const int64_t c = threadIdx.x + static_cast<int64_t>(e) * blockDim.x;
      if (c < src.cols) st(dst, r, c, v[e]);
    }
    __syncthreads();
  }
}

__global__ void gelu_kernel(DevAct x) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= x.rows * x.cols) return;
  const int64_t r = t / x.cols, c = t % x.cols;
  const float v = ld(x, r, c);
  st(x, r, c, 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)));
}

__global__ void silu_mul_kernel(DevAct gate, DevAct up, DevAct out) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= gate.rows * gate.cols) return;
  const int64_t r = t / gate.cols, c = t % gate.cols;
  const float g = ld(gate, r, c);
  st(out, r, c, g / (1.0f + expf(-g)) * ld(up, r, c));
}

template <DType WT>
__global__ void embed_kernel(DevWeight table, const int32_t* ids, DevAct add, bool has_add, DevAct out) {
  pdl_trigger();
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= out.rows * out.cols) return;
  const int64_t r = t / out.cols, c = t % out.cols;
  const int32_t id = ids[r];
  float v = (id >= 0 && id < table.n) ? weight_at<WT>(table, id, c) : 0.0f;  // bad ids give a zero row
  if (has_add) v += ld(add, r, c);
  st(out, r, c, v);
}

// (v, i) beats (bv, bi): larger, or equal and earlier; NaN never wins.
__device__ __forceinline__ void keep_better(float& bv, int64_t& bi, float v, int64_t i) {
  if (v > bv || (v == bv && i < bi)) bv = v, bi = i;
}

// The block's best (v, i) into thread 0's (blockDim a multiple of 32).
__device__ __forceinline__ void block_best(float& best, int64_t& best_i) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, best, o);
    const int64_t oi = __shfl_xor_sync(0xffffffffu, best_i, o);
    keep_better(best, best_i, ov, oi);
  }
  __shared__ float sv[32];
  __shared__ int64_t si[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) sv[warp] = best, si[warp] = best_i;
  __syncthreads();
  if (threadIdx.x == 0)
    for (int w = 1; w < static_cast<int>(blockDim.x >> 5); ++w) keep_better(best, best_i, sv[w], si[w]);
}

// First maximum of row 0; NaN never wins. v27: kArgmaxBlocks blocks each take a contiguous share
// (one batch of loads per thread for the LM head's 131072 logits; one 1024-thread block took 21 µs
// of serial rounds), and the last block to finish (atomicInc, which wraps the ticket back to 0 for
// the next launch and replay) reduces the partials in block order.
__global__ void __launch_bounds__(kArgmaxThreads) argmax_kernel(DevAct x, ArgmaxScratch* s, int32_t* out_id) {
  pdl_trigger();
  float best = -INFINITY;
  int64_t best_i = LLONG_MAX;
  const int64_t per = (x.cols + gridDim.x - 1) / gridDim.x;
  const int64_t lo = static_cast<int64_t>(blockIdx.x) * per, hi = lo + per < x.cols ? lo + per : x.cols;
  // Eight loads in flight per thread before the compares.
  constexpr int kBatch = 8;
  const int64_t stride = blockDim.x;
  for (int64_t i0 = lo + threadIdx.x; i0 < hi; i0 += kBatch * stride) {
    uint32_t raw[kBatch];
#pragma unroll
    for (int b = 0; b < kBatch; ++b) raw[b] = i0 + b * stride < hi ? load_bits(x, i0 + b * stride) : 0u;
    float v[kBatch];
#pragma unroll
    for (int b = 0; b < kBatch; ++b) v[b] = bits_to_f32(x, raw[b]);
#pragma unroll
    for (int b = 0; b < kBatch; ++b)
      if (i0 + b * stride < hi) keep_better(best, best_i, v[b], i0 + b * stride);
  }
  block_best(best, best_i);
  __shared__ bool last;
  if (threadIdx.x == 0) {
    s->v[blockIdx.x] = best, s->i[blockIdx.x] = best_i;
    __threadfence();  // the partial is visible before the ticket says so
    last = atomicInc(&s->ticket, gridDim.x - 1) == gridDim.x - 1;
  }
  __syncthreads();
  if (!last) return;
  __threadfence();
  best = -INFINITY, best_i = LLONG_MAX;
  for (int b = threadIdx.x; b < static_cast<int>(gridDim.x); b += blockDim.x)
    keep_better(best, best_i, __ldcg(&s->v[b]), __ldcg(reinterpret_cast<const long long*>(&s->i[b])));
  block_best(best, best_i);
  if (threadIdx.x == 0) *out_id = best_i == LLONG_MAX ? 0 : static_cast<int32_t>(best_i);
}

bool overlaps(const Act& a, const Act& b) {
  auto span = [](const Act& x) {
    const size_t elem = x.dtype == DType::BF16 ? 2 : 4;
    const char* lo = static_cast<const char*>(x.data);
    return std::make_pair(lo, lo + static_cast<size_t>((x.rows - 1) * x.stride + x.cols) * elem);
  };
  const auto sa = span(a), sb = span(b);
  return sa.first < sb.second && sb.first < sa.second;
}

}  // namespace

void CudaBackend::im2col(const Act& x, int kernel, int stride, Act& cols) {
  if (note(6, x, kernel, stride, cols)) return;
  ProfileScope prof(*this, profiling() ? "im2col " + std::to_string(cols.rows) + "x" + std::to_string(cols.cols) : std::string());
  const int64_t c_in = x.cols;
  if (kernel <= 0 || stride <= 0 || cols.cols != c_in * kernel || (cols.rows > 0 && (cols.rows - 1) * stride + kernel > x.rows))
    fail(VXD_ERR_INTERNAL, "im2col shape mismatch");
  if (cols.rows == 0) return;
  im2col_kernel<<<blocks_for(cols.rows * cols.cols, kThreads), kThreads, 0, stream_>>>(dev(x), kernel, stride, dev(cols));
  check_launch("im2col");
}

void CudaBackend::copy(const Act& src, Act& dst) {
  if (note(7, src, dst)) return;
  ProfileScope prof(*this, profiling() ? "copy " + std::to_string(src.rows) + "x" + std::to_string(src.cols) : std::string());
  if (src.rows != dst.rows || src.cols != dst.cols) fail(VXD_ERR_INTERNAL, "copy shape mismatch");
  if (src.rows == 0 || src.cols == 0) return;
  if (overlaps(src, dst)) {
    if (src.cols > kMaxOverlapCols) fail(VXD_ERR_INTERNAL, "overlapping copy with too many columns");
    const bool forward = dst.data <= src.data;
    copy_overlap_kernel<<<1, 1024, 0, stream_>>>(dev(src), dev(dst), forward);
  } else {
    copy_kernel<<<blocks_for(src.rows * src.cols, kThreads), kThreads, 0, stream_>>>(dev(src), dev(dst));
  }
  check_launch("copy");
}

void CudaBackend::gelu(Act& x) {
  if (note(8, x)) return;
  ProfileScope prof(*this, profiling() ? "gelu " + std::to_string(x.rows) + "x" + std::to_string(x.cols) : std::string());
  if (x.rows == 0 || x.cols == 0) return;
  gelu_kernel<<<blocks_for(x.rows * x.cols, kThreads), kThreads, 0, stream_>>>(dev(x));
  check_launch("gelu");
}

void CudaBackend::silu_mul(const Act& gate, const Act& up, Act& out) {
  if (note(9, gate, up, out)) return;
  ProfileScope prof(*this, profiling() ? "silu_mul " + std::to_string(gate.rows) + "x" + std::to_string(gate.cols) : std::string());
  if (gate.rows != up.rows || gate.cols != up.cols || out.rows != gate.rows || out.cols != gate.cols)
    fail(VXD_ERR_INTERNAL, "silu_mul shape mismatch");
  if (gate.rows == 0 || gate.cols == 0) return;
  silu_mul_kernel<<<blocks_for(gate.rows * gate.cols, kThreads), kThreads, 0, stream_>>>(dev(gate), dev(up), dev(out));
  check_launch("silu_mul");
}

void CudaBackend::embed(const Weight& table, const int32_t* ids, const Act* add, Act& out) {
  if (note(10, table, static_cast<const void*>(ids), add, out)) return;
  ProfileScope prof(*this, profiling() ? "embed " + std::to_string(out.rows) + "x" + std::to_string(out.cols) : std::string());
  if (out.cols != table.k || (add && (add->rows != out.rows || add->cols != out.cols))) fail(VXD_ERR_INTERNAL, "embed shape mismatch");
  if (out.rows == 0) return;
  const DevAct d_out = dev(out), d_add = add ? dev(*add) : d_out;
  const unsigned grid = blocks_for(out.rows * out.cols, kThreads);
  const DevWeight t = dev(table);
  switch (table.dtype) {
    case DType::F32: embed_kernel<DType::F32><<<grid, kThreads, 0, stream_>>>(t, ids, d_add, add != nullptr, d_out); break;
    case DType::BF16: embed_kernel<DType::BF16><<<grid, kThreads, 0, stream_>>>(t, ids, d_add, add != nullptr, d_out); break;
    case DType::Q8: embed_kernel<DType::Q8><<<grid, kThreads, 0, stream_>>>(t, ids, d_add, add != nullptr, d_out); break;
    case DType::Q4: embed_kernel<DType::Q4><<<grid, kThreads, 0, stream_>>>(t, ids, d_add, add != nullptr, d_out); break;
    default: fail(VXD_ERR_INTERNAL, "bad embedding dtype");
  }
  check_launch("embed");
}

void CudaBackend::argmax(const Act& x, int32_t* out_id) {
  if (note(11, x, static_cast<const void*>(out_id))) return;
  ProfileScope prof(*this, profiling() ? "argmax " + std::to_string(x.rows) + "x" + std::to_string(x.cols) : std::string());
  if (x.rows < 1 || x.cols < 1) fail(VXD_ERR_INTERNAL, "argmax of an empty row");
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(kArgmaxBlocks, (x.cols + kArgmaxThreads - 1) / kArgmaxThreads));
  argmax_kernel<<<blocks, kArgmaxThreads, 0, stream_>>>(dev(x), d_argmax_, out_id);
  check_launch("argmax");
}

}  // namespace vxd::cuda
