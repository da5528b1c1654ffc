// The CPU backend: host memory, a thread pool and run-time-dispatched SIMD kernels.
// Activations may be fp32 or bf16 in memory; every op computes in fp32 (bf16 values are widened
// on load and rounded to nearest-even on store), so bf16 halves activation and KV-cache memory.
#pragma once

#include <memory>

#include "../../src/backend.h"
#include "dot.h"
#include "thread_pool.h"

namespace vxd::cpu {

class CpuBackend final : public Backend {
 public:
  // `kernels` overrides the run-time ISA choice (tests).
  explicit CpuBackend(const BackendOptions& options, const DotKernels* kernels = nullptr);
  const char* id() const override { return "cpu"; }

  Buffer alloc(size_t bytes) override;
  void free(Buffer& buf) override;
  void upload(void* dst, const void* src, size_t bytes) override;
  void download(void* dst, const void* src, size_t bytes) override;
  Weight upload_weight(const HostWeight& w) override;
  const float* upload_vector(const float* host, size_t n) override;
  size_t weight_footprint(const HostWeight& w) const override;

  void set_step_param(StepParam slot, int64_t value) override;
  void run_step(const std::string& key, const std::function<void()>& record) override;
  void synchronize() override {}

  void matmul(const Act& x, const Weight& w, const float* bias, const Act* residual, Act& y) override;
  void rmsnorm(const Act& x, const float* weight, float eps, const float* ada, Act& y) override;
  void rope(Act& x, int n_heads, int head_dim, double theta, StepParam pos) override;
  void kv_write(const Act& k, const Act& v, KVCache& cache, StepParam pos) override;
  void attention(const Act& q, const KVCache& cache, const AttentionShape& shape, StepParam pos, Act& out) override;
  void im2col(const Act& x, int kernel, int stride, Act& cols) override;
  void copy(const Act& src, Act& dst) override;
  void gelu(Act& x) override;
  void silu_mul(const Act& gate, const Act& up, Act& out) override;
  void embed(const Weight& table, const int32_t* ids, const Act* add, Act& out) override;
  void argmax(const Act& x, int32_t* out_id) override;

  ThreadPool& pool() { return pool_; }
  const DotKernels& kernels() const { return kernels_; }

 private:
  ThreadPool pool_;
  const DotKernels& kernels_;
  int64_t params_[kStepParamCount] = {};
  std::vector<std::unique_ptr<float[]>> vectors_;  // upload_vector copies
};

const BackendEntry& cpu_backend_entry();

}  // namespace vxd::cpu
