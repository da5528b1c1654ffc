// Would fusing a layer's SwiGLU FFN into one kernel pay (GPU machine, sm_90)? The route
// docs/cuda-notes.md ("v56") weighs: a step has 292 dependent phases, and each costs ~4.5 µs beside
// its bytes, so the only lever left is fewer phases. Here each block owns a slice of 32 hidden
// units: it computes them in full (w1 and w3 rows over all of x, split over its warps and summed
// in shared memory), applies SiLU(a)·b, and at once multiplies them into w2's 32 matching columns,
// adding its share of every output with atomics. The FFN is then one phase instead of two.
// Against: the same FFN as two kernels (w1/w3 with the SiLU epilogue writing h as bf16, then w2
// split over k with atomics), both with programmatic dependent launch, captured in one graph per
// layer chain, weights q4 with fp16 scales per 32 columns (random), as the engine's shapes:
//   encoder: M = 4 rows, dim 1280, hidden 5120, 32 layers
//   decoder: M = 1 row,  dim 3072, hidden 9216, 26 layers
// Checked against a host reference on one layer. Not the engine's kernels (they stage weights
// through shared memory and fold the norm in); the question is the difference between the two
// forms, which share the loading code.
//   ffn_fusion_probe [iterations]
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

#define CHECK(x)                                                                                 \
  do {                                                                                           \
    cudaError_t e_ = (x);                                                                        \
    if (e_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_));    \
      std::exit(1);                                                                              \
    }                                                                                            \
  } while (0)

constexpr int kThreads = 256, kWarps = kThreads / 32;
constexpr int kSlice = 32;    // hidden units per fused block
constexpr int kW2Ku = 512;    // k columns per w2 unit in the two-kernel form

// A unit: 16 rows x ku columns = ku / 32 chunks of 256 bytes of codes (lane-ordered words), then
// 16 x ku / 32 fp16 scales (row-major). The layout of persistent_probe.cu and gemv_mma.cu's tiles.
__host__ __device__ inline size_t unit_bytes(int ku) { return static_cast<size_t>(ku) * 9; }
// x in shared memory as bf16, each 8 columns in the pair order the MMA fragments want; rows padded.
__host__ __device__ inline int x_ld(int k) { return k + 8; }

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
__device__ __forceinline__ void pdl_wait() { asm volatile("griddepcontrol.wait;" ::: "memory"); }
__device__ __forceinline__ void pdl_launch() { asm volatile("griddepcontrol.launch_dependents;"); }

// Where column k of a row sits in shared memory (and in h): within each chunk of 32, thread t's
// 8 consecutive bf16 are the B fragments of both MMAs, k = 2t, 2t+1, 2t+8, 2t+9, then those + 16.
__host__ __device__ inline int pair_pos(int k) {
  const int kk = k & 31;
  return (k & ~31) + 8 * ((kk & 7) >> 1) + 2 * (kk >> 3) + (kk & 1);
}

// Stages rows [0, M) of `src` (fp32, `k` columns, row stride `ld`) into shared bf16 at pair_pos.
__device__ void stage_f32(uint16_t* xs, const float* src, int M, int k, int ld) {
  const int per_row = k / 8;
  for (int i = threadIdx.x; i < M * per_row; i += blockDim.x) {
    const int r = i / per_row, c = 8 * (i % per_row);
    const float4 a = __ldcg(reinterpret_cast<const float4*>(src + static_cast<size_t>(r) * ld + c));
    const float4 e = __ldcg(reinterpret_cast<const float4*>(src + static_cast<size_t>(r) * ld + c + 4));
    // Columns c..c+7 (c = 32 * chunk + 8a) go, two by two, to positions 8p + 2a of the chunk.
    uint32_t* row = reinterpret_cast<uint32_t*>(xs + r * x_ld(k) + (c & ~31));
    const int a8 = (c & 31) >> 3;
    row[(0 + 2 * a8) / 2] = pack_bf16(a.x, a.y);
    row[(8 + 2 * a8) / 2] = pack_bf16(a.z, a.w);
    row[(16 + 2 * a8) / 2] = pack_bf16(e.x, e.y);
    row[(24 + 2 * a8) / 2] = pack_bf16(e.z, e.w);
  }
}
__device__ void stage_bf16(uint16_t* xs, const uint16_t* src, int M, int k) {
  const int per_row = k / 8;
  for (int i = threadIdx.x; i < M * per_row; i += blockDim.x) {
    const int r = i / per_row, c = 8 * (i % per_row);
    *reinterpret_cast<uint4*>(xs + r * x_ld(k) + c) = __ldcg(reinterpret_cast<const uint4*>(src + static_cast<size_t>(r) * k + c));
  }
}

