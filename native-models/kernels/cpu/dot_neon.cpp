// NEON dot kernels (arm64 baseline). Quantized rows use the portable kernels.
#include <arm_neon.h>

#include "dot.h"
#include "numeric.h"

namespace vxd::cpu {
namespace {

float dot_f32(const float* x, const float* w, int64_t k) {
  float32x4_t a0 = vdupq_n_f32(0), a1 = vdupq_n_f32(0);
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    a0 = vfmaq_f32(a0, vld1q_f32(x + i), vld1q_f32(w + i));
    a1 = vfmaq_f32(a1, vld1q_f32(x + i + 4), vld1q_f32(w + i + 4));
  }
  float s = vaddvq_f32(vaddq_f32(a0, a1));
  for (; i < k; ++i) s += x[i] * w[i];
  return s;
}

float dot_bf16(const float* x, const uint16_t* w, int64_t k) {
  float32x4_t a0 = vdupq_n_f32(0), a1 = vdupq_n_f32(0);
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    uint16x8_t h = vld1q_u16(w + i);
    float32x4_t w0 = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
    float32x4_t w1 = vreinterpretq_f32_u32(vshll_n_u16(vget_high_u16(h), 16));
    a0 = vfmaq_f32(a0, vld1q_f32(x + i), w0);
    a1 = vfmaq_f32(a1, vld1q_f32(x + i + 4), w1);
  }
  float s = vaddvq_f32(vaddq_f32(a0, a1));
  for (; i < k; ++i) s += x[i] * bf16_to_f32(w[i]);
  return s;
}

float dot_q8(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  return dot_kernels_scalar().q8(x, w, scales, group, k);
}
float dot_q4(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  return dot_kernels_scalar().q4(x, w, scales, group, k);
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
  const float32x4_t av = vdupq_n_f32(a);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), av, vld1q_f32(x + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

void axpy_bf16(float a, const uint16_t* x, float* y, int64_t n) {
  const float32x4_t av = vdupq_n_f32(a);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t xv = vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(x + i), 16));
    vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), av, xv));
  }
  for (; i < n; ++i) y[i] += a * bf16_to_f32(x[i]);
}

const DotKernels kNeon = {"neon", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_row_bf16, dequant_row_q8, dequant_row_q4, nullptr, 1, axpy_f32, axpy_bf16};

}  // namespace

const DotKernels* dot_kernels_neon() { return &kNeon; }

}  // namespace vxd::cpu
