// A loaded model: configuration, mapped weights on a backend, and the forward passes.
// The forward passes only enqueue backend ops; they never touch device memory directly.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "../backend.h"
#include "../format/ptd.h"
#include "../format/pte.h"
#include "../mel.h"
#include "config.h"
#include "silent_prefix.h"
#include "weights.h"
#include "workspace.h"

namespace vxd {

// VXD_FUSED=0 makes the forward passes issue the unfused op sequence (one op per norm, matmul,
// RoPE, ...) instead of the fused ops, to compare the two or fall back; read once per load.
inline bool fused_ops_from_env() {
  const char* v = std::getenv("VXD_FUSED");
  return !(v && std::strcmp(v, "0") == 0);
}

struct Model {
  PteProgram program;
  ModelConfig config;
  std::unique_ptr<PtdFile> ptd;
  std::unique_ptr<Backend> backend;
  ModelWeights weights;
  std::unique_ptr<LogMel> mel;
  DType act_dtype = DType::F32;
  std::string dtype_name, info_json;
  std::string device_id, device_name;  // a device backend's device (empty on the CPU)
  uint64_t weight_bytes = 0, session_bytes = 0;
  bool fused = fused_ops_from_env();  // see fused_ops_from_env
  std::mutex compute;  // one step at a time on the backend (see vxd.h threading contract)
  // Made by the loader (or else by the first session that prefills), under `compute`; declared
  // after `backend`, whose memory it holds, so that it goes first.
  std::unique_ptr<SilentPrefix> silent_prefix;
};

// Encoder + adapter for `n_tokens` audio tokens whose 8 n mel rows are already in
// ws.mel_in rows [2, 2 + 8 n). Writes ws.audio_embeds rows [0, n). Step param kEncoderPos must
// hold the absolute encoder frame of the first new row.
void encode_audio(const Model& m, Workspace& ws, int64_t n_tokens);

// Decoder over `n` positions (kDecoderPos = first): input = audio_embeds[r] + embed(token_ids[r]).
// Writes the argmax of the last position to token_ids[0] and its logits to ws.logits.
void decode_positions(const Model& m, Workspace& ws, int64_t n);

}  // namespace vxd