// acc += unit (16 rows) x columns [c0, c1) of x (chunks of 32), x rows in the MMA's n dimension.
// acc[0..1]: row g, x rows 2t and 2t+1; acc[2..3]: row g+8.
__device__ __forceinline__ void unit_dot(float (&acc)[4], const uint8_t* unit, int ku, int chunk0, int chunk1, const uint16_t* xs,
                                         int xld, int xcol0, int M) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3, chunks = ku / 32;
  const uint32_t* words = reinterpret_cast<const uint32_t*>(unit);
  const __half* sc = reinterpret_cast<const __half*>(unit + chunks * 256);
#pragma unroll 4
  for (int c = chunk0; c < chunk1; ++c) {
    const uint32_t w0 = __ldg(words + (2 * c) * 32 + lane), w1 = __ldg(words + (2 * c + 1) * 32 + lane);
    const uint4 xb = g < M ? *reinterpret_cast<const uint4*>(xs + g * xld + xcol0 + 32 * c + 8 * t) : make_uint4(0, 0, 0, 0);
    float d[4] = {0, 0, 0, 0};
    mma(d, q4_pair(w0, 0), q4_pair(w1, 0), q4_pair(w0, 1), q4_pair(w1, 1), xb.x, xb.y);
    mma(d, q4_pair(w0, 2), q4_pair(w1, 2), q4_pair(w0, 3), q4_pair(w1, 3), xb.z, xb.w);
    const float s0 = __half2float(__ldg(sc + g * chunks + c)), s1 = __half2float(__ldg(sc + (g + 8) * chunks + c));
    acc[0] += s0 * d[0], acc[1] += s0 * d[1], acc[2] += s1 * d[2], acc[3] += s1 * d[3];
  }
}

// The hidden slice `s` (32 units) in full: w1 and w3 tiles 2s and 2s+1 over all `dim` columns,
// split over the warps, summed in shared memory; hs gets SiLU(a)·b as bf16, [M][32] in pair order.
__device__ void hidden_slice(const uint8_t* w13, int s, int dim, const uint16_t* xs, int M, float* red, uint16_t* hs) {
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  for (int i = threadIdx.x; i < 4 * 16 * 8; i += blockDim.x) red[i] = 0.f;
  __syncthreads();
  const int chunks = dim / 32, per = (chunks + kWarps - 1) / kWarps;
  const int c0 = warp * per, c1 = min(chunks, c0 + per);
  for (int tile = 0; tile < 4; ++tile) {  // w1 tile 2s, w1 tile 2s+1, w3 tile 2s, w3 tile 2s+1
    const int which = tile >> 1, half = tile & 1;
    const size_t index = static_cast<size_t>(which) * (gridDim.x * 2) + 2 * s + half;
    float acc[4] = {0, 0, 0, 0};
    if (c0 < c1) unit_dot(acc, w13 + index * unit_bytes(dim), dim, c0, c1, xs, x_ld(dim), 0, M);
    if (t < 2) {
      float* r = red + tile * 128;
      atomicAdd(r + g * 8 + 2 * t, acc[0]);
      atomicAdd(r + g * 8 + 2 * t + 1, acc[1]);
      atomicAdd(r + (g + 8) * 8 + 2 * t, acc[2]);
      atomicAdd(r + (g + 8) * 8 + 2 * t + 1, acc[3]);
    }
  }
  __syncthreads();
  for (int i = threadIdx.x; i < M * kSlice; i += blockDim.x) {
    const int m = i / kSlice, u = i % kSlice, half = u / 16, row = u % 16;
    const float a = red[(0 + half) * 128 + row * 8 + m], b = red[(2 + half) * 128 + row * 8 + m];
    const float h = a / (1.f + __expf(-a)) * b;
    const __nv_bfloat16 hb = __float2bfloat16(h);
    hs[m * x_ld(kSlice) + pair_pos(u)] = *reinterpret_cast<const uint16_t*>(&hb);
  }
  __syncthreads();
}

struct Shape {
  int M, dim, hidden;
};

