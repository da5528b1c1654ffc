// Host-side helpers of the CUDA check and benchmark programs: number conversions, a fast RNG,
// random weights in every storage dtype, and activations moved to/from any backend as fp32.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backend.h"

namespace vxd::tools {

uint16_t f32_to_bf16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

// xorshift64*: fast and good enough for test data.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  float uniform() { return static_cast<float>(next() >> 40) / 16777216.0f; }  // [0, 1)
  float sym() { return 2.0f * uniform() - 1.0f; }                             // [-1, 1)
};

// A weight in host memory (owning its bytes) as upload_weight takes it.
struct OwnedWeight {
  std::vector<uint8_t> data;
  std::vector<uint16_t> scales;
  HostWeight view() const;
  DType dtype = DType::F32;
  int64_t n = 0, k = 0;
  int32_t group = 0;
};

// Random values of magnitude ~`scale` (never zeros): f32/bf16 uniform, q8/q4 random codes with
// fp16 group scales in [0.5, 1.5] * scale / (127 or 7).
OwnedWeight random_weight(DType dtype, int64_t n, int64_t k, int32_t group, float scale, Rng& rng);

std::vector<float> random_values(size_t n, float scale, Rng& rng);

// An activation matrix allocated on a backend; freed with it.
class DevMatrix {
 public:
  DevMatrix(Backend& backend, int64_t rows, int64_t cols, DType dtype, int64_t stride = 0);
  ~DevMatrix();
  DevMatrix(const DevMatrix&) = delete;
  DevMatrix& operator=(const DevMatrix&) = delete;
  Act act;
  void write(const std::vector<float>& values);  // rows*cols values (row-major), converted to dtype
  std::vector<float> read() const;                // rows*cols values as fp32
  void poison();                                  // every element NaN

 private:
  Backend& backend_;
  Buffer buf_;
};

}  // namespace vxd::tools
