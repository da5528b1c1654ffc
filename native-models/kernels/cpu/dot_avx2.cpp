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

struct Avx2 {  // tile.h's vector ops; 4 x 2 accumulators take 8 of the 16 registers
  using V = __m256;
  static constexpr int kWidth = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static float sum(V v) { return hsum(v); }
};
#include "tile.h"

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

const DotKernels kAvx2 = {"avx2", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_bf16, dequant_q8, dequant_q4, f32_tile<Avx2>, 2, axpy_f32, axpy_bf16};

}  // namespace

const DotKernels* dot_kernels_avx2() { return &kAvx2; }

}  // namespace vxd::cpu