// Both FFN forms' start: x staged (after the previous layer, PDL), this block's hidden slice in
// shared memory (returned: [M][32] bf16 in pair order).
__device__ const uint16_t* ffn_hidden(uint8_t* smem, const uint8_t* w13, const float* x, Shape S) {
  uint16_t* xs = reinterpret_cast<uint16_t*>(smem);
  float* red = reinterpret_cast<float*>(smem + 2 * S.M * x_ld(S.dim) + 16);
  uint16_t* hs = reinterpret_cast<uint16_t*>(red + 4 * 16 * 8);
  pdl_launch();
  pdl_wait();
  stage_f32(xs, x, S.M, S.dim, S.dim);
  __syncthreads();
  hidden_slice(w13, blockIdx.x, S.dim, xs, S.M, red, hs);
  return hs;
}

// A unit's sums for output rows [16 tile, 16 tile + 16) added into `out` (the x rows that exist).
__device__ __forceinline__ void add_tile(float* out, const float (&acc)[4], int tile, Shape S) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3, row = tile * 16 + g;
  if (t >= 2) return;
  if (2 * t < S.M) atomicAdd(out + static_cast<size_t>(2 * t) * S.dim + row, acc[0]), atomicAdd(out + static_cast<size_t>(2 * t) * S.dim + row + 8, acc[2]);
  if (2 * t + 1 < S.M) atomicAdd(out + static_cast<size_t>(2 * t + 1) * S.dim + row, acc[1]), atomicAdd(out + static_cast<size_t>(2 * t + 1) * S.dim + row + 8, acc[3]);
}

// One layer, fused: block s owns hidden slice s and adds its w2 columns' products into `out`.
__global__ void __launch_bounds__(kThreads) fused_ffn(const uint8_t* __restrict__ w13, const uint8_t* __restrict__ w2s, const float* x,
                                                      float* out, Shape S) {
  extern __shared__ __align__(16) uint8_t smem[];
  const uint16_t* hs = ffn_hidden(smem, w13, x, S);
  // w2's columns [32s, 32s + 32): its dim / 16 row tiles, one unit (16 x 32) each, contiguous per slice.
  const int warp = threadIdx.x >> 5, tiles = S.dim / 16;
  const uint8_t* mine = w2s + static_cast<size_t>(blockIdx.x) * tiles * unit_bytes(kSlice);
  for (int r = warp; r < tiles; r += kWarps) {
    float acc[4] = {0, 0, 0, 0};
    unit_dot(acc, mine + static_cast<size_t>(r) * unit_bytes(kSlice), kSlice, 0, 1, hs, x_ld(kSlice), 0, S.M);
    add_tile(out, acc, r, S);
  }
}

// Two kernels: w1/w3 (+ SiLU·mul) writing h as bf16 ...
__global__ void __launch_bounds__(kThreads) w13_kernel(const uint8_t* __restrict__ w13, const float* x, uint16_t* h, Shape S) {
  extern __shared__ __align__(16) uint8_t smem[];
  const uint16_t* hs = ffn_hidden(smem, w13, x, S);
  // h in global memory in pair order too, so w2 stages it with plain 16-byte copies.
  for (int i = threadIdx.x; i < S.M * kSlice; i += blockDim.x) {
    const int m = i / kSlice, u = i % kSlice;
    h[static_cast<size_t>(m) * S.hidden + kSlice * blockIdx.x + u] = hs[m * x_ld(kSlice) + u];
  }
}

// ... then w2 over units of 16 rows x 512 columns, split-k sums added with atomics.
__global__ void __launch_bounds__(kThreads) w2_kernel(const uint8_t* __restrict__ w2u, const uint16_t* h, float* out, Shape S) {
  extern __shared__ __align__(16) uint8_t smem[];
  uint16_t* hs = reinterpret_cast<uint16_t*>(smem);
  pdl_launch();
  pdl_wait();
  stage_bf16(hs, h, S.M, S.hidden);
  __syncthreads();
  const int warp = threadIdx.x >> 5;
  const int slices = S.hidden / kW2Ku, units = (S.dim / 16) * slices;
  for (int u = blockIdx.x * kWarps + warp; u < units; u += gridDim.x * kWarps) {
    const int tile = u / slices, ks = u % slices;
    float acc[4] = {0, 0, 0, 0};
    unit_dot(acc, w2u + static_cast<size_t>(u) * unit_bytes(kW2Ku), kW2Ku, 0, kW2Ku / 32, hs, x_ld(S.hidden), ks * kW2Ku, S.M);
    add_tile(out, acc, tile, S);
  }
}

// ---- host ----

