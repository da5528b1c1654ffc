#include "session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "../error.h"

namespace vxd {

Session::Session(Model& model, uint32_t capture_mask) : model_(model), c_(model.config) {
  ws_ = std::make_unique<Workspace>(*model.backend, c_, model.act_dtype, c_.prompt_length());
  audio_.assign(static_cast<size_t>(c_.n_left_pad_tokens * c_.samples_per_token()), 0.0f);
  captures_.mask = capture_mask;
}

void Session::push(const float* pcm, size_t n) {
  if (finished_) fail(VXD_ERR_STATE, "audio pushed after the end of the stream (flush)");
  if (eos_) return;  // the model has ended the transcript; later audio is ignored
  const size_t at = audio_.size();
  audio_.insert(audio_.end(), pcm, pcm + n);
  // Non-finite samples (a broken capture device) become silence instead of poisoning the caches.
  for (size_t i = at; i < audio_.size(); ++i)
    if (!std::isfinite(audio_[i])) audio_[i] = 0.0f;
  samples_pushed_ += static_cast<int64_t>(n);
}

void Session::finish() {
  if (finished_) return;
  finished_ = true;
  if (samples_pushed_ == 0) return;  // nothing was said: no steps at all
  const int64_t spt = c_.samples_per_token();
  const int64_t align = (spt - samples_pushed_ % spt) % spt;
  audio_.resize(audio_.size() + static_cast<size_t>(align + c_.n_right_pad_tokens * spt + c_.look_ahead_samples()), 0.0f);
}

bool Session::done() const {
  const bool can_step = next_token_ == 0 ? ready_for(c_.prompt_length()) : ready_for(next_token_ + 1);
  return eos_ || (finished_ && !can_step);
}

// Token p needs padded samples up to 1280 (p + 1) + 40.
bool Session::ready_for(int64_t n_tokens_total) const {
  if (finished_ && samples_pushed_ == 0) return false;
  return available_end() >= n_tokens_total * c_.samples_per_token() + c_.look_ahead_samples();
}

size_t Session::decode(int32_t* out, size_t capacity) {
  size_t produced = 0;
  while (produced < capacity && !eos_) {
    int32_t id;
    if (next_token_ == 0) {
      if (!ready_for(c_.prompt_length())) break;
      id = prefill();
    } else {
      if (!ready_for(next_token_ + 1)) break;
      const auto t0 = std::chrono::steady_clock::now();
      std::lock_guard<std::mutex> lock(model_.compute);
      id = run(next_token_, 1);
      total_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
    out[produced++] = id;
    ++steps_;
    ++tokens_;
    if (id == c_.eos_id) eos_ = true;
    trim_audio();
  }
  return produced;
}

void Session::upload_mel(int64_t first_token, int64_t n_tokens, bool capture) {
  const int64_t fpt = c_.mel_frames_per_token(), frames = n_tokens * fpt, n_mels = c_.num_mel_bins;
  mel_host_.resize(static_cast<size_t>(frames * n_mels));
  model_.mel->frames(audio_.data(), audio_start_, static_cast<int64_t>(audio_.size()), first_token * fpt, frames, mel_host_.data());
  model_.backend->upload(ws_->mel_in.rows_view(2, frames).data, mel_host_.data(), mel_host_.size() * sizeof(float));
  if (capture && (captures_.mask & VXD_CAPTURE_MEL)) captures_.mel.insert(captures_.mel.end(), mel_host_.begin(), mel_host_.end());
}

SilentPrefix& Session::silent_prefix() {
  if (!model_.silent_prefix) model_.silent_prefix = std::make_unique<SilentPrefix>(*model_.backend, c_);
  return *model_.silent_prefix;
}

void Session::make_silent_prefix(SilentPrefix& prefix) {
  run(0, prefix.tokens(), /*capture=*/false);  // the timeline starts with the left pad's zeros
  prefix.save(*ws_);
}

void Session::keep_silent_prefix() {
  if (next_token_ != 0) fail(VXD_ERR_STATE, "the silent prefix is computed on a fresh session");
  std::lock_guard<std::mutex> lock(model_.compute);
  SilentPrefix& prefix = silent_prefix();
  if (!prefix.ready() && prefix.tokens() > 0) make_silent_prefix(prefix);
}

// The prompt: its first tokens come from the model's silent prefix. A session capturing
// activations computes them itself, so that its captures start at token 0; logits are captured
// for the prompt's last token either way.
int32_t Session::prefill() {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t prompt = c_.prompt_length();
  std::lock_guard<std::mutex> lock(model_.compute);
  SilentPrefix& prefix = silent_prefix();
  int32_t id;
  const uint32_t per_token = VXD_CAPTURE_MEL | VXD_CAPTURE_ENCODER | VXD_CAPTURE_AUDIO_EMBEDS;
  if ((captures_.mask & per_token) || prefix.tokens() == 0) {
    id = run(0, prompt);
  } else {
    if (prefix.ready()) {
      prefix.restore(*ws_);
      reused_prefix_tokens_ = prefix.tokens();
    } else {
      make_silent_prefix(prefix);  // a model loaded without the C API's loader (bench_engine)
    }
    id = run(prefix.tokens(), prompt - prefix.tokens());
  }
  prefill_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  total_ms_ += prefill_ms_;
  return id;
}

int32_t Session::run(int64_t first, int64_t n, bool capture) {
  Backend& be = *model_.backend;
  upload_mel(first, n, capture);
  if (first < c_.prompt_length()) {
    // Prompt ids (spec §6): BOS, then streaming pads.
    std::vector<int32_t> prompt(static_cast<size_t>(n), static_cast<int32_t>(c_.streaming_pad_id));
    if (first == 0) prompt[0] = static_cast<int32_t>(c_.bos_id);
    be.upload(ws_->token_ids, prompt.data(), prompt.size() * sizeof(int32_t));
  }
  be.set_step_param(kEncoderPos, first * c_.enc_frames_per_token());
  be.set_step_param(kDecoderPos, first);
  // The sampled token stays on the device in token_ids[0] and feeds the next step.
  be.run_step(n == 1 ? "step" : "prefill", [&] {
    encode_audio(model_, *ws_, n);
    decode_positions(model_, *ws_, n);
  });
  int32_t id = 0;
  be.download(&id, ws_->token_ids, sizeof(id));
  auto grab = [&](uint32_t flag, const Act& a, std::vector<float>& dst) {
    if (!capture || !(captures_.mask & flag)) return;
    std::vector<float> host(static_cast<size_t>(a.rows * a.cols));
    if (a.dtype == DType::BF16) {
      std::vector<uint16_t> raw(host.size());
      be.download(raw.data(), a.data, raw.size() * sizeof(uint16_t));
      for (size_t i = 0; i < raw.size(); ++i) {
        uint32_t u = static_cast<uint32_t>(raw[i]) << 16;
        std::memcpy(&host[i], &u, 4);
      }
    } else {
      be.download(host.data(), a.data, host.size() * sizeof(float));
    }
    dst.insert(dst.end(), host.begin(), host.end());
  };
  grab(VXD_CAPTURE_ENCODER, ws_->eh.rows_view(0, n * c_.enc_frames_per_token()), captures_.encoder);
  grab(VXD_CAPTURE_AUDIO_EMBEDS, ws_->audio_embeds.rows_view(0, n), captures_.audio_embeds);
  grab(VXD_CAPTURE_LOGITS, ws_->logits, captures_.logits);
  next_token_ = first + n;
  return id;
}

// Keeps only what the next token's mel still needs (200 samples before its start).
void Session::trim_audio() {
  const int64_t keep_from = next_token_ * c_.samples_per_token() - model_.mel->half_window();
  const int64_t drop = keep_from - audio_start_;
  if (drop < 65536) return;  // amortise the erase
  audio_.erase(audio_.begin(), audio_.begin() + drop);
  audio_start_ += drop;
}

}  // namespace vxd
