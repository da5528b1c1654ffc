// Dot-product kernels of the matmul and embedding, one implementation per instruction set,
// chosen once at run time (cpuid) so one binary runs everywhere.
#pragma once

#include <cstdint>

namespace vxd::cpu {

struct DotKernels {
  const char* isa;
  float (*f32)(const float* x, const float* w, int64_t k);
  float (*bf16)(const float* x, const uint16_t* w, int64_t k);
  // Quantized rows: `scales` are fp16, one per `group` inputs; k is a multiple of group.
  float (*q8)(const float* x, const int8_t* w, const uint16_t* scales, int64_t group, int64_t k);
  float (*q4)(const float* x, const uint8_t* w, const uint16_t* scales, int64_t group, int64_t k);
  // Row dequantization to fp32 (batched matmul dequantizes each weight row once for all rows).
  void (*dequant_bf16)(const uint16_t* w, float* out, int64_t k);
  void (*dequant_q8)(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);
  void (*dequant_q4)(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);
};

const DotKernels& dot_kernels();         // best for this machine (VXD_ISA=scalar|avx2|avx512 overrides)
const DotKernels& dot_kernels_scalar();  // portable reference
const DotKernels* dot_kernels_avx2();    // null when not compiled in
const DotKernels* dot_kernels_avx512();
const DotKernels* dot_kernels_neon();

// Dequantizes one weight row into fp32 (portable; used by batched matmul and embedding).
void dequant_row_bf16(const uint16_t* w, float* out, int64_t k);
void dequant_row_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);
void dequant_row_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);

}  // namespace vxd::cpu
