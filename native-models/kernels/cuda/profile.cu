#include <algorithm>
#include <cstdio>

#include "profile.h"

namespace vxd::cuda {

OpProfiler::~OpProfiler() {
  for (auto e : free_) cudaEventDestroy(e);
}

cudaEvent_t OpProfiler::take() {
  if (free_.empty()) {
    cudaEvent_t e = nullptr;
    cudaEventCreate(&e);
    return e;
  }
  cudaEvent_t e = free_.back();
  free_.pop_back();
  return e;
}

void OpProfiler::begin(cudaStream_t stream) {
  open_ = take();
  cudaEventRecord(open_, stream);
}

void OpProfiler::end(cudaStream_t stream, std::string name) {
  if (!open_) return;
  cudaEvent_t stop = take();
  cudaEventRecord(stop, stream);
  pending_.push_back({std::move(name), open_, stop});
  open_ = nullptr;
  if (pending_.size() >= 4096) drain();
}

void OpProfiler::drain() {
  for (auto& p : pending_) {
    cudaEventSynchronize(p.stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, p.start, p.stop);
    auto& t = totals_[p.name];
    t.first += ms;
    t.second += 1;
    free_.push_back(p.start);
    free_.push_back(p.stop);
  }
  pending_.clear();
}

void OpProfiler::report() {
  drain();
  std::vector<std::pair<std::string, std::pair<double, long>>> rows(totals_.begin(), totals_.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  double all = 0;
  for (const auto& r : rows) all += r.second.first;
  std::fprintf(stderr, "CUDA op profile (GPU time between events; %.3f ms in all)\n%10s %8s %10s  %s\n", all, "total ms", "calls",
               "mean us", "op");
  for (const auto& r : rows)
    std::fprintf(stderr, "%10.3f %8ld %10.2f  %s\n", r.second.first, r.second.second, 1e3 * r.second.first / r.second.second,
                 r.first.c_str());
  totals_.clear();
}

}  // namespace vxd::cuda
