// Shared CUDA helpers: error checks that become vxd::Error, activation loads/stores in fp32 math,
// fp16/bf16 conversions and warp reductions. Every kernel computes in fp32 like the CPU backend.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <utility>

#include "../../src/backend.h"
#include "../../src/error.h"

namespace vxd::cuda {

// Throws vxd::Error naming the failed call; allocation failures map to kOutOfMemory.
inline void check(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  (void)cudaGetLastError();  // clear the sticky-free error so later calls are not poisoned
  const vxd_status status = err == cudaErrorMemoryAllocation ? VXD_ERR_OUT_OF_MEMORY : VXD_ERR_INTERNAL;
  fail(status, std::string("CUDA ") + what + ": " + cudaGetErrorString(err));
}

// After every launch: a bad configuration is reported at the op that caused it.
inline void check_launch(const char* op) { check(cudaGetLastError(), op); }

inline unsigned blocks_for(int64_t n, int threads) { return static_cast<unsigned>((n + threads - 1) / threads); }

// The KV ring's slot of position p (attention, and the q/k/v epilogue's ring write).
__device__ __forceinline__ int64_t ring_slot(int64_t p, int64_t ring) { return ((p % ring) + ring) % ring; }

// ---- device-side element access ----

__device__ __forceinline__ float bf16_bits_to_f32(uint16_t h) { return __uint_as_float(static_cast<uint32_t>(h) << 16); }
__device__ __forceinline__ uint16_t f32_to_bf16_bits(float f) {
  return __bfloat16_as_ushort(__float2bfloat16_rn(f));  // nearest-even, same as the CPU backend
}
__device__ __forceinline__ float f16_bits_to_f32(uint16_t h) { return __half2float(__ushort_as_half(h)); }

// An activation matrix as the kernels see it (plain value type, passed by value).
struct DevAct {
  void* data;
  int64_t rows, cols, stride;
  bool bf16;
};

inline DevAct dev(const Act& a) {
  if (a.dtype != DType::F32 && a.dtype != DType::BF16) fail(VXD_ERR_INTERNAL, "activation must be fp32 or bf16");
  return DevAct{a.data, a.rows, a.cols, a.stride, a.dtype == DType::BF16};
}

__device__ __forceinline__ float ld(const DevAct& a, int64_t r, int64_t c) {
  const int64_t i = r * a.stride + c;
  return a.bf16 ? bf16_bits_to_f32(static_cast<const uint16_t*>(a.data)[i]) : static_cast<const float*>(a.data)[i];
}
__device__ __forceinline__ void st(const DevAct& a, int64_t r, int64_t c, float v) {
  const int64_t i = r * a.stride + c;
  if (a.bf16) static_cast<uint16_t*>(a.data)[i] = f32_to_bf16_bits(v);
  else static_cast<float*>(a.data)[i] = v;
}

// Element i (flat index) of an activation as raw bits (bf16 in the low half, or fp32), and those bits as fp32:
// split so a kernel can issue a batch of loads before converting any of them.
__device__ __forceinline__ uint32_t load_bits(const DevAct& a, int64_t i) {
  return a.bf16 ? static_cast<uint32_t>(static_cast<const uint16_t*>(a.data)[i]) : static_cast<const uint32_t*>(a.data)[i];
}
__device__ __forceinline__ float bits_to_f32(const DevAct& a, uint32_t bits) { return __uint_as_float(a.bf16 ? bits << 16 : bits); }

// Programmatic dependent launch (Hopper): every kernel lets the next one launch early; a kernel
// launched with the PDL attribute (the GEMV) does its independent prologue (pulling its weights
// into L2), then waits here until its predecessor has finished and its writes are visible.
__device__ __forceinline__ void pdl_trigger() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}
__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// Launches `kernel` on `stream` in thread block clusters of `cluster` blocks (9.0+; 1 x 1 x 1:
// none), as a programmatic dependent launch when `pdl` is set (the kernel must then call
// pdl_wait() before it reads its predecessor's output or writes anything).
template <typename... Params, typename... Args>
cudaError_t launch_kernel_clustered(void (*kernel)(Params...), dim3 grid, dim3 block, dim3 cluster, size_t smem, cudaStream_t stream,
                                    bool pdl, Args&&... args) {
  cudaLaunchConfig_t cfg = {};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = stream;
  cudaLaunchAttribute attr[2];
  unsigned n = 0;
  if (pdl) {
    attr[n].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr[n++].val.programmaticStreamSerializationAllowed = 1;
  }
  if (cluster.x * cluster.y * cluster.z > 1) {
    attr[n].id = cudaLaunchAttributeClusterDimension;
    attr[n].val.clusterDim.x = cluster.x, attr[n].val.clusterDim.y = cluster.y, attr[n++].val.clusterDim.z = cluster.z;
  }
  cfg.attrs = attr;
  cfg.numAttrs = n;
  return cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...);
}
template <typename... Params, typename... Args>
cudaError_t launch_kernel(void (*kernel)(Params...), dim3 grid, dim3 block, size_t smem, cudaStream_t stream, bool pdl, Args&&... args) {
  return launch_kernel_clustered(kernel, grid, block, dim3(1, 1, 1), smem, stream, pdl, std::forward<Args>(args)...);
}

// v51: a 16-byte read-only load that leaves no line in L1: the step reads each weight once, so
// its lines would only displace what L1 can keep (-0.015 to -0.02 ms per 4w step at positions
// 100 and 2000 on one H100, three calls).
__device__ __forceinline__ uint4 ldg_stream(const uint4* p) {
  uint4 v;
  asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over a block of blockDim.x threads (multiple of 32, <= 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
  __shared__ float partial[32];
  v = warp_sum(v);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();  // partial may still be read by a previous call
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int n_warps = blockDim.x >> 5;
  float t = lane < n_warps ? partial[lane] : 0.0f;
  return warp_sum(t);
}

// Maximum over a block, like block_sum.
__device__ __forceinline__ float block_max(float v) {
  __shared__ float partial[32];
  v = warp_max(v);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int n_warps = blockDim.x >> 5;
  float t = lane < n_warps ? partial[lane] : -INFINITY;
  return warp_max(t);
}

// Tensor-core bf16 MMA (8.0+), fp32 accumulate: d = A B with A = 16 x 16 (a0..a3, row-major
// fragments) and B = 16 x 8 (b0, b1, column-major); C is zero (HMMA reads RZ).
__device__ __forceinline__ void mma_bf16(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%10,%10,%10};"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(0.0f));
}
// d += A B.
__device__ __forceinline__ void mma_bf16_acc(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

}  // namespace vxd::cuda
