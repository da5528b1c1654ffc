// How fast one persistent block per SM can stream weight tiles into shared memory (GPU machine;
// sm_90: the bulk-copy variant needs it). The persistent layer kernel (kernels/cuda/ffn_block.cu)
// streams 16-row q4 tiles this way; its first run read ~1.25 TB/s where a device copy reads 3.
// Each variant streams the same 64 MB of contiguous tiles (block b: tiles b, b + G, ...), keeping
// at most `depth` bytes in flight per block, and touches every landed tile once:
//   cp.async  16-byte LDGSTS by all 512 threads, one commit group per tile (as ffn_block.cu)
//   bulk      one cp.async.bulk (TMA) copy per tile by one thread, completing on an mbarrier
//   loads     plain 16-byte loads into registers, `depth` bytes per block per round
//   stream_probe [tile_kb]        prints GB/s per variant and depth
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kThreads = 512;
constexpr int kMaxBars = 32;

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(s), "l"(gmem) : "memory");
}

__device__ __forceinline__ unsigned touch(const uint4* t, int units) {
  unsigned v = 0;
  for (int i = threadIdx.x; i < units; i += kThreads) v ^= t[i].x;
  return v;
}

// Ring of `slots` tile slots (depth = slots * tile bytes).
__global__ void __launch_bounds__(kThreads, 1) stream_cp_async(const uint4* src, int tiles, int tile_units, int slots, unsigned* sink) {
  extern __shared__ uint4 ring[];
  const int G = gridDim.x;
  int issued = 0;
  unsigned acc = 0;
  const int mine = (tiles - static_cast<int>(blockIdx.x) + G - 1) / G;
  auto issue = [&](int j) {
    const uint4* s = src + static_cast<size_t>(blockIdx.x + j * G) * tile_units;
    uint4* d = ring + (j % slots) * tile_units;
    for (int i = threadIdx.x; i < tile_units; i += kThreads) cp_async16(d + i, s + i);
    asm volatile("cp.async.commit_group;" ::: "memory");
  };
  for (; issued < slots && issued < mine; ++issued) issue(issued);
  for (int j = 0; j < mine; ++j) {
    // Pending groups after tile j: issued - j - 1; wait for tile j (clamped: stricter).
    const int n = issued - j - 1;
    if (n <= 0) asm volatile("cp.async.wait_group 0;" ::: "memory");
    else if (n == 1) asm volatile("cp.async.wait_group 1;" ::: "memory");
    else if (n == 2) asm volatile("cp.async.wait_group 2;" ::: "memory");
    else asm volatile("cp.async.wait_group 3;" ::: "memory");
    __syncthreads();
    acc ^= touch(ring + (j % slots) * tile_units, tile_units);
    __syncthreads();
    if (issued < mine) issue(issued++);
  }
  if (acc == 0x12345678u) *sink = acc;
}

__global__ void __launch_bounds__(kThreads, 1) stream_bulk(const uint4* src, int tiles, int tile_units, int slots, unsigned* sink) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  extern __shared__ uint4 ring[];
  __shared__ __align__(8) unsigned long long bars[kMaxBars];
  const int G = gridDim.x;
  const int mine = (tiles - static_cast<int>(blockIdx.x) + G - 1) / G;
  const unsigned bytes = static_cast<unsigned>(tile_units) * 16;
  if (threadIdx.x < slots) {
    const unsigned b = static_cast<unsigned>(__cvta_generic_to_shared(&bars[threadIdx.x]));
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(b));
  }
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  __syncthreads();
  auto issue = [&](int j) {
    const unsigned b = static_cast<unsigned>(__cvta_generic_to_shared(&bars[j % slots]));
    const unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(ring + (j % slots) * tile_units));
    const uint4* s = src + static_cast<size_t>(blockIdx.x + j * G) * tile_units;
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(b), "r"(bytes) : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(d), "l"(s), "r"(bytes), "r"(b)
                 : "memory");
  };
  int issued = 0;
  unsigned acc = 0;
  if (threadIdx.x == 0)
    for (int j = 0; j < slots && j < mine; ++j) issue(j);
  issued = slots < mine ? slots : mine;
  for (int j = 0; j < mine; ++j) {
    const unsigned b = static_cast<unsigned>(__cvta_generic_to_shared(&bars[j % slots]));
    const unsigned parity = (j / slots) & 1;
    unsigned done = 0;
    while (!done)
      asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
                   : "=r"(done) : "r"(b), "r"(parity) : "memory");
    acc ^= touch(ring + (j % slots) * tile_units, tile_units);
    __syncthreads();
    if (issued < mine) {
      if (threadIdx.x == 0) issue(issued);
      ++issued;
    }
  }
  if (acc == 0x12345678u) *sink = acc;
