// The state of a stream after its first tokens, which hear only the left pad's zeros (spec §6):
// the same for every session of a model, so it is computed once and copied into each new session
// instead of being prefilled again. Only the prompt's last few tokens, which reach real audio,
// are left for a session's own prefill.
#pragma once

#include <cstdint>
#include <vector>

#include "../backend.h"
#include "config.h"
#include "workspace.h"

namespace vxd {

// Whether sessions on `backend` use the prefix: on the CPU (where the prompt costs seconds and
// a copied start is checked to the bit in CI) by default; on a device backend only with
// VXD_SILENT_PREFIX=1 until its multi-row prompt at a non-zero position has run on a GPU
// (bench_engine sets it, so the device's parity run checks it); VXD_SILENT_PREFIX=0 turns it off.
bool silent_prefix_enabled(const Backend& backend);

class SilentPrefix {
 public:
  // Holds nothing and copies nothing (tokens() == 0) where silent_prefix_enabled is false.
  SilentPrefix(Backend& backend, const ModelConfig& c);
  ~SilentPrefix();
  SilentPrefix(const SilentPrefix&) = delete;
  SilentPrefix& operator=(const SilentPrefix&) = delete;

  // Tokens whose state reads no sample past the left pad: token p reads up to
  // samples_per_token·(p + 1) + look_ahead_samples, so every token before the pad's last one.
  static int64_t tokens(const ModelConfig& c);
  // Memory a saved prefix holds (counted in the model's memory check, enabled or not).
  static uint64_t bytes_needed(const ModelConfig& c, DType act);

  int64_t tokens() const { return tokens_; }
  bool ready() const { return ready_; }
  // After a session ran exactly its first tokens() tokens: keeps what later tokens read.
  // False (and nothing kept) when the memory for it cannot be had; the session is unaffected.
  bool save(const Workspace& ws);
  // Into a fresh session's workspace, which then continues at token tokens().
  void restore(Workspace& ws) const;

 private:
  std::vector<Act> rows_of(const Workspace& ws) const;
  void release();

  Backend& be_;
  const int64_t tokens_, enc_rows_;
  bool ready_ = false;
  std::vector<Act> kept_;  // in rows_of's order
  std::vector<Buffer> buffers_;
};

}  // namespace vxd
