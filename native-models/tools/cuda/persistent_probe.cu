// What one persistent kernel per step could give the encoder (GPU machine, sm_90): the question
// docs/cuda-notes.md ("What would close the gap (after v54)") leaves open before anyone rewrites
// the step. It runs the encoder's four GEMVs per layer (q/k/v 6144x1280, wo 1280x2048, w1/w3
// 10240x1280, w2 1280x5120; M = 4 rows of x, q4 weights with fp16 scales per 32 columns, random)
// for 32 layers, in the shape a persistent step kernel would have: one 16-warp block per SM for
// the whole chain, a grid barrier (counter) between phases, each block's weights of phase p + 1
// copied into shared memory (cp.async) while it waits at the barrier ending phase p, x staged
// from L2 after the barrier, each warp owning whole (16 rows x k-slice) units on the tensor cores
// and adding its sums into the output with atomics. Modes, each timed over captured launches:
//   persist        the above
//   persist-nopf   the same without the prefetch (a phase's weights requested after its barrier)
//   persist-late   the prefetch of phase p + 1 issued after phase p's x is staged
//   persist-resident  no weight loads after the first phase: the MMAs read whatever is in
//                  shared memory (what the work costs once the weights are there)
//   persist-empty  barriers, zeroing and x staging only (no weights, no MMAs)
//   barriers       barriers and zeroing only
//   kernels        the same phases, one launch per phase (no PDL), captured in one graph
//   kernels-empty  those launches with no work
//   ...+pairs      blocks meet in pairs (cluster barrier), one arrival per pair on the counter
//   ...+xbf16      x staged from bf16 (half the bytes; timing only, values not the previous phase's)
//   ...+both       both
// and a trace (%globaltimer at each block's barrier pass) gives µs per phase by kind.
// Not the engine's kernels: attention, norms, RoPE, biases and the residual are left out; the
// engine's own per-kernel times at the same shapes are in docs/cuda-notes.md's v54 trace.
//   persistent_probe [layers]
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kThreads = 512, kWarps = kThreads / 32;
constexpr int kRows = 4;  // x rows (the encoder's frames per step)
constexpr int kMaxPhases = 512;
constexpr int kKinds = 4;
constexpr int kOptCluster = 1, kOptXbf16 = 2;
const char* const kKindNames[kKinds] = {"q/k/v 6144x1280", "wo 1280x2048", "w1/w3 10240x1280", "w2 1280x5120"};

// One GEMV phase: n output rows, k columns, in units of 16 rows x ku columns (ku * 9 bytes each:
// ku / 32 chunks of 256 bytes of codes, lane-ordered, then 16 x ku / 32 fp16 scales).
struct Phase {
  int n, k, ku, units;
  long long w_off;
};
__constant__ Phase c_ph[kMaxPhases];

#define CHECK(x)                                                                           \
  do {                                                                                     \
    cudaError_t e_ = (x);                                                                  \
    if (e_ != cudaSuccess) {                                                               \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                        \
    }                                                                                      \
  } while (0)

__host__ __device__ inline int x_ld(int k) { return (k / 32) % 2 ? k : k + 32; }
__host__ __device__ inline size_t unit_bytes(int ku) { return static_cast<size_t>(ku) * 9; }

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(s), "l"(gmem) : "memory");
}
__device__ __forceinline__ unsigned long long globaltimer() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
__device__ __forceinline__ unsigned ld_acquire(const unsigned* p) {
  unsigned v;
  asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
  return v;
}

// Columns (s, s + 4) of a word of 8 codes as the bf16 pair (code - 8), as gemv_mma.cu does.
__device__ __forceinline__ uint32_t q4_pair(uint32_t w, int s) {
  uint32_t biased, out;
  asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(biased) : "r"(w >> (4 * s)), "r"(0x000F000Fu), "r"(0x43004300u));
  asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(out) : "r"(biased), "r"(0x3F803F80u), "r"(0xC308C308u));
  return out;
}
__device__ __forceinline__ void mma(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0, uint32_t b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
  const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&h);
}

