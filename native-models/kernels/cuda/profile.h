// Optional per-op GPU timing (VXD_CUDA_PROFILE=1, eager steps only: VXD_CUDA_GRAPHS=0): each op
// is bracketed by two events on the backend's stream; the report (stderr, when the backend is
// destroyed) lists GPU time per op kind and shape, largest total first.
#pragma once

#include <cuda_runtime.h>

#include <map>
#include <string>
#include <vector>

namespace vxd::cuda {

class OpProfiler {
 public:
  explicit OpProfiler(bool enabled) : enabled_(enabled) {}
  ~OpProfiler();
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }
  void begin(cudaStream_t stream);
  void end(cudaStream_t stream, std::string name);
  void report();

 private:
  struct Pending {
    std::string name;
    cudaEvent_t start, stop;
  };
  void drain();
  cudaEvent_t take();
  bool enabled_;
  cudaEvent_t open_ = nullptr;
  std::vector<cudaEvent_t> free_;
  std::vector<Pending> pending_;
  std::map<std::string, std::pair<double, long>> totals_;  // ms, calls
};

}  // namespace vxd::cuda
