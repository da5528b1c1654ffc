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
  // Batched matmul's register tile: out[m·ldo + j] = x_m · w_j for m < mr ≤ kTileRows and
  // j < nr ≤ tile_cols, x_m = x + m·ldx, w_j = w + j·ldw (fp32 rows of k). Each x and w vector
  // loaded feeds several FMAs, and each pair's sum runs in its own accumulator in the same order
  // whatever the tile's shape, so a result does not depend on the rows computed beside it.
  // Null: the matmul takes f32 per pair.
  void (*f32_tile)(const float* x, int64_t ldx, int mr, const float* w, int64_t ldw, int nr, int64_t k, float* out, int64_t ldo);
  int tile_cols;
  // y += a · x over n elements (attention's weighted sum of value rows).
  void (*axpy_f32)(float a, const float* x, float* y, int64_t n);
  void (*axpy_bf16)(float a, const uint16_t* x, float* y, int64_t n);
};

constexpr int kTileRows = 4;

const DotKernels& dot_kernels();         // best for this machine (VXD_ISA=scalar|avx2|avx512 overrides)
const DotKernels& dot_kernels_scalar();  // portable reference
const DotKernels* dot_kernels_avx2();    // null when not compiled in
const DotKernels* dot_kernels_avx512();
const DotKernels* dot_kernels_neon();

// Dequantizes one weight row into fp32 (portable; used by batched matmul and embedding).
void dequant_row_bf16(const uint16_t* w, float* out, int64_t k);
void dequant_row_q8(const int8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);
void dequant_row_q4(const uint8_t* w, const uint16_t* scales, int64_t group, float* out, int64_t k);
void axpy_row_f32(float a, const float* x, float* y, int64_t n);  // portable y += a · x
void axpy_row_bf16(float a, const uint16_t* x, float* y, int64_t n);

}  // namespace vxd::cpu
