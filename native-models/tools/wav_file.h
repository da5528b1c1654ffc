// The command-line tools' audio reader: 16 kHz mono WAV (PCM16 or float32, WAVE_FORMAT_EXTENSIBLE
// included) or, for vxd-run, a headerless float32 file. The app and the CLI read any WAV through
// native-models/js/audio; these tools run where there is no Node (the GPU machine).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace vxd::tools {

inline uint32_t wav_u32(const std::vector<uint8_t>& b, size_t o) {
  return b[o] | b[o + 1] << 8 | b[o + 2] << 16 | static_cast<uint32_t>(b[o + 3]) << 24;
}
inline uint16_t wav_u16(const std::vector<uint8_t>& b, size_t o) { return static_cast<uint16_t>(b[o] | b[o + 1] << 8); }

// Throws std::runtime_error with a message naming the file. `allow_raw`: a file that is not RIFF/WAVE
// is read as headerless float32 samples.
inline std::vector<float> read_wav_16k_mono(const std::string& path, bool allow_raw) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  const std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> out;
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) || std::memcmp(b.data() + 8, "WAVE", 4)) {
    if (!allow_raw) throw std::runtime_error(path + " is not a WAV file");
    out.resize(b.size() / 4);
    std::memcpy(out.data(), b.data(), out.size() * 4);
    return out;
  }
  uint16_t fmt = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  for (size_t pos = 12; pos + 8 <= b.size();) {
    const size_t body = pos + 8;
    const size_t len = std::min<size_t>(wav_u32(b, pos + 4), b.size() - body);  // a truncated chunk is read as far as it goes
    if (!std::memcmp(b.data() + pos, "fmt ", 4) && len >= 16) {
      fmt = wav_u16(b, body), channels = wav_u16(b, body + 2), rate = wav_u32(b, body + 4), bits = wav_u16(b, body + 14);
      if (fmt == 0xFFFE && len >= 26) fmt = wav_u16(b, body + 24);  // WAVE_FORMAT_EXTENSIBLE: the sub-format
    } else if (!std::memcmp(b.data() + pos, "data", 4)) {
      if (rate != 16000 || channels != 1)
        throw std::runtime_error(path + ": needs 16 kHz mono WAV (use `npx voxtral transcribe` for others)");
      if (fmt == 1 && bits == 16) {
        for (size_t i = 0; i + 1 < len; i += 2) out.push_back(static_cast<int16_t>(wav_u16(b, body + i)) / 32768.0f);
      } else if (fmt == 3 && bits == 32) {
        out.resize(len / 4);
        std::memcpy(out.data(), b.data() + body, out.size() * 4);
      } else {
        throw std::runtime_error(path + ": unsupported WAV encoding (PCM16 or float32 only)");
      }
      return out;
    }
    pos = body + len + (len & 1);
  }
  throw std::runtime_error(path + ": WAV without data chunk");
}

}  // namespace vxd::tools