// Phases [p0, p1) of `total`. bufs rotate: phase p reads buf p % 3, adds into buf (p + 1) % 3
// (zeroed during phase p - 1) and zeroes buf (p + 2) % 3 for the next phase.
__global__ void __launch_bounds__(kThreads, 1)
    probe(const uint8_t* __restrict__ w, float* b0, float* b1, float* b2, int nmax, int p0, int p1, int total, unsigned* counter,
          unsigned long long* trace, int prefetch, int work, int wbuf_bytes, int opt, const uint16_t* __restrict__ xb16) {
  extern __shared__ __align__(16) uint8_t smem[];
  // opt & kOptCluster: blocks meet in pairs (a cluster barrier), and one arrival per pair goes to
  // the counter; opt & kOptXbf16: x staged from a bf16 buffer (timing only: half the bytes of
  // fp32, as a bf16 handoff between phases would read; its values are not the previous phase's).
  const bool paired = opt & kOptCluster;
  const unsigned arrivals = paired ? gridDim.x / 2 : gridDim.x;
  const auto buf = [&](int i) { return i == 0 ? b0 : i == 1 ? b1 : b2; };
  const int nb = gridDim.x, b = blockIdx.x, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  uint16_t* xs = reinterpret_cast<uint16_t*>(smem + 2 * static_cast<size_t>(wbuf_bytes));
  const auto range = [&](int p, int& ub, int& ue) {
    const long long U = c_ph[p].units;
    ub = static_cast<int>(b * U / nb);
    ue = static_cast<int>((b + 1) * U / nb);
  };
  const auto issue = [&](int p) {
    if (work == 1 || (work == 2 && p == p0)) {
      int ub, ue;
      range(p, ub, ue);
      const size_t ubytes = unit_bytes(c_ph[p].ku);
      const uint8_t* src = w + c_ph[p].w_off + ub * ubytes;
      uint8_t* dst = smem + (p & 1) * static_cast<size_t>(wbuf_bytes);
      const int n16 = static_cast<int>((ue - ub) * ubytes / 16);
      for (int i = threadIdx.x; i < n16; i += kThreads) cp_async16(dst + 16 * i, src + 16 * i);
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  };
  if (prefetch) issue(p0);
  for (int p = p0; p < p1; ++p) {
    const bool ahead = prefetch && p + 1 < p1, late = prefetch == 2;
    if (ahead && !late) issue(p + 1);
    if (p > p0) {
      if (threadIdx.x == 0)
        while (ld_acquire(counter) < static_cast<unsigned>(p - p0) * arrivals) {
        }
      __syncthreads();
    }
    if (threadIdx.x == 0 && trace) trace[static_cast<size_t>(p) * nb + b] = globaltimer();
    const Phase P = c_ph[p];
    const float* in = buf(p % 3);
    float* out = buf((p + 1) % 3);
    if (p + 1 < total) {  // the next phase's output, read two phases ago
      float4* z = reinterpret_cast<float4*>(buf((p + 2) % 3));
      const int n4 = c_ph[p + 1].n / 4;
      for (int i = b * kThreads + threadIdx.x; i < kRows * n4; i += nb * kThreads) z[(i / n4) * (nmax / 4) + i % n4] = make_float4(0, 0, 0, 0);
    }
    if (!prefetch) issue(p);
    const int K = P.k, xld = x_ld(K);
    // x rows as bf16, each 8 columns in the pair order (0,4) (1,5) (2,6) (3,7); past L1, since
    // other blocks' atomics wrote them. All of a thread's loads go out before any is used.
    if (work >= 0) {
      constexpr int kMaxItems = 5;  // (kRows x 5120 / 8) / kThreads
      const int per_row = K / 8, items = kRows * per_row;
      if (opt & kOptXbf16) {
        uint4 v[kMaxItems];
#pragma unroll
        for (int j = 0; j < kMaxItems; ++j) {
          const int i = threadIdx.x + j * kThreads;
          if (i < items) v[j] = __ldcg(reinterpret_cast<const uint4*>(xb16 + static_cast<size_t>(i / per_row) * nmax + 8 * (i % per_row)));
        }
#pragma unroll
        for (int j = 0; j < kMaxItems; ++j) {
          const int i = threadIdx.x + j * kThreads;
          if (i < items) *reinterpret_cast<uint4*>(xs + (i / per_row) * xld + 8 * (i % per_row)) = v[j];
        }
      }
      float4 a[kMaxItems], e[kMaxItems];
#pragma unroll
      for (int j = 0; j < kMaxItems; ++j) {
        if (opt & kOptXbf16) break;
        const int i = threadIdx.x + j * kThreads;
        if (i < items) {
          const float* src = in + static_cast<size_t>(i / per_row) * nmax + 8 * (i % per_row);
          a[j] = __ldcg(reinterpret_cast<const float4*>(src));
          e[j] = __ldcg(reinterpret_cast<const float4*>(src + 4));
        }
      }
#pragma unroll
      for (int j = 0; j < kMaxItems; ++j) {
        if (opt & kOptXbf16) break;
        const int i = threadIdx.x + j * kThreads;
        if (i < items)
          *reinterpret_cast<uint4*>(xs + (i / per_row) * xld + 8 * (i % per_row)) =
              make_uint4(pack_bf16(a[j].x, e[j].x), pack_bf16(a[j].y, e[j].y), pack_bf16(a[j].z, e[j].z), pack_bf16(a[j].w, e[j].w));
      }
    }
    if (late && p + 1 < p1) issue(p + 1);
    if (ahead) asm volatile("cp.async.wait_group 1;" ::: "memory");
    else asm volatile("cp.async.wait_group 0;" ::: "memory");
    __syncthreads();
    if (work > 0) {
      int ub, ue;
      range(p, ub, ue);
      const int chunks = P.ku / 32, slices = K / P.ku, g = lane >> 2, t = lane & 3;
      const size_t ubytes = unit_bytes(P.ku);
      const uint8_t* wb = smem + (p & 1) * static_cast<size_t>(wbuf_bytes);
      for (int u = ub + warp; u < ue; u += kWarps) {
        const uint32_t* words = reinterpret_cast<const uint32_t*>(wb + (u - ub) * ubytes);
        const __half* sc = reinterpret_cast<const __half*>(wb + (u - ub) * ubytes + chunks * 256);
        const int tile = u / slices, col0 = (u % slices) * P.ku;
        float acc[4] = {0, 0, 0, 0};
#pragma unroll 4
        for (int c = 0; c < chunks; ++c) {
          const uint32_t w0 = words[(2 * c) * 32 + lane], w1 = words[(2 * c + 1) * 32 + lane];
          const uint4 xb = g < kRows ? *reinterpret_cast<const uint4*>(xs + g * xld + col0 + 32 * c + 8 * t) : make_uint4(0, 0, 0, 0);
          float d[4] = {0, 0, 0, 0};
          mma(d, q4_pair(w0, 0), q4_pair(w1, 0), q4_pair(w0, 1), q4_pair(w1, 1), xb.x, xb.y);
          mma(d, q4_pair(w0, 2), q4_pair(w1, 2), q4_pair(w0, 3), q4_pair(w1, 3), xb.z, xb.w);
          const float s0 = __half2float(sc[g * chunks + c]), s1 = __half2float(sc[(g + 8) * chunks + c]);
          acc[0] += s0 * d[0], acc[1] += s0 * d[1], acc[2] += s1 * d[2], acc[3] += s1 * d[3];
        }
        if (t < 2) {  // D columns 2t, 2t + 1 are x rows; only the first kRows exist
          const int r = tile * 16 + g;
          atomicAdd(out + static_cast<size_t>(2 * t) * nmax + r, acc[0]);
          atomicAdd(out + static_cast<size_t>(2 * t + 1) * nmax + r, acc[1]);
          atomicAdd(out + static_cast<size_t>(2 * t) * nmax + r + 8, acc[2]);
          atomicAdd(out + static_cast<size_t>(2 * t + 1) * nmax + r + 8, acc[3]);
        }
      }
    }
    if (paired) {
      // Both blocks' writes are ordered before the pair's one release-add (barrier cumulativity).
      asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
      unsigned rank;
      asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
      if (rank == 0 && threadIdx.x == 0) asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(counter) : "memory");
    } else {
      __syncthreads();
      if (threadIdx.x == 0) {
        __threadfence();
        atomicAdd(counter, 1u);
      }
    }
  }
  if (threadIdx.x == 0 && trace) trace[static_cast<size_t>(p1) * nb + b] = globaltimer();
}

