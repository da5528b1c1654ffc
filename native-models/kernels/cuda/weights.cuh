// Device-side weight access: one element at a time (generic paths) and whole 16-byte chunks
// dequantized in registers (the streaming GEMV's hot loop).
#pragma once

#include "common.cuh"
#include "q4_tiles.h"

namespace vxd::cuda {

struct DevWeight {
  const void* data;
  const uint16_t* scales;  // fp16, [n, k / group]
  int64_t n, k;
  int group;
  bool tiled;  // q4 data in the tensor-core GEMV's tiled layout (q4_tiles.h, v23), not the file's
};

inline DevWeight dev(const Weight& w) { return DevWeight{w.data, w.scales, w.n, w.k, w.group, w.tiled}; }

// Element (row, col) of a weight as fp32, for any dtype (generic paths, embedding).
template <DType WT>
__device__ __forceinline__ float weight_at(const DevWeight& w, int64_t row, int64_t col) {
  if constexpr (WT == DType::F32) {
    return static_cast<const float*>(w.data)[row * w.k + col];
  } else if constexpr (WT == DType::BF16) {
    return bf16_bits_to_f32(static_cast<const uint16_t*>(w.data)[row * w.k + col]);
  } else {
    const float s = f16_bits_to_f32(w.scales[row * (w.k / w.group) + col / w.group]);
    if constexpr (WT == DType::Q8) {
      return s * static_cast<float>(static_cast<const int8_t*>(w.data)[row * w.k + col]);
    } else {
      // The file's layout by byte (any even k); the tiled one (k a multiple of 128) by word.
      const int code = w.tiled ? static_cast<int>((static_cast<const uint32_t*>(w.data)[q4_tiled_word(row, col / 8, w.k)] >> (4 * (col & 7))) & 15)
                               : static_cast<int>((static_cast<const uint8_t*>(w.data)[row * (w.k / 2) + col / 2] >> (4 * (col & 1))) & 15);
      return s * static_cast<float>(code - 8);
    }
  }
}

// The file's 16-byte chunk `c` of row `row` of a tiled q4 weight: its 4 words lie 16 bytes apart
// in the row's 64 contiguous bytes of that quad.
__device__ __forceinline__ uint4 load_tiled_q4_chunk(const DevWeight& w, int64_t row, int64_t c) {
  const uint32_t* p = static_cast<const uint32_t*>(w.data) + q4_tiled_word(row, 4 * c, w.k);
  return make_uint4(__ldg(p), __ldg(p + 4), __ldg(p + 8), __ldg(p + 12));
}

// Elements held by one 16-byte chunk of a weight row.
template <DType WT>
__host__ __device__ constexpr int chunk_elems() {
  return WT == DType::F32 ? 4 : WT == DType::BF16 ? 8 : WT == DType::Q8 ? 16 : 32;
}

// Columns sharing one sub-block of a chunk: 8 (4 for fp32, whose chunk holds only 4).
template <DType WT>
__host__ __device__ constexpr int sub_elems() {
  return WT == DType::F32 ? 4 : 8;
}

// Sub-block `s` of a chunk (columns [s * sub, (s + 1) * sub)) as fp32 codes; `s` must be a
// compile-time constant after unrolling so the word selection stays in registers.
// Codes become exact floats without int->float conversions (those issue at a quarter rate):
// one byte_perm builds the bit pattern 0x4B0000bb, which is the float 2^23 + bb.
template <DType WT>
__device__ __forceinline__ void unpack_sub(const uint4& bits, int s, float* out) {
  const uint32_t words[4] = {bits.x, bits.y, bits.z, bits.w};
  if constexpr (WT == DType::F32) {
#pragma unroll
    for (int i = 0; i < 4; ++i) out[i] = __uint_as_float(words[i]);
  } else if constexpr (WT == DType::BF16) {
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      out[2 * i] = __uint_as_float(words[i] << 16);
      out[2 * i + 1] = __uint_as_float(words[i] & 0xffff0000u);
    }
  } else if constexpr (WT == DType::Q8) {
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const uint32_t u = words[2 * s + h] ^ 0x80808080u;
#pragma unroll
      for (int j = 0; j < 4; ++j) out[4 * h + j] = __uint_as_float(__byte_perm(u, 0x4B000000u, 0x7540u | j)) - 8388736.0f;
    }
  } else {
    const uint32_t lo = words[s] & 0x0F0F0F0Fu, hi = (words[s] >> 4) & 0x0F0F0F0Fu;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      out[2 * j] = __uint_as_float(__byte_perm(lo, 0x4B000000u, 0x7540u | j)) - 8388616.0f;
      out[2 * j + 1] = __uint_as_float(__byte_perm(hi, 0x4B000000u, 0x7540u | j)) - 8388616.0f;
    }
  }
}

}  // namespace vxd::cuda