uint32_t rng_state = 0x2545f491u;
uint32_t rng() {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 17, rng_state ^= rng_state << 5;
  return rng_state;
}
float bf16r(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u = (u + 0x7fffu + ((u >> 16) & 1)) & 0xffff0000u;
  std::memcpy(&f, &u, 4);
  return f;
}

// A dense q4 matrix (rows x cols, fp16 scales per 32 columns) and its units of 16 rows x ku.
struct Q4 {
  int rows, cols;
  std::vector<uint8_t> code;  // rows x cols, 0..15
  std::vector<float> scale;   // rows x cols / 32 (fp16-exact)
  float at(int r, int c) const { return (static_cast<int>(code[static_cast<size_t>(r) * cols + c]) - 8) * scale[static_cast<size_t>(r) * (cols / 32) + c / 32]; }
};
Q4 random_q4(int rows, int cols) {
  Q4 q{rows, cols, std::vector<uint8_t>(static_cast<size_t>(rows) * cols), std::vector<float>(static_cast<size_t>(rows) * cols / 32)};
  for (auto& c : q.code) c = rng() & 15;
  for (auto& s : q.scale) s = __half2float(__float2half((0.5f + (rng() % 1000) / 1000.f) / std::sqrt(static_cast<float>(cols)) / 4));
  return q;
}
// Unit (row tile rt, columns [c0, c0 + ku)) in the device layout.
void put_unit(uint8_t* dst, const Q4& q, int rt, int c0, int ku) {
  const int chunks = ku / 32;
  uint32_t* words = reinterpret_cast<uint32_t*>(dst);
  for (int c = 0; c < chunks; ++c)
    for (int lane = 0; lane < 32; ++lane)
      for (int half = 0; half < 2; ++half) {
        // mma m16n8k16 A fragment: lane (g, t) holds rows g and g+8, k pairs 2t, 2t+1 and 2t+8, 2t+9.
        // Word (2c + half): nibble s = 0..3 holds the pair (s, s + 4) of q4_pair: a0..a3 = (row g, k 2t..),
        // (row g+8, k 2t..), (row g, k 2t+8..), (row g+8, k 2t+8..) for the first MMA (k 0..15) and
        // the second (k 16..31). Built to match unit_dot: w0 = words[2c], w1 = words[2c + 1].
        const int g = lane >> 2, t = lane & 3;
        uint32_t w = 0;
        for (int s = 0; s < 4; ++s) {
          // q4_pair(w0, s) / q4_pair(w1, s) feed a0..a3 of the two MMAs: s = 0,1 -> first MMA, 2,3 -> second.
          const int mma_k0 = (s >> 1) * 16;                   // which MMA
          const int reg = (s & 1) * 2 + half;                  // a0 (w0,s even), a1 (w1, even), a2 (w0, odd), a3 (w1, odd)
          const int row = rt * 16 + g + ((reg & 1) ? 8 : 0);   // a1, a3: rows g + 8
          const int kk = mma_k0 + 2 * t + ((reg & 2) ? 8 : 0); // a2, a3: k + 8
          const int col = c0 + 32 * c + kk;
          const uint32_t lo = q.code[static_cast<size_t>(row) * q.cols + col], hi = q.code[static_cast<size_t>(row) * q.cols + col + 1];
          w |= (lo << (4 * s)) | (hi << (4 * s + 16));
        }
        words[(2 * c + half) * 32 + lane] = w;
      }
  __half* sc = reinterpret_cast<__half*>(dst + chunks * 256);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < chunks; ++c) sc[r * chunks + c] = __float2half(q.scale[static_cast<size_t>(rt * 16 + r) * (q.cols / 32) + (c0 / 32) + c]);
}

struct Form {
  float us_per_layer;
  double max_rel;
};

}  // namespace