#endif
}

// Register loads: `batch` 16-byte loads per thread in flight (batch * 8 KB per block).
template <int BATCH>
__global__ void __launch_bounds__(kThreads, 1) stream_loads(const uint4* src, int tiles, int tile_units, unsigned* sink) {
  const int G = gridDim.x;
  unsigned acc = 0;
  for (int t = blockIdx.x; t < tiles; t += G) {
    const uint4* s = src + static_cast<size_t>(t) * tile_units;
    for (int i0 = threadIdx.x; i0 < tile_units; i0 += BATCH * kThreads) {
      uint4 v[BATCH];
#pragma unroll
      for (int b = 0; b < BATCH; ++b) {
        const int i = i0 + b * kThreads;
        v[b] = i < tile_units ? __ldg(s + i) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int b = 0; b < BATCH; ++b) acc ^= v[b].x;
    }
  }
  if (acc == 0x12345678u) *sink = acc;
}

template <typename F>
double time_ms(F launch) {
  cudaEvent_t a, b;
  cudaEventCreate(&a), cudaEventCreate(&b);
  launch();
  cudaEventRecord(a);
  for (int i = 0; i < 10; ++i) launch();
  cudaEventRecord(b);
  cudaEventSynchronize(b);
  float ms = 0;
  cudaEventElapsedTime(&ms, a, b);
  cudaEventDestroy(a), cudaEventDestroy(b);
  return ms / 10;
}

}  // namespace

int main(int argc, char** argv) {
  const int tile_kb = argc > 1 ? std::atoi(argv[1]) : 48;
  int sms = 0, optin = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0);
  const size_t total = 64ull << 20;
  const int tile_units = tile_kb * 1024 / 16, tiles = static_cast<int>(total / (tile_units * 16ull));
  uint4 *src = nullptr, *dst = nullptr;
  unsigned* sink = nullptr;
  cudaMalloc(&src, total), cudaMalloc(&dst, total), cudaMalloc(&sink, 4);
  cudaMemset(src, 1, total);
  const double bytes = static_cast<double>(tiles) * tile_units * 16;
  const double copy = time_ms([&] { cudaMemcpyAsync(dst, src, total, cudaMemcpyDeviceToDevice); });
  std::printf("%d SMs, tile %d KB, %d tiles; device copy of 64 MB: %.0f GB/s read+write\n", sms, tile_kb, tiles, 2 * total / copy / 1e6);
  for (int slots = 1; slots <= 4; ++slots) {
    const size_t smem = static_cast<size_t>(slots) * tile_units * 16;
    if (smem > static_cast<size_t>(optin) - 1024) break;
    cudaFuncSetAttribute(stream_cp_async, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
    cudaFuncSetAttribute(stream_bulk, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
    const double a = time_ms([&] { stream_cp_async<<<sms, kThreads, smem>>>(src, tiles, tile_units, slots, sink); });
    const double b = time_ms([&] { stream_bulk<<<sms, kThreads, smem>>>(src, tiles, tile_units, slots, sink); });
    std::printf("depth %3zu KB: cp.async %5.0f GB/s, bulk %5.0f GB/s  (%s)\n", smem >> 10, bytes / a / 1e6, bytes / b / 1e6,
                cudaGetErrorString(cudaGetLastError()));
  }
  const double l4 = time_ms([&] { stream_loads<4><<<sms, kThreads>>>(src, tiles, tile_units, sink); });
  const double l8 = time_ms([&] { stream_loads<8><<<sms, kThreads>>>(src, tiles, tile_units, sink); });
  const double l16 = time_ms([&] { stream_loads<16><<<sms, kThreads>>>(src, tiles, tile_units, sink); });
  std::printf("register loads in flight 32 / 64 / 128 KB per block: %.0f / %.0f / %.0f GB/s (%s)\n", bytes / l4 / 1e6, bytes / l8 / 1e6,
              bytes / l16 / 1e6, cudaGetErrorString(cudaGetLastError()));
  return 0;
}
