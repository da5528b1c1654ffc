// AVX-512 (F + BW) dot kernels (this file alone is compiled with -mavx512f -mavx512bw -mfma -mf16c).
#include <immintrin.h>

#include "dot.h"
#include "numeric.h"

namespace vxd::cpu {
namespace {

inline float f16(uint16_t h) { return _cvtsh_ss(h); }

float dot_f32(const float* x, const float* w, int64_t k) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= k; i += 32) {
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(w + i), a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(w + i + 16), a1);
  }
  for (; i + 16 <= k; i += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(w + i), a0);
  float s = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
  for (; i < k; ++i) s += x[i] * w[i];
  return s;
}

inline __m512 load_bf16x16(const uint16_t* p) {
  __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

float dot_bf16(const float* x, const uint16_t* w, int64_t k) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= k; i += 32) {
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), load_bf16x16(w + i), a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), load_bf16x16(w + i + 16), a1);
  }
  for (; i + 16 <= k; i += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), load_bf16x16(w + i), a0);
  float s = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
  for (; i < k; ++i) s += x[i] * bf16_to_f32(w[i]);
  return s;
}

float dot_q8(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 16 != 0) return dot_kernels_scalar().q8(x, w, scales, group, k);
  __m512 total = _mm512_setzero_ps();
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    __m512 part = _mm512_setzero_ps();
    for (int64_t i = g0; i < g0 + group; i += 16) {
      __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      part = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)), part);
    }
    total = _mm512_fmadd_ps(part, _mm512_set1_ps(f16(scales[g0 / group])), total);
  }
  return _mm512_reduce_add_ps(total);
}

float dot_q4(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 32 != 0) return dot_kernels_scalar().q4(x, w, scales, group, k);
  const __m128i low_mask = _mm_set1_epi8(0x0f);
  const __m128i eight = _mm_set1_epi8(8);
  __m512 total = _mm512_setzero_ps();
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    __m512 part0 = _mm512_setzero_ps(), part1 = _mm512_setzero_ps();  // two chains (see AVX2)
    for (int64_t i = g0; i < g0 + group; i += 32) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i / 2));
      __m128i lo = _mm_and_si128(b, low_mask);
      __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), low_mask);
      __m128i q0 = _mm_sub_epi8(_mm_unpacklo_epi8(lo, hi), eight);  // columns i..i+15
      __m128i q1 = _mm_sub_epi8(_mm_unpackhi_epi8(lo, hi), eight);  // columns i+16..i+31
      part0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q0)), part0);
      part1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q1)), part1);
    }
    total = _mm512_fmadd_ps(_mm512_add_ps(part0, part1), _mm512_set1_ps(f16(scales[g0 / group])), total);
  }
  return _mm512_reduce_add_ps(total);
}

void dequant_bf16(const uint16_t* w, float* out, int64_t k) {
  int64_t i = 0;
  for (; i + 16 <= k; i += 16) _mm512_storeu_ps(out + i, load_bf16x16(w + i));
  for (; i < k; ++i) out[i] = bf16_to_f32(w[i]);
}

void dequant_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 16 != 0) return dequant_row_q8(w, scales, group, out, k);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const __m512 s = _mm512_set1_ps(f16(scales[g0 / group]));
    for (int64_t i = g0; i < g0 + group; i += 16) {
      __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
      _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)), s));
    }
  }
}

void dequant_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 32 != 0) return dequant_row_q4(w, scales, group, out, k);
  const __m128i low_mask = _mm_set1_epi8(0x0f), eight = _mm_set1_epi8(8);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const __m512 s = _mm512_set1_ps(f16(scales[g0 / group]));
    for (int64_t i = g0; i < g0 + group; i += 32) {
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i / 2));
      __m128i lo = _mm_and_si128(b, low_mask), hi = _mm_and_si128(_mm_srli_epi16(b, 4), low_mask);
      __m128i q0 = _mm_sub_epi8(_mm_unpacklo_epi8(lo, hi), eight), q1 = _mm_sub_epi8(_mm_unpackhi_epi8(lo, hi), eight);
      _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q0)), s));
      _mm512_storeu_ps(out + i + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q1)), s));
    }
  }
}

struct Avx512 {  // tile.h's vector ops; 4 x 4 accumulators take 16 of the 32 registers
  using V = __m512;
  static constexpr int kWidth = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static float sum(V v) { return _mm512_reduce_add_ps(v); }
};
#include "tile.h"

void axpy_f32(float a, const float* x, float* y, int64_t n) {
  const __m512 av = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

void axpy_bf16(float a, const uint16_t* x, float* y, int64_t n) {
  const __m512 av = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, load_bf16x16(x + i), _mm512_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * bf16_to_f32(x[i]);
}

const DotKernels kAvx512 = {"avx512", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_bf16, dequant_q8, dequant_q4, f32_tile<Avx512>, 4, axpy_f32, axpy_bf16};

}  // namespace

const DotKernels* dot_kernels_avx512() { return &kAvx512; }

}  // namespace vxd::cpu