uint32_t rng_state = 0x9e3779b9u;
uint32_t rng() {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
  return rng_state;
}
float bf16_round(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u = (u + 0x7fffu + ((u >> 16) & 1)) & 0xffff0000u;
  std::memcpy(&f, &u, 4);
  return f;
}

struct Mode {
  const char* name;
  bool persistent;
  int prefetch;  // 0 none, 1 before the barrier, 2 after x is staged
  int work;      // 1 all, 2 all but the weight loads (computed from what is in shared memory), 0 staging only, -1 nothing but barriers and zeroing
  int opt = 0;   // kOptCluster | kOptXbf16
};

}  // namespace

int main(int argc, char** argv) {
  const int layers = argc > 1 ? std::atoi(argv[1]) : 32;
  const int shapes[kKinds][3] = {{6144, 1280, 256}, {1280, 2048, 128}, {10240, 1280, 640}, {1280, 5120, 256}};
  const int nmax = 10240;
  std::vector<Phase> ph;
  long long off = 0;
  for (int l = 0; l < layers; ++l)
    for (const auto& s : shapes) {
      Phase p{s[0], s[1], s[2], (s[0] / 16) * (s[1] / s[2]), off};
      off += static_cast<long long>(p.units) * static_cast<long long>(unit_bytes(p.ku));
      ph.push_back(p);
    }
  const int total = static_cast<int>(ph.size());
  if (total > kMaxPhases) return std::fprintf(stderr, "too many layers\n"), 1;

  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  const int nb = prop.multiProcessorCount;
  int wbuf = 0, maxk = 0;
  // Sized for up to 8 blocks fewer than SMs (the paired modes may not fill every SM).
  const int min_blocks = nb - 8;
  for (const Phase& p : ph) {
    wbuf = std::max(wbuf, static_cast<int>(((p.units + min_blocks - 1) / min_blocks) * unit_bytes(p.ku)));
    maxk = std::max(maxk, p.k);
  }
  wbuf = (wbuf + 15) / 16 * 16;
  const size_t smem = 2 * static_cast<size_t>(wbuf) + static_cast<size_t>(kRows) * x_ld(maxk) * 2;
  std::printf("GPU %s, %d SMs; %d layers, %d phases, %.1f MB of weights; shared memory %zu B per block\n", prop.name, nb, layers, total,
              off / 1e6, smem);

  // Random codes; scales of random sign near 1 / sqrt(21.25 k) so x keeps a unit scale through the chain.
  std::vector<uint8_t> hw(off);
  for (size_t i = 0; i < hw.size(); i += 4) {
    const uint32_t r = rng();
    std::memcpy(&hw[i], &r, std::min<size_t>(4, hw.size() - i));
  }
  for (const Phase& p : ph) {
    const int chunks = p.ku / 32;
    for (int u = 0; u < p.units; ++u) {
      __half* sc = reinterpret_cast<__half*>(&hw[p.w_off + u * unit_bytes(p.ku) + chunks * 256]);
      for (int i = 0; i < 16 * chunks; ++i) sc[i] = __float2half((rng() & 1 ? 1.0f : -1.0f) * (0.5f + (rng() % 1000) / 1000.0f) / std::sqrt(21.25f * p.k));
    }
  }
  uint8_t* dw;
  CHECK(cudaMalloc(&dw, off));
  CHECK(cudaMemcpy(dw, hw.data(), off, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpyToSymbol(c_ph, ph.data(), sizeof(Phase) * total));
  float* db[3];
  const size_t bufn = static_cast<size_t>(kRows) * nmax;
  std::vector<float> x0(bufn);
  for (float& v : x0) v = static_cast<float>(rng() % 2001) / 1000.0f - 1.0f;
  for (auto& d : db) CHECK(cudaMalloc(&d, bufn * 4));
  unsigned* counter;
  CHECK(cudaMalloc(&counter, 4));
  unsigned long long* trace;
  CHECK(cudaMalloc(&trace, sizeof(unsigned long long) * (total + 1) * nb));
  CHECK(cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  int occ = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, probe, kThreads, smem));
  if (occ < 1) return std::fprintf(stderr, "the block does not fit an SM\n"), 1;
  CHECK(cudaFuncSetAttribute(probe, cudaFuncAttributeNonPortableClusterSizeAllowed, 0));
  // A launch in clusters of two blocks (the paired modes); pair_attr must outlive each config.
  cudaLaunchAttribute pair_attr;
  pair_attr.id = cudaLaunchAttributeClusterDimension;
  pair_attr.val.clusterDim.x = 2, pair_attr.val.clusterDim.y = 1, pair_attr.val.clusterDim.z = 1;
  const auto pair_config = [&](int blocks, cudaStream_t stream) {
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(blocks);
    cfg.blockDim = dim3(kThreads);
    cfg.dynamicSmemBytes = smem;
    cfg.stream = stream;
    cfg.attrs = &pair_attr;
    cfg.numAttrs = 1;
    return cfg;
  };
  int pairs = 0;
  {
    const cudaLaunchConfig_t cfg = pair_config(nb, nullptr);
    CHECK(cudaOccupancyMaxActiveClusters(&pairs, probe, &cfg));
  }
  const int paired_blocks = 2 * std::min(pairs, nb / 2);
  if (paired_blocks < min_blocks) return std::fprintf(stderr, "only %d blocks in pairs\n", paired_blocks), 1;
  std::printf("pairs of blocks resident at once: %d (%d blocks in the paired modes)\n", pairs, paired_blocks);
  uint16_t* dx16;
  CHECK(cudaMalloc(&dx16, static_cast<size_t>(kRows) * nmax * 2));
  CHECK(cudaMemset(dx16, 0, static_cast<size_t>(kRows) * nmax * 2));

  cudaStream_t st;
  CHECK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  const auto reset = [&]() {
    CHECK(cudaMemcpy(db[0], x0.data(), bufn * 4, cudaMemcpyHostToDevice));
    CHECK(cudaMemset(db[1], 0, bufn * 4));
    CHECK(cudaMemset(db[2], 0, bufn * 4));
  };
  // One step as a graph: the persistent form is a counter reset and one launch (all blocks
  // resident: one per SM, nothing beside it), the other one launch per phase.
  const auto capture = [&](const Mode& m, unsigned long long* tr) {
    cudaGraph_t g;
    CHECK(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
    CHECK(cudaMemsetAsync(counter, 0, 4, st));
    if (m.persistent && (m.opt & kOptCluster)) {
      const cudaLaunchConfig_t cfg = pair_config(paired_blocks, st);
      CHECK(cudaLaunchKernelEx(&cfg, probe, static_cast<const uint8_t*>(dw), db[0], db[1], db[2], nmax, 0, total, total, counter, tr, m.prefetch,
                               m.work, wbuf, m.opt, static_cast<const uint16_t*>(dx16)));
    } else if (m.persistent) {
      probe<<<nb, kThreads, smem, st>>>(dw, db[0], db[1], db[2], nmax, 0, total, total, counter, tr, m.prefetch, m.work, wbuf, m.opt, dx16);
    } else {
      for (int p = 0; p < total; ++p)
        probe<<<nb, kThreads, smem, st>>>(dw, db[0], db[1], db[2], nmax, p, p + 1, total, counter, tr, 0, m.work, wbuf, m.opt, dx16);
    }
    CHECK(cudaStreamEndCapture(st, &g));
    cudaGraphExec_t e;
    CHECK(cudaGraphInstantiate(&e, g, 0));
    CHECK(cudaGraphDestroy(g));
    return e;
  };

  const Mode modes[] = {{"persist", true, 1, 1},       {"persist-late", true, 2, 1}, {"persist-nopf", true, 0, 1},
                        {"persist-resident", true, 1, 2},
                        {"persist-empty", true, 1, 0}, {"barriers", true, 0, -1},    {"kernels", false, 0, 1},
                        {"kernels-empty", false, 0, 0},
                        {"late+pairs", true, 2, 1, kOptCluster}, {"late+xbf16", true, 2, 1, kOptXbf16},
                        {"late+both", true, 2, 1, kOptCluster | kOptXbf16}, {"resident+both", true, 1, 2, kOptCluster | kOptXbf16},
                        {"empty+both", true, 1, 0, kOptCluster | kOptXbf16}, {"barriers+pairs", true, 0, -1, kOptCluster}};
  bool ok = true;
  for (const Mode& m : modes) {
    // Correctness (work modes): the last phase's output against the host, from fresh inputs.
    if (m.work == 1 && !(m.opt & kOptXbf16)) {
      reset();
      cudaGraphExec_t e = capture(m, nullptr);
      CHECK(cudaGraphLaunch(e, st));
      CHECK(cudaStreamSynchronize(st));
      CHECK(cudaGraphExecDestroy(e));
      const Phase& P = ph[total - 1];
      std::vector<float> xin(bufn), yout(bufn);
      CHECK(cudaMemcpy(xin.data(), db[(total - 1) % 3], bufn * 4, cudaMemcpyDeviceToHost));
      CHECK(cudaMemcpy(yout.data(), db[total % 3], bufn * 4, cudaMemcpyDeviceToHost));
      double err = 0, ref2 = 0;
      const int chunks = P.ku / 32, slices = P.k / P.ku;
      for (int r = 0; r < P.n; ++r)
        for (int mrow = 0; mrow < kRows; ++mrow) {
          double acc = 0;
          for (int s = 0; s < slices; ++s) {
            const uint8_t* ub = &hw[P.w_off + static_cast<size_t>((r / 16) * slices + s) * unit_bytes(P.ku)];
            const uint32_t* words = reinterpret_cast<const uint32_t*>(ub);
            const __half* sc = reinterpret_cast<const __half*>(ub + chunks * 256);
            const int g = r % 8, half = (r % 16) / 8;
            for (int c = 0; c < chunks; ++c) {
              double dot = 0;
              for (int t = 0; t < 4; ++t) {
                const uint32_t word = words[(2 * c + half) * 32 + g * 4 + t];
                for (int i = 0; i < 8; ++i) {
                  const int col = s * P.ku + 32 * c + 8 * t + i;
                  dot += static_cast<double>(static_cast<int>((word >> (4 * i)) & 15) - 8) * bf16_round(xin[mrow * nmax + col]);
                }
              }
              acc += dot * static_cast<double>(__half2float(sc[(r % 16) * chunks + c]));
            }
          }
          const double d = acc - yout[mrow * nmax + r];
          err += d * d, ref2 += acc * acc;
        }
      const double rel = std::sqrt(err / std::max(ref2, 1e-30));
      std::printf("%-14s last phase vs host: rel. error %.2e (rms %.3f) %s\n", m.name, rel, std::sqrt(ref2 / (P.n * kRows)),
                  rel < 1e-4 ? "ok" : "FAILED");
      ok = ok && rel < 1e-4;
    }
    cudaGraphExec_t e = capture(m, nullptr);
    for (int i = 0; i < 5; ++i) CHECK(cudaGraphLaunch(e, st));
    cudaEvent_t a, z;
    CHECK(cudaEventCreate(&a));
    CHECK(cudaEventCreate(&z));
    const int iters = 50;
    CHECK(cudaEventRecord(a, st));
    for (int i = 0; i < iters; ++i) CHECK(cudaGraphLaunch(e, st));
    CHECK(cudaEventRecord(z, st));
    CHECK(cudaEventSynchronize(z));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, a, z));
    CHECK(cudaGraphExecDestroy(e));
    const double us_step = 1000.0 * ms / iters;
    // Traced: the phase's start = the last block past its barrier (or its launch).
    e = capture(m, trace);
    for (int i = 0; i < 3; ++i) CHECK(cudaGraphLaunch(e, st));
    CHECK(cudaStreamSynchronize(st));
    CHECK(cudaGraphExecDestroy(e));
    const int blocks = m.persistent && (m.opt & kOptCluster) ? paired_blocks : nb;
    std::vector<unsigned long long> tr(static_cast<size_t>(total + 1) * blocks);
    CHECK(cudaMemcpy(tr.data(), trace, tr.size() * 8, cudaMemcpyDeviceToHost));
    std::vector<double> start(total + 1);
    for (int p = 0; p <= total; ++p)
      start[p] = static_cast<double>(*std::max_element(tr.begin() + static_cast<size_t>(p) * blocks, tr.begin() + static_cast<size_t>(p + 1) * blocks));
    double kind_us[kKinds] = {0, 0, 0, 0};
    for (int p = 0; p < total; ++p) kind_us[p % kKinds] += (start[p + 1] - start[p]) / 1000.0 / layers;
    std::printf("%-14s %8.1f us per step, %6.2f us per layer; traced us per phase:", m.name, us_step, us_step / layers);
    for (int k = 0; k < kKinds; ++k) std::printf("  %s %.2f", kKindNames[k], kind_us[k]);
    std::printf("\n");
  }
  const double bytes = static_cast<double>(off) / layers;
  std::printf("bytes per layer %.2f MB (%.2f us at 3.0 TB/s)\n", bytes / 1e6, bytes / 3.0e6);
  std::printf("%s\n", ok ? "all checks passed" : "CHECK FAILED");
  return ok ? 0 : 1;
}
