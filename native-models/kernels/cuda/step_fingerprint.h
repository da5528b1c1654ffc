// A hash of every op and argument (buffers, shapes, dtypes, scalars) recorded in a step. A
// captured graph bakes in the buffers it was recorded with, so run_step replays a graph only
// when a host-side dry run of the step gives the same fingerprint; otherwise it records anew.
// This keeps replays correct when two sessions use the same step key with different buffers.
#pragma once

#include <cstdint>
#include <cstring>

#include "../../src/backend.h"

namespace vxd::cuda {

class StepFingerprint {
 public:
  void reset() { h_ = 0xcbf29ce484222325ull; }
  uint64_t value() const { return h_; }

  void add(uint64_t v) {
    h_ ^= v;
    h_ *= 0x100000001b3ull;
    h_ ^= h_ >> 29;
  }
  void add(int64_t v) { add(static_cast<uint64_t>(v)); }
  void add(int v) { add(static_cast<uint64_t>(static_cast<int64_t>(v))); }
  void add(float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    add(static_cast<uint64_t>(u));
  }
  void add(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    add(u);
  }
  void add(const void* p) { add(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p))); }
  void add(const Act& a) {
    add(a.data), add(static_cast<int>(a.dtype)), add(a.rows), add(a.cols), add(a.stride);
  }
  void add(const Act* a) {
    if (a) add(*a);
    else add(uint64_t{0});
  }
  void add(const Weight& w) {
    add(w.data), add(static_cast<const void*>(w.scales)), add(static_cast<int>(w.dtype)), add(w.n), add(w.k), add(w.group);
  }
  void add(const KVCache& c) { add(c.k), add(c.v), add(c.ring); }
  void add(const AttentionShape& s) { add(s.n_heads), add(s.n_kv_heads), add(s.head_dim), add(s.window); }
  void add(StepParam p) { add(static_cast<int>(p)); }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace vxd::cuda
