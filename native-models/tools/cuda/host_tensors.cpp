#include "host_tensors.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace vxd::tools {

uint16_t f32_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float bf16_to_f32(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t f32_to_f16(float f) {  // normal range only (test scales), round to nearest
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const int exp = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  uint32_t man = u & 0x7fffffu;
  uint32_t h = sign | static_cast<uint32_t>(exp) << 10 | man >> 13;
  if ((man & 0x1fffu) > 0x1000u || ((man & 0x1fffu) == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(h);
}

HostWeight OwnedWeight::view() const {
  HostWeight w;
  w.dtype = dtype;
  w.n = n;
  w.k = k;
  w.data = data.data();
  w.data_bytes = data.size();
  w.scales = scales.empty() ? nullptr : scales.data();
  w.scales_bytes = scales.size() * 2;
  w.group = group;
  return w;
}

OwnedWeight random_weight(DType dtype, int64_t n, int64_t k, int32_t group, float scale, Rng& rng) {
  OwnedWeight w;
  w.dtype = dtype;
  w.n = n;
  w.k = k;
  const size_t nk = static_cast<size_t>(n * k);
  switch (dtype) {
    case DType::F32: {
      w.data.resize(nk * 4);
      float* p = reinterpret_cast<float*>(w.data.data());
      for (size_t i = 0; i < nk; ++i) p[i] = scale * rng.sym();
      break;
    }
    case DType::BF16: {
      w.data.resize(nk * 2);
      uint16_t* p = reinterpret_cast<uint16_t*>(w.data.data());
      for (size_t i = 0; i < nk; ++i) p[i] = f32_to_bf16(scale * rng.sym());
      break;
    }
    case DType::Q8:
    case DType::Q4: {
      const bool q8 = dtype == DType::Q8;
      w.group = group;
      w.data.resize(q8 ? nk : nk / 2);
      for (auto& b : w.data) {
        uint8_t v = static_cast<uint8_t>(rng.next() >> 56);
        if (q8 && v == 0x80) v = 0x81;  // symmetric codes: -127..127
        b = v;
      }
      w.scales.resize(static_cast<size_t>(n * (k / group)));
      const float base = scale / (q8 ? 127.0f : 7.0f);
      for (auto& s : w.scales) s = f32_to_f16(base * (0.5f + rng.uniform()));
      break;
    }
    default: break;
  }
  return w;
}

std::vector<float> random_values(size_t n, float scale, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = scale * rng.sym();
  return v;
}

DevMatrix::DevMatrix(Backend& backend, int64_t rows, int64_t cols, DType dtype, int64_t stride) : backend_(backend) {
  act.dtype = dtype;
  act.rows = rows;
  act.cols = cols;
  act.stride = stride ? stride : cols;
  const size_t elem = dtype == DType::BF16 ? 2 : 4;
  buf_ = backend.alloc(static_cast<size_t>(rows * act.stride) * elem);
  act.data = buf_.ptr;
}

DevMatrix::~DevMatrix() { backend_.free(buf_); }

void DevMatrix::write(const std::vector<float>& values) {
  const size_t elem = act.dtype == DType::BF16 ? 2 : 4;
  std::vector<uint8_t> host(buf_.bytes);
  backend_.download(host.data(), buf_.ptr, buf_.bytes);  // keep the padding between rows
  for (int64_t r = 0; r < act.rows; ++r)
    for (int64_t c = 0; c < act.cols; ++c) {
      const float v = values[static_cast<size_t>(r * act.cols + c)];
      uint8_t* dst = host.data() + static_cast<size_t>(r * act.stride + c) * elem;
      if (act.dtype == DType::BF16) {
        const uint16_t h = f32_to_bf16(v);
        std::memcpy(dst, &h, 2);
      } else {
        std::memcpy(dst, &v, 4);
      }
    }
  backend_.upload(buf_.ptr, host.data(), buf_.bytes);
}

std::vector<float> DevMatrix::read() const {
  const size_t elem = act.dtype == DType::BF16 ? 2 : 4;
  std::vector<uint8_t> host(buf_.bytes);
  backend_.download(host.data(), buf_.ptr, buf_.bytes);
  std::vector<float> out(static_cast<size_t>(act.rows * act.cols));
  for (int64_t r = 0; r < act.rows; ++r)
    for (int64_t c = 0; c < act.cols; ++c) {
      const uint8_t* src = host.data() + static_cast<size_t>(r * act.stride + c) * elem;
      float v;
      if (act.dtype == DType::BF16) {
        uint16_t h;
        std::memcpy(&h, src, 2);
        v = bf16_to_f32(h);
      } else {
        std::memcpy(&v, src, 4);
      }
      out[static_cast<size_t>(r * act.cols + c)] = v;
    }
  return out;
}

void DevMatrix::poison() {
  write(std::vector<float>(static_cast<size_t>(act.rows * act.cols), std::numeric_limits<float>::quiet_NaN()));
}

}  // namespace vxd::tools