int main(int argc, char** argv) {
  const int iters = argc > 1 ? std::atoi(argv[1]) : 20;
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  const struct { const char* name; Shape S; int layers; } cases[] = {{"encoder", {4, 1280, 5120}, 32}, {"decoder", {1, 3072, 9216}, 26}};
  for (const auto& cs : cases) {
    const Shape S = cs.S;
    const int L = cs.layers, slices = S.hidden / kSlice;
    // Weights of one layer (random), repeated per layer in distinct memory so nothing stays in L2.
    Q4 w1 = random_q4(S.hidden, S.dim), w3 = random_q4(S.hidden, S.dim), w2 = random_q4(S.dim, S.hidden);
    const size_t w13_bytes = static_cast<size_t>(2 * S.hidden / 16) * unit_bytes(S.dim);
    const size_t w2s_bytes = static_cast<size_t>(slices) * (S.dim / 16) * unit_bytes(kSlice);
    const size_t w2u_bytes = static_cast<size_t>(S.dim / 16) * (S.hidden / kW2Ku) * unit_bytes(kW2Ku);
    std::vector<uint8_t> h13(w13_bytes), h2s(w2s_bytes), h2u(w2u_bytes);
    for (int which = 0; which < 2; ++which)
      for (int rt = 0; rt < S.hidden / 16; ++rt)
        put_unit(h13.data() + (static_cast<size_t>(which) * (S.hidden / 16) + rt) * unit_bytes(S.dim), which ? w3 : w1, rt, 0, S.dim);
    for (int s = 0; s < slices; ++s)
      for (int rt = 0; rt < S.dim / 16; ++rt) put_unit(h2s.data() + (static_cast<size_t>(s) * (S.dim / 16) + rt) * unit_bytes(kSlice), w2, rt, s * kSlice, kSlice);
    for (int rt = 0; rt < S.dim / 16; ++rt)
      for (int ks = 0; ks < S.hidden / kW2Ku; ++ks)
        put_unit(h2u.data() + (static_cast<size_t>(rt) * (S.hidden / kW2Ku) + ks) * unit_bytes(kW2Ku), w2, rt, ks * kW2Ku, kW2Ku);
    uint8_t *d13, *d2s, *d2u;
    CHECK(cudaMalloc(&d13, w13_bytes * L));
    CHECK(cudaMalloc(&d2s, w2s_bytes * L));
    CHECK(cudaMalloc(&d2u, w2u_bytes * L));
    for (int l = 0; l < L; ++l) {
      CHECK(cudaMemcpy(d13 + w13_bytes * l, h13.data(), w13_bytes, cudaMemcpyHostToDevice));
      CHECK(cudaMemcpy(d2s + w2s_bytes * l, h2s.data(), w2s_bytes, cudaMemcpyHostToDevice));
      CHECK(cudaMemcpy(d2u + w2u_bytes * l, h2u.data(), w2u_bytes, cudaMemcpyHostToDevice));
    }
    // Activations: x_0 .. x_L (fp32 M x dim), h (bf16 M x hidden). x_{l+1} = FFN_l(x_l) (no residual).
    std::vector<float> x0(static_cast<size_t>(S.M) * S.dim);
    for (auto& v : x0) v = bf16r(((rng() % 2001) / 1000.f - 1.f));
    float* dx;
    uint16_t* dh;
    CHECK(cudaMalloc(&dx, sizeof(float) * S.M * S.dim * (L + 1)));
    CHECK(cudaMalloc(&dh, sizeof(uint16_t) * S.M * S.hidden));
    const size_t smem_fused = 2 * S.M * x_ld(S.dim) + 16 + 4 * 16 * 8 * 4 + 2 * S.M * x_ld(kSlice);
    const size_t smem_w2 = 2 * S.M * x_ld(S.hidden);
    CHECK(cudaFuncSetAttribute(fused_ffn, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem_fused)));
    CHECK(cudaFuncSetAttribute(w13_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem_fused)));
    CHECK(cudaFuncSetAttribute(w2_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem_w2)));
    cudaStream_t st;
    CHECK(cudaStreamCreate(&st));
    cudaLaunchAttribute pdl[1];
    pdl[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    pdl[0].val.programmaticStreamSerializationAllowed = 1;
    const int w2_blocks = 2 * prop.multiProcessorCount;
    const auto chain = [&](bool fused, int layers) {
      CHECK(cudaMemsetAsync(dx + static_cast<size_t>(S.M) * S.dim, 0, sizeof(float) * S.M * S.dim * layers, st));
      for (int l = 0; l < layers; ++l) {
        const float* in = dx + static_cast<size_t>(l) * S.M * S.dim;
        float* out = dx + static_cast<size_t>(l + 1) * S.M * S.dim;
        cudaLaunchConfig_t cfg{};
        cfg.blockDim = dim3(kThreads);
        cfg.stream = st;
        cfg.attrs = pdl;
        cfg.numAttrs = 1;
        cfg.gridDim = dim3(slices);
        cfg.dynamicSmemBytes = smem_fused;
        if (fused) {
          CHECK(cudaLaunchKernelEx(&cfg, fused_ffn, static_cast<const uint8_t*>(d13 + w13_bytes * l), static_cast<const uint8_t*>(d2s + w2s_bytes * l), in, out, S));
        } else {
          CHECK(cudaLaunchKernelEx(&cfg, w13_kernel, static_cast<const uint8_t*>(d13 + w13_bytes * l), in, dh, S));
          cfg.gridDim = dim3(w2_blocks);
          cfg.dynamicSmemBytes = smem_w2;
          CHECK(cudaLaunchKernelEx(&cfg, w2_kernel, static_cast<const uint8_t*>(d2u + w2u_bytes * l), static_cast<const uint16_t*>(dh), out, S));
        }
      }
    };
    // Host reference of one layer: bf16 x, fp32 sums, h rounded to bf16 as the device keeps it.
    std::vector<float> ref(static_cast<size_t>(S.M) * S.dim, 0.f);
    for (int m = 0; m < S.M; ++m) {
      std::vector<float> h(S.hidden);
      for (int j = 0; j < S.hidden; ++j) {
        double a = 0, b = 0;
        for (int k = 0; k < S.dim; ++k) a += w1.at(j, k) * x0[m * S.dim + k], b += w3.at(j, k) * x0[m * S.dim + k];
        h[j] = bf16r(static_cast<float>(a / (1 + std::exp(-a)) * b));
      }
      for (int r = 0; r < S.dim; ++r) {
        double y = 0;
        for (int j = 0; j < S.hidden; ++j) y += w2.at(r, j) * h[j];
        ref[m * S.dim + r] = static_cast<float>(y);
      }
    }
    Form forms[2];
    for (int f = 0; f < 2; ++f) {
      const bool fused = f == 1;
      CHECK(cudaMemcpy(dx, x0.data(), sizeof(float) * x0.size(), cudaMemcpyHostToDevice));
      chain(fused, 1);
      CHECK(cudaStreamSynchronize(st));
      std::vector<float> got(ref.size());
      CHECK(cudaMemcpy(got.data(), dx + static_cast<size_t>(S.M) * S.dim, sizeof(float) * got.size(), cudaMemcpyDeviceToHost));
      double max_rel = 0, scale = 0;
      for (float v : ref) scale = std::fmax(scale, std::fabs(v));
      for (size_t i = 0; i < ref.size(); ++i) max_rel = std::fmax(max_rel, std::fabs(got[i] - ref[i]) / scale);
      cudaGraph_t graph;
      cudaGraphExec_t exec;
      CHECK(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
      chain(fused, L);
      CHECK(cudaStreamEndCapture(st, &graph));
      CHECK(cudaGraphInstantiate(&exec, graph, 0));
      CHECK(cudaGraphLaunch(exec, st));  // warm
      cudaEvent_t e0, e1;
      CHECK(cudaEventCreate(&e0));
      CHECK(cudaEventCreate(&e1));
      CHECK(cudaEventRecord(e0, st));
      for (int i = 0; i < iters; ++i) CHECK(cudaGraphLaunch(exec, st));
      CHECK(cudaEventRecord(e1, st));
      CHECK(cudaEventSynchronize(e1));
      float ms = 0;
      CHECK(cudaEventElapsedTime(&ms, e0, e1));
      forms[f] = {1000.f * ms / iters / L, max_rel};
      CHECK(cudaGraphExecDestroy(exec));
      CHECK(cudaGraphDestroy(graph));
    }
    const double mb = (w13_bytes + w2s_bytes) / 1e6;
    std::printf("%s (M %d, dim %d, hidden %d, %d layers, %.1f MB of weights a layer):\n", cs.name, S.M, S.dim, S.hidden, L, mb);
    std::printf("  two kernels (w1/w3 + SiLU, then w2 split-k): %6.2f us a layer (max error %.1e of the largest output)\n", forms[0].us_per_layer, forms[0].max_rel);
    std::printf("  one fused kernel (32 hidden units a block):  %6.2f us a layer (max error %.1e)\n", forms[1].us_per_layer, forms[1].max_rel);
    std::printf("  difference: %.2f us a layer, %.3f ms a step over %d layers\n", forms[0].us_per_layer - forms[1].us_per_layer,
                (forms[0].us_per_layer - forms[1].us_per_layer) * L / 1000.0, L);
    CHECK(cudaFree(d13));
    CHECK(cudaFree(d2s));
    CHECK(cudaFree(d2u));
    CHECK(cudaFree(dx));
    CHECK(cudaFree(dh));
    CHECK(cudaStreamDestroy(st));
  }
  return 0;
}
