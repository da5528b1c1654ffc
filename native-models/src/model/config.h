// Model configuration read from the .pte constant methods (docs/architecture.md "Model files").
#pragma once

#include <cstdint>
#include <string>

#include "../format/pte.h"

namespace vxd {

struct ModelConfig {
  // audio front end
  int64_t sample_rate, num_mel_bins, hop_length, window_size, step_samples, downsample_factor;
  double global_log_mel_max;
  // encoder
  int64_t enc_dim, enc_n_layers, enc_n_heads, enc_head_dim, enc_hidden_dim, enc_window;  // enc_window = max_enc_len
  double enc_rope_theta, enc_norm_eps;
  // decoder
  int64_t dim, n_layers, n_heads, n_kv_heads, head_dim, hidden_dim, vocab_size, sliding_window, ada_t_cond_dim;
  double rope_theta, norm_eps;
  // streaming protocol
  int64_t delay_tokens, n_left_pad_tokens, n_right_pad_tokens, bos_id, eos_id, streaming_pad_id, streaming_word_id;
  // weights
  std::string weight_dtype, quant, embedding_quant;  // "fp32"|"bf16", "none"|"8w"|"4w", "none"|"8w"
  int64_t group_size;
  int64_t format_version;

  int64_t samples_per_token() const { return step_samples; }
  int64_t mel_frames_per_token() const { return step_samples / hop_length; }
  int64_t enc_frames_per_token() const { return downsample_factor; }
  int64_t prompt_length() const { return 1 + n_left_pad_tokens + delay_tokens; }
  // Samples past a token's end that its last mel frame reads (half a window less a hop: 40).
  int64_t look_ahead_samples() const { return window_size / 2 - hop_length; }
};

// Reads and validates (ranges, divisibility) every field; throws vxd::Error(VXD_ERR_FORMAT) naming it.
ModelConfig read_config(const PteProgram& program, const std::string& path);

// The configuration as one JSON object (constant-method names and values).
std::string config_json(const PteProgram& program);

}  // namespace vxd
