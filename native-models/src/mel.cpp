#include "mel.h"

#include <algorithm>
#include <cmath>

namespace vxd {
namespace {

double hz_to_mel_slaney(double f) {
  const double logstep = 27.0 / std::log(6.4);
  return f < 1000.0 ? 3.0 * f / 200.0 : 15.0 + std::log(f / 1000.0) * logstep;
}

double mel_to_hz_slaney(double m) {
  const double logstep = std::log(6.4) / 27.0;
  return m < 15.0 ? 200.0 * m / 3.0 : 1000.0 * std::exp(logstep * (m - 15.0));
}

}  // namespace

LogMel::LogMel(double global_log_mel_max, int n_mels, int n_fft, int hop, int sample_rate)
    : n_mels_(n_mels), n_fft_(n_fft), hop_(hop), n_bins_(n_fft / 2 + 1), floor_(global_log_mel_max - 8.0) {
  window_.resize(n_fft_);
  for (int n = 0; n < n_fft_; ++n) window_[n] = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / n_fft_);  // periodic
  cos_.resize(static_cast<size_t>(n_bins_) * n_fft_);
  sin_.resize(cos_.size());
  for (int k = 0; k < n_bins_; ++k)
    for (int n = 0; n < n_fft_; ++n) {
      // Reduce k*n mod n_fft exactly so the table is accurate to the last bit.
      double a = 2.0 * M_PI * static_cast<double>((static_cast<int64_t>(k) * n) % n_fft_) / n_fft_;
      cos_[static_cast<size_t>(k) * n_fft_ + n] = std::cos(a);
      sin_[static_cast<size_t>(k) * n_fft_ + n] = std::sin(a);
    }
  // Slaney triangular filters over FFT bin frequencies linspace(0, sr/2, n_bins).
  const double f_max = sample_rate / 2.0;
  const double m_lo = hz_to_mel_slaney(0.0), m_hi = hz_to_mel_slaney(f_max);
  std::vector<double> f_pts(n_mels_ + 2);
  for (int i = 0; i < n_mels_ + 2; ++i) f_pts[i] = mel_to_hz_slaney(m_lo + (m_hi - m_lo) * i / (n_mels_ + 1));
  filters_.assign(static_cast<size_t>(n_mels_) * n_bins_, 0.0);
  for (int m = 0; m < n_mels_; ++m) {
    const double enorm = 2.0 / (f_pts[m + 2] - f_pts[m]);
    for (int k = 0; k < n_bins_; ++k) {
      const double f = f_max * k / (n_bins_ - 1);
      const double down = (f - f_pts[m]) / (f_pts[m + 1] - f_pts[m]);
      const double up = (f_pts[m + 2] - f) / (f_pts[m + 2] - f_pts[m + 1]);
      filters_[static_cast<size_t>(m) * n_bins_ + k] = std::max(0.0, std::min(down, up)) * enorm;
    }
  }
}

void LogMel::frames(const float* audio, int64_t audio_start, int64_t audio_len, int64_t t0, int64_t count, float* out) const {
  std::vector<double> x(n_fft_), power(n_bins_);
  for (int64_t f = 0; f < count; ++f) {
    const int64_t start = (t0 + f) * hop_ - n_fft_ / 2;
    for (int n = 0; n < n_fft_; ++n) {
      const int64_t i = start + n - audio_start;
      x[n] = (i >= 0 && i < audio_len ? audio[i] : 0.0) * window_[n];
    }
    for (int k = 0; k < n_bins_; ++k) {
      const double* c = &cos_[static_cast<size_t>(k) * n_fft_];
      const double* s = &sin_[static_cast<size_t>(k) * n_fft_];
      double re = 0, im = 0;
      for (int n = 0; n < n_fft_; ++n) {
        re += x[n] * c[n];
        im += x[n] * s[n];
      }
      power[k] = re * re + im * im;
    }
    float* o = out + f * n_mels_;
    for (int m = 0; m < n_mels_; ++m) {
      const double* fl = &filters_[static_cast<size_t>(m) * n_bins_];
      double e = 0;
      for (int k = 0; k < n_bins_; ++k) e += fl[k] * power[k];
      double l = std::log10(std::max(e, 1e-10));
      l = std::max(l, floor_);
      o[m] = static_cast<float>((l + 4.0) / 4.0);
    }
  }
}

}  // namespace vxd
