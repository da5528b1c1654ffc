// CPU backend: memory, step params and registration. Ops live in one file per family.
#include "cpu_backend.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "../../src/error.h"

namespace vxd::cpu {

CpuBackend::CpuBackend(const BackendOptions& options, const DotKernels* kernels)
    : pool_(options.n_threads), kernels_(kernels ? *kernels : dot_kernels()) {}

Buffer CpuBackend::alloc(size_t bytes) {
  Buffer b;
  size_t rounded = (bytes + 63) / 64 * 64;
  b.ptr = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!b.ptr) fail(VXD_ERR_OUT_OF_MEMORY, "out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(b.ptr, 0, rounded ? rounded : 64);
  b.bytes = bytes;
  return b;
}

void CpuBackend::free(Buffer& buf) {
  std::free(buf.ptr);
  buf = Buffer{};
}

void CpuBackend::upload(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void CpuBackend::download(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }

Weight CpuBackend::upload_weight(const HostWeight& w) {
  // Zero copy: the kernels read the mapped file directly (unaligned loads are fine).
  Weight out;
  out.dtype = w.dtype;
  out.n = w.n;
  out.k = w.k;
  out.data = w.data;
  out.scales = w.scales;
  out.group = w.group;
  return out;
}

const float* CpuBackend::upload_vector(const float* host, size_t n) {
  std::unique_ptr<float[]> copy(new (std::nothrow) float[n ? n : 1]);
  if (!copy) fail(VXD_ERR_OUT_OF_MEMORY, "out of memory");
  std::memcpy(copy.get(), host, n * sizeof(float));
  vectors_.push_back(std::move(copy));
  return vectors_.back().get();
}

size_t CpuBackend::weight_footprint(const HostWeight& w) const { return w.data_bytes + w.scales_bytes; }

void CpuBackend::set_step_param(StepParam slot, int64_t value) {
  if (slot < 0 || slot >= kStepParamCount) fail(VXD_ERR_INTERNAL, "bad step param slot");
  params_[slot] = value;
}

void CpuBackend::run_step(const std::string&, const std::function<void()>& record) { record(); }

namespace {

BackendInfo probe_cpu() {
  BackendInfo info;
  info.id = "cpu";
  info.name = std::string("CPU (") + dot_kernels().isa + ", " + std::to_string(std::thread::hardware_concurrency()) + " threads)";
  info.available = true;
  return info;
}

std::unique_ptr<Backend> create_cpu(const BackendOptions& options) { return std::make_unique<CpuBackend>(options); }

}  // namespace

const BackendEntry& cpu_backend_entry() {
  static const BackendEntry entry{"cpu", probe_cpu, create_cpu};
  return entry;
}

}  // namespace vxd::cpu
