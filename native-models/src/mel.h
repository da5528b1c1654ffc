// Log-mel front end, exactly spec §3: periodic Hann 400, hop 160, |STFT|^2, 128 Slaney mels
// (0..8 kHz, Slaney area norm), log10 clamp at 1e-10, floor at global_log_mel_max - 8, (L+4)/4.
// Frame t is centred on padded sample 160 t and covers [160 t - 200, 160 t + 200).
#pragma once

#include <cstdint>
#include <vector>

namespace vxd {

class LogMel {
 public:
  explicit LogMel(double global_log_mel_max, int n_mels = 128, int n_fft = 400, int hop = 160, int sample_rate = 16000);

  int n_mels() const { return n_mels_; }
  int hop() const { return hop_; }
  // Samples a frame reaches past its centre (n_fft / 2).
  int half_window() const { return n_fft_ / 2; }

  // Computes frames [t0, t0 + count) into out ([count, n_mels], frame-major). `audio` holds padded
  // samples [audio_start, audio_start + audio_len); samples outside it read as zero.
  void frames(const float* audio, int64_t audio_start, int64_t audio_len, int64_t t0, int64_t count, float* out) const;

  // The [n_mels, n_fft/2+1] filterbank (exposed for tests).
  const std::vector<double>& filters() const { return filters_; }

 private:
  int n_mels_, n_fft_, hop_, n_bins_;
  double floor_;
  std::vector<double> window_, cos_, sin_, filters_;
};

}  // namespace vxd
