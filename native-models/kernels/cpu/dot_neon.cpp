// NEON dot kernels (arm64 baseline: Apple silicon, Snapdragon, Graviton). Tested under
// qemu-aarch64 by test/native/kernels-arm64.test.ts where the cross toolchain is installed.
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

inline float f16(uint16_t h) { return f16_to_f32(h); }

// 16 int8 weights as four float vectors.
inline void widen_s8(int8x16_t q, float32x4_t out[4]) {
  const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_s8(vget_high_s8(q));
  out[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
  out[1] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(lo)));
  out[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
  out[3] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(hi)));
}

// 16 packed bytes = 32 q4 weights (low nibble first) as two int8 vectors of columns in order.
inline void unpack_q4(const uint8_t* p, int8x16_t& c0, int8x16_t& c1) {
  const uint8x16_t b = vld1q_u8(p);
  const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(b, vdupq_n_u8(0x0f))), vdupq_n_s8(8));
  const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(b, 4)), vdupq_n_s8(8));
  const int8x16x2_t z = vzipq_s8(lo, hi);
  c0 = z.val[0];  // columns 0..15
  c1 = z.val[1];  // columns 16..31
}

// x[0, 16) times 16 int8 weights, into two accumulators (two FMA chains).
inline void fma16(const float* x, int8x16_t q, float32x4_t& part0, float32x4_t& part1) {
  float32x4_t wf[4];
  widen_s8(q, wf);
  part0 = vfmaq_f32(part0, vld1q_f32(x), wf[0]);
  part1 = vfmaq_f32(part1, vld1q_f32(x + 4), wf[1]);
  part0 = vfmaq_f32(part0, vld1q_f32(x + 8), wf[2]);
  part1 = vfmaq_f32(part1, vld1q_f32(x + 12), wf[3]);
}

// 16 int8 weights times the group's scale, stored as fp32.
inline void store16(int8x16_t q, float scale, float* out) {
  float32x4_t wf[4];
  widen_s8(q, wf);
  for (int j = 0; j < 4; ++j) vst1q_f32(out + 4 * j, vmulq_n_f32(wf[j], scale));
}

float dot_q8(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 16 != 0) return dot_kernels_scalar().q8(x, w, scales, group, k);
  float32x4_t total = vdupq_n_f32(0);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float32x4_t part0 = vdupq_n_f32(0), part1 = vdupq_n_f32(0);
    for (int64_t i = g0; i < g0 + group; i += 16) fma16(x + i, vld1q_s8(w + i), part0, part1);
    total = vfmaq_n_f32(total, vaddq_f32(part0, part1), f16(scales[g0 / group]));
  }
  return vaddvq_f32(total);
}

float dot_q4(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  if (group % 32 != 0) return dot_kernels_scalar().q4(x, w, scales, group, k);
  float32x4_t total = vdupq_n_f32(0);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float32x4_t part0 = vdupq_n_f32(0), part1 = vdupq_n_f32(0);
    for (int64_t i = g0; i < g0 + group; i += 32) {
      int8x16_t c[2];
      unpack_q4(w + i / 2, c[0], c[1]);
      fma16(x + i, c[0], part0, part1);
      fma16(x + i + 16, c[1], part0, part1);
    }
    total = vfmaq_n_f32(total, vaddq_f32(part0, part1), f16(scales[g0 / group]));
  }
  return vaddvq_f32(total);
}

void dequant_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 16 != 0) return dequant_row_q8(w, scales, group, out, k);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const float s = f16(scales[g0 / group]);
    for (int64_t i = g0; i < g0 + group; i += 16) store16(vld1q_s8(w + i), s, out + i);
  }
}

void dequant_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  if (group % 32 != 0) return dequant_row_q4(w, scales, group, out, k);
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    const float s = f16(scales[g0 / group]);
    for (int64_t i = g0; i < g0 + group; i += 32) {
      int8x16_t c[2];
      unpack_q4(w + i / 2, c[0], c[1]);
      store16(c[0], s, out + i);
      store16(c[1], s, out + i + 16);
    }
  }
}

struct Neon {  // tile.h's vector ops; 4 x 4 accumulators take 16 of the 32 registers
  using V = float32x4_t;
  static constexpr int kWidth = 4;
  static V zero() { return vdupq_n_f32(0); }
  static V load(const float* p) { return vld1q_f32(p); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static float sum(V v) { return vaddvq_f32(v); }
};
#include "tile.h"

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

const DotKernels kNeon = {"neon", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_row_bf16, dequant_q8, dequant_q4, f32_tile<Neon>, 4, axpy_f32, axpy_bf16};

}  // namespace

const DotKernels* dot_kernels_neon() { return &kNeon; }

}  // namespace vxd::cpu
