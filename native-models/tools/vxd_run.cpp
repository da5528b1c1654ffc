// vxd-run: load a model pair, stream a 16 kHz mono WAV (PCM16 or float) or raw float32 file
// through a session, print one JSON object with the tokens and timings. No Node needed.
//   vxd-run --model model.pte [--data model.ptd] [--backend cpu] [--gpu ID|INDEX] [--dtype fp32] [--threads N]
//           [--chunk SAMPLES] [--logits OUT.f32] [--dump DIR] AUDIO
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "model_flags.h"
#include "vxd.h"
#include "wav_file.h"

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "vxd-run: %s\n", msg.c_str());
  std::exit(1);
}

std::vector<float> read_audio(const std::string& path) {
  try {
    return vxd::tools::read_wav_16k_mono(path, /*allow_raw=*/true);
  } catch (const std::exception& e) {
    die(e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  vxd_model_params mp;
  vxd_model_default_params(&mp);
  std::string audio_path, logits_path, dump_dir;
  size_t chunk = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (vxd::tools::parse_model_flag(a, next, mp)) continue;
    if (a == "--chunk") chunk = static_cast<size_t>(std::atol(next()));
    else if (a == "--logits") logits_path = next();
    else if (a == "--dump") dump_dir = next();
    else if (a == "--backends") {
      std::printf("%s\n", vxd_backends_json());
      return 0;
    } else if (a[0] == '-') die("unknown option " + a);
    else audio_path = a;
  }
  if (!mp.pte_path || audio_path.empty())
    die(std::string("usage: vxd-run ") + vxd::tools::kModelFlagsUsage + " [--chunk N] [--logits out.f32] [--dump DIR] AUDIO");
  std::vector<float> audio = read_audio(audio_path);
  vxd_model* model = nullptr;
  if (vxd_model_load(&mp, &model) != VXD_OK) die(vxd_last_error());
  vxd_session_params sp;
  vxd_session_default_params(&sp);
  if (!logits_path.empty()) sp.capture_mask = VXD_CAPTURE_LOGITS;
  if (!dump_dir.empty()) sp.capture_mask = VXD_CAPTURE_MEL | VXD_CAPTURE_ENCODER | VXD_CAPTURE_AUDIO_EMBEDS | VXD_CAPTURE_LOGITS;
  vxd_session* s = nullptr;
  if (vxd_session_create(model, &sp, &s) != VXD_OK) die(vxd_last_error());
  std::vector<int32_t> tokens;
  int32_t buf[256];
  size_t got = 0;
  auto drain = [&] {
    do {
      if (vxd_session_decode(s, buf, 256, &got) != VXD_OK) die(vxd_last_error());
      tokens.insert(tokens.end(), buf, buf + got);
    } while (got > 0);
  };
  const size_t step = chunk ? chunk : audio.size();
  for (size_t o = 0; o < audio.size(); o += step) {
    if (vxd_session_push(s, audio.data() + o, std::min(step, audio.size() - o)) != VXD_OK) die(vxd_last_error());
    drain();
  }
  vxd_session_finish(s);
  drain();
  vxd_session_stats st;
  st.struct_size = sizeof(st);
  vxd_session_get_stats(s, &st);
  if (!logits_path.empty()) {
    const float* d;
    size_t rows, cols;
    if (vxd_session_capture(s, VXD_CAPTURE_LOGITS, &d, &rows, &cols) != VXD_OK) die(vxd_last_error());
    std::ofstream o(logits_path, std::ios::binary);
    o.write(reinterpret_cast<const char*>(d), static_cast<std::streamsize>(rows * cols * sizeof(float)));
  }
  if (!dump_dir.empty()) {
    const std::pair<uint32_t, const char*> what[] = {
        {VXD_CAPTURE_MEL, "mel"}, {VXD_CAPTURE_ENCODER, "encoder"}, {VXD_CAPTURE_AUDIO_EMBEDS, "audio_embeds"}, {VXD_CAPTURE_LOGITS, "logits"}};
    for (const auto& [flag, name] : what) {
      const float* d;
      size_t rows, cols;
      if (vxd_session_capture(s, flag, &d, &rows, &cols) != VXD_OK) die(vxd_last_error());
      std::ofstream o(dump_dir + "/" + name + "." + std::to_string(cols) + ".f32", std::ios::binary);
      o.write(reinterpret_cast<const char*>(d), static_cast<std::streamsize>(rows * cols * sizeof(float)));
    }
  }
  const double steady = st.steps > 1 ? (st.total_step_ms - st.prefill_ms) / static_cast<double>(st.steps - 1) : st.total_step_ms;
  std::printf("{\"tokens\":[");
  for (size_t i = 0; i < tokens.size(); ++i) std::printf("%s%d", i ? "," : "", tokens[i]);
  std::printf("],\"audioSeconds\":%.3f,\"steps\":%lld,\"prefillMs\":%.3f,\"msPerStep\":%.3f,\"eos\":%s,\"model\":%s}\n",
              audio.size() / 16000.0, static_cast<long long>(st.steps), st.prefill_ms, steady, st.eos ? "true" : "false",
              vxd_model_info_json(model));
  vxd_session_destroy(s);
  vxd_model_free(model);
  return 0;
}
