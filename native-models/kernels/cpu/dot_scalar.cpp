#include <cstdlib>
#include <cstring>

#include "dot.h"
#include "numeric.h"

namespace vxd::cpu {
namespace {

float dot_f32(const float* x, const float* w, int64_t k) {
  float acc[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= k; i += 4)
    for (int j = 0; j < 4; ++j) acc[j] += x[i + j] * w[i + j];
  float s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; i < k; ++i) s += x[i] * w[i];
  return s;
}

float dot_bf16(const float* x, const uint16_t* w, int64_t k) {
  float s = 0;
  for (int64_t i = 0; i < k; ++i) s += x[i] * bf16_to_f32(w[i]);
  return s;
}

float dot_q8(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  float s = 0;
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float part = 0;
    for (int64_t i = g0; i < g0 + group; ++i) part += x[i] * static_cast<float>(w[i]);
    s += part * f16_to_f32(scales[g0 / group]);
  }
  return s;
}

float dot_q4(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k) {
  float s = 0;
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float part = 0;
    for (int64_t i = g0; i < g0 + group; i += 2) {
      uint8_t b = w[i / 2];
      part += x[i] * static_cast<float>((b & 0x0f) - 8) + x[i + 1] * static_cast<float>((b >> 4) - 8);
    }
    s += part * f16_to_f32(scales[g0 / group]);
  }
  return s;
}

const DotKernels kScalar = {"scalar", dot_f32, dot_bf16, dot_q8, dot_q4, dequant_row_bf16, dequant_row_q8, dequant_row_q4, nullptr, 1,
                            axpy_row_f32, axpy_row_bf16};

bool cpu_has(const char* feature) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (!std::strcmp(feature, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
  if (!std::strcmp(feature, "avx512")) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#endif
  (void)feature;
  return false;
}

const DotKernels& choose() {
  const char* want = std::getenv("VXD_ISA");
  auto allowed = [&](const char* isa) { return !want || !*want || !std::strcmp(want, isa); };
  if (want && !std::strcmp(want, "scalar")) return kScalar;
  if (const DotKernels* k = dot_kernels_avx512(); k && allowed("avx512") && cpu_has("avx512")) return *k;
  if (const DotKernels* k = dot_kernels_avx2(); k && allowed("avx2") && cpu_has("avx2")) return *k;
  if (const DotKernels* k = dot_kernels_neon(); k && allowed("neon")) return *k;  // NEON is baseline on arm64
  return kScalar;
}

}  // namespace

const DotKernels& dot_kernels_scalar() { return kScalar; }

const DotKernels& dot_kernels() {
  static const DotKernels& chosen = choose();
  return chosen;
}

void axpy_row_f32(float a, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void axpy_row_bf16(float a, const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * bf16_to_f32(x[i]);
}

void dequant_row_bf16(const uint16_t* w, float* out, int64_t k) {
  for (int64_t i = 0; i < k; ++i) out[i] = bf16_to_f32(w[i]);
}

void dequant_row_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float s = f16_to_f32(scales[g0 / group]);
    for (int64_t i = g0; i < g0 + group; ++i) out[i] = static_cast<float>(w[i]) * s;
  }
}

void dequant_row_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k) {
  for (int64_t g0 = 0; g0 < k; g0 += group) {
    float s = f16_to_f32(scales[g0 / group]);
    for (int64_t i = g0; i < g0 + group; i += 2) {
      uint8_t b = w[i / 2];
      out[i] = static_cast<float>((b & 0x0f) - 8) * s;
      out[i + 1] = static_cast<float>((b >> 4) - 8) * s;
    }
  }
}

#if !defined(VXD_HAVE_AVX2)
const DotKernels* dot_kernels_avx2() { return nullptr; }
#endif
#if !defined(VXD_HAVE_AVX512)
const DotKernels* dot_kernels_avx512() { return nullptr; }
#endif
#if !defined(VXD_HAVE_NEON)
const DotKernels* dot_kernels_neon() { return nullptr; }
#endif

}  // namespace vxd::cpu
