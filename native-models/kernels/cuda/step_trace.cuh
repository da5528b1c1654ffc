// VXD_CUDA_TRACE=1: the timeline of a captured step as it really runs (graph replay, dependent
// launches overlapping), which Nsight Compute cannot show (it serialises kernels) and Nsight
// Systems does not run on the GPU machine. Each traced launch of the step (the tensor-core GEMVs
// and attention) gets three %globaltimer stamps, maxima over its blocks: its first block ready to
// wait for its predecessor (stored as ~t), its last block past that wait, its last block done.
// Room for two more (v32): the tensor-core GEMV's last block's x staged and its last block's
// rounds done. native-models/reference/pending/v40-staging-stamps.patch sets them (trace_mark 3
// and 4 in gemv_mma.cu); on main no kernel does, as they cost 0.03 ms per 4w step with tracing
// off (v40, one H100), so they print as -1. Each launch carries a label (kind, x rows, k or head dim) so that
// reference/trace_summary.py can group a step's launches.
// Printed for the last step when the backend goes: per launch the gap (the previous launch's
// done to this one's past: the kernel boundary, the late blocks' start and prologue included)
// and the work (past to done). v29's finding (docs/cuda-notes.md): the boundaries are ~1 µs,
// the kernels' own work is ~80 % of the step. Off (null pointer): one uniform branch per block.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common.cuh"
#include "trace_stats.h"

namespace vxd::cuda {

__device__ __forceinline__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Stamp i (0 ready, 1 past, 2 done, 3 staged, 4 rounds done) of a traced launch; null: not traced.
__device__ __forceinline__ void trace_mark(unsigned long long* t, int i) {
  if (t && threadIdx.x == 0) atomicMax(t + i, i == 0 ? ~global_ns() : global_ns());
}
// Done: every thread of the block must call it (all of the block's work precedes the stamp).
__device__ __forceinline__ void trace_done(unsigned long long* t) {
  if (!t) return;
  __syncthreads();
  trace_mark(t, 2);
}

// The host side, one per backend: a slot of three stamps per traced launch of a step.
class StepTrace {
 public:
  static constexpr unsigned kSlots = 4096;  // traced launches per step; later ones are not traced
  static constexpr unsigned kStamps = 5;

  void init(bool on) {
    if (!on) return;
    check(cudaMalloc(&d_, kBytes), "cudaMalloc(step trace)");
    check(cudaMemset(d_, 0, kBytes), "cudaMemset(step trace)");
  }
  void release() {
    cudaFree(d_);
    d_ = nullptr;
  }
  // Zeroes the stamps on the stream (inside a capture: a node of the step's graph).
  void begin_step(cudaStream_t stream) {
    next_ = 0;
    labels_.clear();
    active_ = d_ != nullptr;
    if (active_) check(cudaMemsetAsync(d_, 0, kBytes, stream), "cudaMemsetAsync(step trace)");
  }
  void end_step() {
    if (active_) traced_ = next_;
    active_ = false;
  }
  // Whether slot() hands out stamps now: callers build a label only then (launches are recorded
  // with tracing off too).
  bool taking() const { return active_ && next_ < kSlots; }
  // The next launch's stamps, or null (not tracing, outside a step, or past kSlots).
  unsigned long long* slot(std::string label) {
    if (!taking()) return nullptr;
    labels_.push_back(std::move(label));
    return d_ + kStamps * next_++;
  }
  // One line per traced launch of the last step that ran, µs from the first one's ready stamp;
  // returns how many (0: nothing traced). Never throws: the backend's destructor calls it.
  unsigned print(FILE* f) const {
    if (!d_ || !traced_) return 0;
    std::vector<unsigned long long> t(kStamps * static_cast<size_t>(traced_));
    if (cudaMemcpy(t.data(), d_, t.size() * sizeof(t[0]), cudaMemcpyDeviceToHost) != cudaSuccess) {
      (void)cudaGetLastError();
      return 0;
    }
    const unsigned long long t0 = ~t[0];
    const auto us = [&](unsigned long long v) { return static_cast<double>(static_cast<long long>(v - t0)) / 1e3; };
    std::fprintf(f, "step trace: %u launches, %.2f us from the first one's ready to the last one's done\n", traced_,
                 us(t[kStamps * (traced_ - 1) + 2]));
    unsigned disordered = 0;
    for (unsigned i = 0; i < traced_; ++i) {
      const unsigned long long* u = &t[kStamps * i];
      const double ready = us(~u[0]), past = us(u[1]), done = us(u[2]);
      const double gap = i ? past - us(t[kStamps * (i - 1) + 2]) : 0.0;
      // Staged and rounds, as µs after past (-1: not stamped).
      const double staged = u[3] ? us(u[3]) - past : -1.0, rounds = u[4] ? us(u[4]) - past : -1.0;
      disordered += ready > past || past > done || gap < 0;  // each wait returns after its predecessor's blocks are done
      std::fprintf(f, "trace %4u ready %9.2f past %9.2f done %9.2f work %7.2f gap %6.2f staged %6.2f rounds %6.2f %s\n", i, ready, past, done,
                   done - past, gap, staged, rounds, i < labels_.size() ? labels_[i].c_str() : "?");
    }
    g_trace_launches = traced_;
    g_trace_disordered = disordered;
    return traced_;
  }

 private:
  static constexpr size_t kBytes = kStamps * kSlots * sizeof(unsigned long long);
  std::vector<std::string> labels_;
  unsigned long long* d_ = nullptr;
  unsigned next_ = 0, traced_ = 0;
  bool active_ = false;
};

}  // namespace vxd::cuda
