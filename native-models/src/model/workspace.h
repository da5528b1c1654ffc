// Per-session device state: activation scratch sized for the largest call (the prefill), conv
// carries and ring KV caches. Allocated once; memory stays flat however long the stream runs.
#pragma once

#include <vector>

#include "../backend.h"
#include "config.h"

namespace vxd {

struct Workspace {
  Workspace(Backend& backend, const ModelConfig& c, DType act, int64_t max_tokens);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Bytes a workspace will allocate (for the memory budget).
  static uint64_t bytes_needed(const ModelConfig& c, DType act, int64_t max_tokens);

  int64_t max_tokens;
  // encoder
  Act mel_in;      // [conv1 carry 2 + 8 T, n_mels]
  Act conv1_cols;  // [8 T, n_mels * 3]
  Act conv1_out;   // [conv2 carry 1 + 8 T, enc_dim]
  Act conv2_cols;  // [4 T, enc_dim * 3]
  Act eh, ea, eq, ek, ev, eatt, egate, eup;  // encoder rows [4 T, ...]
  Act ad_hidden, audio_embeds;               // [T, dim]
  std::vector<KVCache> enc_cache;
  // decoder
  Act x, a, q, k, v, att, gate, up, last_norm, logits;
  std::vector<KVCache> dec_cache;
  int32_t* token_ids = nullptr;  // device I32 [T]; ids[0] holds the last sampled token

 private:
  Act make(int64_t rows, int64_t cols, DType t);
  Backend& be_;
  std::vector<Buffer> buffers_;
};

}  // namespace vxd
