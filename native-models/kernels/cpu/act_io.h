// Row access to fp32/bf16 activations as fp32.
#pragma once

#include <vector>

#include "../../src/backend.h"
#include "numeric.h"

namespace vxd::cpu {

inline float* act_row_f32(const Act& a, int64_t r) { return static_cast<float*>(a.data) + r * a.stride; }
inline uint16_t* act_row_bf16(const Act& a, int64_t r) { return static_cast<uint16_t*>(a.data) + r * a.stride; }

// Pointer to row r as fp32: the row itself when fp32, else widened into `scratch`.
inline const float* load_row(const Act& a, int64_t r, std::vector<float>& scratch) {
  if (a.dtype == DType::F32) return act_row_f32(a, r);
  scratch.resize(static_cast<size_t>(a.cols));
  const uint16_t* s = act_row_bf16(a, r);
  for (int64_t i = 0; i < a.cols; ++i) scratch[i] = bf16_to_f32(s[i]);
  return scratch.data();
}

inline void store_row(const Act& a, int64_t r, const float* src) {
  if (a.dtype == DType::F32) {
    float* d = act_row_f32(a, r);
    if (d != src) std::copy(src, src + a.cols, d);
    return;
  }
  uint16_t* d = act_row_bf16(a, r);
  for (int64_t i = 0; i < a.cols; ++i) d[i] = f32_to_bf16(src[i]);
}

inline float load_elem(const Act& a, int64_t r, int64_t c) {
  return a.dtype == DType::F32 ? act_row_f32(a, r)[c] : bf16_to_f32(act_row_bf16(a, r)[c]);
}
inline void store_elem(const Act& a, int64_t r, int64_t c, float v) {
  if (a.dtype == DType::F32) act_row_f32(a, r)[c] = v;
  else act_row_bf16(a, r)[c] = f32_to_bf16(v);
}

}  // namespace vxd::cpu
