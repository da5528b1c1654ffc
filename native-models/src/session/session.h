// Streaming state of one utterance stream (spec §6): the left-padded audio timeline, prompt and
// prefill, one decoder step per 1280 samples (+40 look-ahead), the sampled token fed back,
// right-pad flush, EOS stop. Positions grow without bound; caches are rings.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../model/model.h"

namespace vxd {

struct Captures {
  uint32_t mask = 0;
  std::vector<float> mel, encoder, audio_embeds, logits;
};

class Session {
 public:
  Session(Model& model, uint32_t capture_mask);

  void push(const float* pcm, size_t n);
  void finish();
  // Runs steps while audio allows, appending sampled ids to out (at most `capacity`).
  size_t decode(int32_t* out, size_t capacity);
  // On a fresh session: computes the model's silent prefix and keeps it, if no session did yet,
  // so that every later session starts from it (the loader calls this; the session is spent).
  void keep_silent_prefix();

  int64_t steps() const { return steps_; }
  int64_t tokens() const { return tokens_; }
  int64_t next_position() const { return next_token_ == 0 ? model_.config.prompt_length() - 1 : next_token_; }
  double total_ms() const { return total_ms_; }
  double prefill_ms() const { return prefill_ms_; }
  bool eos() const { return eos_; }
  bool done() const;
  int64_t samples_pushed() const { return samples_pushed_; }
  int64_t reused_prefix_tokens() const { return reused_prefix_tokens_; }
  const Captures& captures() const { return captures_; }
  const ModelConfig& config() const { return c_; }

 private:
  int64_t available_end() const { return audio_start_ + static_cast<int64_t>(audio_.size()); }
  bool ready_for(int64_t n_tokens_total) const;
  int32_t prefill();
  SilentPrefix& silent_prefix();  // the model's, made on first use; model_.compute held
  void make_silent_prefix(SilentPrefix& prefix);  // on a fresh session; model_.compute held
  // One backend step over tokens [first_token, first_token + n_tokens); model_.compute held.
  int32_t run(int64_t first_token, int64_t n_tokens, bool capture = true);
  void upload_mel(int64_t first_token, int64_t n_tokens, bool capture);
  void trim_audio();

  Model& model_;
  const ModelConfig& c_;
  std::unique_ptr<Workspace> ws_;
  std::vector<float> audio_;  // padded samples [audio_start_, audio_start_ + size)
  int64_t audio_start_ = 0;
  int64_t next_token_ = 0;    // next audio token (decoder position) to compute
  int64_t samples_pushed_ = 0;
  int64_t steps_ = 0, tokens_ = 0, reused_prefix_tokens_ = 0;
  double total_ms_ = 0, prefill_ms_ = 0;
  bool finished_ = false, eos_ = false;
  std::vector<float> mel_host_;
  Captures captures_;
};

}  // namespace vxd
