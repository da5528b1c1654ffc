// Element-wise ops, im2col for the causal conv stem, embedding lookup and argmax.
#include <cmath>
#include <vector>

#include "../../src/error.h"
#include "act_io.h"
#include "cpu_backend.h"

namespace vxd::cpu {

void CpuBackend::im2col(const Act& x, int kernel, int stride, Act& cols) {
  const int64_t c_in = x.cols;
  if (cols.cols != c_in * kernel || (cols.rows - 1) * stride + kernel > x.rows) fail(VXD_ERR_INTERNAL, "im2col shape mismatch");
  pool_.parallel_for(cols.rows, 1, [&](int64_t j0, int64_t j1, int) {
    thread_local std::vector<float> tmp, out;
    out.resize(static_cast<size_t>(cols.cols));
    for (int64_t j = j0; j < j1; ++j) {
      for (int t = 0; t < kernel; ++t) {
        const float* src = load_row(x, j * stride + t, tmp);
        for (int64_t c = 0; c < c_in; ++c) out[c * kernel + t] = src[c];
      }
      store_row(cols, j, out.data());
    }
  });
}

void CpuBackend::copy(const Act& src, Act& dst) {
  if (src.rows != dst.rows || src.cols != dst.cols) fail(VXD_ERR_INTERNAL, "copy shape mismatch");
  std::vector<float> tmp;
  // Row order matters when src and dst overlap (carry shifts copy rows towards the start).
  for (int64_t r = 0; r < src.rows; ++r) {
    const float* s = load_row(src, r, tmp);
    std::vector<float> row(s, s + src.cols);
    store_row(dst, r, row.data());
  }
}

void CpuBackend::gelu(Act& x) {
  pool_.parallel_for(x.rows, 1, [&](int64_t r0, int64_t r1, int) {
    thread_local std::vector<float> tmp, out;
    for (int64_t r = r0; r < r1; ++r) {
      const float* v = load_row(x, r, tmp);
      out.resize(static_cast<size_t>(x.cols));
      for (int64_t i = 0; i < x.cols; ++i) out[i] = gelu_erf(v[i]);
      store_row(x, r, out.data());
    }
  });
}

void CpuBackend::silu_mul(const Act& gate, const Act& up, Act& out) {
  if (gate.rows != up.rows || gate.cols != up.cols || out.rows != gate.rows || out.cols != gate.cols)
    fail(VXD_ERR_INTERNAL, "silu_mul shape mismatch");
  pool_.parallel_for(gate.rows, 1, [&](int64_t r0, int64_t r1, int) {
    thread_local std::vector<float> ga, ub, o;
    for (int64_t r = r0; r < r1; ++r) {
      const float* g = load_row(gate, r, ga);
      const float* u = load_row(up, r, ub);
      o.resize(static_cast<size_t>(gate.cols));
      for (int64_t i = 0; i < gate.cols; ++i) o[i] = silu(g[i]) * u[i];
      store_row(out, r, o.data());
    }
  });
}

void CpuBackend::embed(const Weight& table, const int32_t* ids, const Act* add, Act& out) {
  if (out.cols != table.k || (add && (add->rows != out.rows || add->cols != out.cols))) fail(VXD_ERR_INTERNAL, "embed shape mismatch");
  const int64_t k = table.k;
  std::vector<float> row(static_cast<size_t>(k)), tmp;
  for (int64_t r = 0; r < out.rows; ++r) {
    const int32_t id = ids[r];
    if (id < 0 || id >= table.n) {
      std::fill(row.begin(), row.end(), 0.0f);
    } else {
      switch (table.dtype) {
        case DType::F32: {
          const float* s = static_cast<const float*>(table.data) + id * k;
          std::copy(s, s + k, row.begin());
          break;
        }
        case DType::BF16: dequant_row_bf16(static_cast<const uint16_t*>(table.data) + id * k, row.data(), k); break;
        case DType::Q8:
          dequant_row_q8(static_cast<const int8_t*>(table.data) + id * k, table.scales + id * (k / table.group), table.group, row.data(), k);
          break;
        case DType::Q4:
          dequant_row_q4(static_cast<const uint8_t*>(table.data) + id * (k / 2), table.scales + id * (k / table.group), table.group,
                         row.data(), k);
          break;
        default: fail(VXD_ERR_INTERNAL, "bad embedding dtype");
      }
    }
    if (add) {
      const float* a = load_row(*add, r, tmp);
      for (int64_t i = 0; i < k; ++i) row[i] += a[i];
    }
    store_row(out, r, row.data());
  }
}

void CpuBackend::argmax(const Act& x, int32_t* out_id) {
  std::vector<float> tmp;
  const float* v = load_row(x, 0, tmp);
  int64_t best = 0;
  for (int64_t i = 1; i < x.cols; ++i)
    if (v[i] > v[best]) best = i;  // NaN never wins
  out_id[0] = static_cast<int32_t>(best);
}

}  // namespace vxd::cpu
