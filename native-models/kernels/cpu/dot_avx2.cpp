// AVX2 + FMA + F16C dot kernels (this file alone is compiled with -mavx2 -mfma -mf16c).
#include <immintrin.h>

#include "dot.h"
#include "numeric.h"

namespace vxd::cpu {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float f16(uint16_t h) { return _cvtsh_ss(h); }

float dot_f32(const float* x, const float* w, int64_t k) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(w + i + 8), a1);
  }
  for (; i + 8 <= k; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w + i), a0);
  float s = hsum(_mm256_add_ps(a0, a1));
  for (; i < k; ++i) s += x[i] * w[i];
  return s;
}

inline __m256 load_bf16x8(const uint16_t* p) {
  __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

float dot_bf16(const float* x, const uint16_t* w, int64_t k) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), load_bf16x8(w + i), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), load_bf16x8(w + i + 8), a1);
  }
  for (; i + 8 <= k; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), load_bf16x8(w + i), a0);
  float s = hsum(_mm256_add_ps(a0, a1));
  for (; i < k; ++i) s += x[i] * bf16_to_f32(w[i]);
  return s;
}

float dot_q8(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 8 != 0) return dot_kernels_scalar().q8(x, w, scales, group, k);
  __m256 total = _mm256_setzero_ps();
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    __m256 part0 = _mm256_setzero_ps(), part1 = _mm256_setzero_ps();  // two chains, as dot_q4
    int64_t i = g0;
    for (; i + 16 <= g0 + group; i += 16) {
      __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      part0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), part0);
      part1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8))), part1);
    }
    for (; i < g0 + group; i += 8) {
      __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + i));
      part0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), part0);
    }
    total = _mm256_fmadd_ps(_mm256_add_ps(part0, part1), _mm256_set1_ps(f16(scales[g0 / group])), total);
  }
  return hsum(total);
}

float dot_q4(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 16 != 0) return dot_kernels_scalar().q4(x, w, scales, group, k);
  const __m128i low_mask = _mm_set1_epi8(0x0f);
  const __m128i eight = _mm_set1_epi8(8);
  __m256 total = _mm256_setzero_ps();
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    // Two chains: one FMA chain per group would wait on its own latency at every step.
    __m256 part0 = _mm256_setzero_ps(), part1 = _mm256_setzero_ps();
    for (int64_t i = g0; i < g0 + group; i += 16) {
      __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + i / 2));
      __m128i lo = _mm_and_si128(b, low_mask);
      __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), low_mask);
      __m128i q = _mm_sub_epi8(_mm_unpacklo_epi8(lo, hi), eight);  // columns i..i+15 in order
      __m256 w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
      __m256 w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)));
      part0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), w0, part0);
      part1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), w1, part1);
    }
    total = _mm256_fmadd_ps(_mm256_add_ps(part0, part1), _mm256_set1_ps(f16(scales[g0 / group])), total);
  }
  return hsum(total);
}

void dequant_bf16(const uint16_t* w, float* out, int64_t k) {
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) _mm256_storeu_ps(out + i, load_bf16x8(w + i));
  for (; i < k; ++i) out[i] = bf16_to_f32(w[i]);
}

void dequant_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 8 != 0) return dequant_row_q8(w, scales, group, out, k);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const __m256 s = _mm256_set1_ps(f16(scales[g0 / group]));
    for (int64_t i = g0; i < g0 + group; i += 8) {
      __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + i));
      _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), s));
    }
  }
}

void dequant_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 16 != 0) return dequant_row_q4(w, scales, group, out, k);
  const __m128i low_mask = _mm_set1_epi8(0x0f), eight = _mm_set1_epi8(8);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const __m256 s = _mm256_set1_ps(f16(scales[g0 / group]));
    for (int64_t i = g0; i < g0 + group; i += 16) {
      __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + i / 2));
      __m128i q = _mm_sub_epi8(_mm_unpacklo_epi8(_mm_and_si128(b, low_mask), _mm_and_si128(_mm_srli_epi16(b, 4), low_mask)), eight);
      _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), s));
      _mm256_storeu_ps(out + i + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8))), s));
    }
  }
}

// MR x NR accumulators (at most 4 x 2 = 8 of the 16 registers): per 8 columns, MR + NR loads
// feed MR·NR FMAs, where a one-pair dot loads twice per FMA.
template <int MR, int NR>
void tile(const float* x, int64_t ldx, const float* w, int64_t ldw, int64_t k, float* out, int64_t ldo) {
  __m256 acc[MR][NR];
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NR; ++j) acc[m][j] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    __m256 wv[NR];
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) wv[j] = _mm256_loadu_ps(w + j * ldw + i);
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const __m256 xv = _mm256_loadu_ps(x + m * ldx + i);
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) acc[m][j] = _mm256_fmadd_ps(xv, wv[j], acc[m][j]);
    }
  }
  for (int m = 0; m < MR; ++m)
    for (int j = 0; j < NR; ++j) {
      float s = hsum(acc[m][j]);
      for (int64_t t = i; t < k; ++t) s += x[m * ldx + t] * w[j * ldw + t];
      out[m * ldo + j] = s;
    }
}

void f32_tile(const float* x, int64_t ldx, int mr, const float* w, int64_t ldw, int nr, int64_t k, float* out, int64_t ldo) {
  using Fn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t);
  static constexpr Fn kTiles[4][2] = {{tile<1, 1>, tile<1, 2>}, {tile<2, 1>, tile<2, 2>}, {tile<3, 1>, tile<3, 2>}, {tile<4, 1>, tile<4, 2>}};
  kTiles[mr - 1][nr - 1](x, ldx, w, ldw, k, out, ldo);
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

void axpy_bf16(float a, const uint16_t* x, float* y, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, load_bf16x8(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * bf16_to_f32(x[i]);
}

const DotKernels kAvx2 = {"avx2", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_bf16, dequant_q8, dequant_q4, f32_tile, 2, axpy_f32, axpy_bf16};

}  // namespace

const DotKernels* dot_kernels_avx2() { return &kAvx2; }

}  // namespace vxd::cpu
