// transcribe_set: one model load, then every WAV of a held-out set (make_data.py's
// OUT/eval/<set>/manifest.jsonl) streamed through its own session via the C API; one JSON line
// per utterance with the token ids (decode them with native-models/train/decode_ids.py, score
// with wer.py). Loading once matters on the GPU machine: a process per file would pay the CUDA
// context set-up 200 times.
//   transcribe_set --model model.pte [--data model.ptd] [--backend cuda] [--dtype bf16] SET_DIR > ids.jsonl
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "../model_flags.h"
#include "../wav_file.h"
#include "vxd.h"

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "transcribe_set: %s\n", msg.c_str());
  std::exit(1);
}

void check(vxd_status s, const char* what) {
  if (s != VXD_OK) die(std::string(what) + ": " + vxd_status_str(s) + ": " + vxd_last_error());
}

std::vector<float> read_wav(const std::string& path) {
  try {
    return vxd::tools::read_wav_16k_mono(path, /*allow_raw=*/false);
  } catch (const std::exception& e) {
    die(e.what());
  }
}

// The "wav" field of a manifest line (make_data.py writes plain file names).
std::string wav_field(const std::string& line) {
  const size_t k = line.find("\"wav\"");
  const size_t q1 = k == std::string::npos ? k : line.find('"', line.find(':', k) + 1);
  const size_t q2 = q1 == std::string::npos ? q1 : line.find('"', q1 + 1);
  if (q2 == std::string::npos) die("manifest line without a \"wav\" field: " + line);
  return line.substr(q1 + 1, q2 - q1 - 1);
}

}  // namespace

int main(int argc, char** argv) {
  vxd_model_params mp;
  vxd_model_default_params(&mp);
  std::string set_dir;
  const std::string usage = std::string("usage: transcribe_set ") + vxd::tools::kModelFlagsUsage + " SET_DIR";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (vxd::tools::parse_model_flag(a, next, mp)) continue;
    if (!a.empty() && a[0] != '-' && set_dir.empty()) set_dir = a;
    else die("unknown argument " + a + "\n" + usage);
  }
  if (!mp.pte_path || set_dir.empty()) die(usage);
  std::ifstream manifest(set_dir + "/manifest.jsonl");
  if (!manifest) die("cannot open " + set_dir + "/manifest.jsonl");

  const auto t_load = std::chrono::steady_clock::now();
  vxd_model* model = nullptr;
  check(vxd_model_load(&mp, &model), "load");
  const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_load).count();
  std::fprintf(stderr, "transcribe_set: %s loaded on %s in %.0f ms\n", mp.pte_path, mp.backend, load_ms);

  double audio_s = 0, compute_s = 0;
  int n = 0;
  std::vector<int32_t> ids(1 << 16);
  for (std::string line; std::getline(manifest, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string wav = wav_field(line);
    const std::vector<float> pcm = read_wav(set_dir + "/" + wav);
    const auto t0 = std::chrono::steady_clock::now();
    vxd_session* s = nullptr;
    check(vxd_session_create(model, nullptr, &s), "session");
    check(vxd_session_push(s, pcm.data(), pcm.size()), "push");
    check(vxd_session_finish(s), "finish");
    size_t total = 0;
    for (;;) {
      size_t got = 0;
      check(vxd_session_decode(s, ids.data() + total, ids.size() - total, &got), "decode");
      total += got;
      vxd_session_stats st;
      std::memset(&st, 0, sizeof(st));
      st.struct_size = sizeof(st);
      check(vxd_session_get_stats(s, &st), "stats");
      if (st.done || total == ids.size()) break;
    }
    vxd_session_destroy(s);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    audio_s += pcm.size() / 16000.0, compute_s += secs, ++n;
    std::string out = "{\"wav\":\"" + wav + "\",\"ms\":" + std::to_string(secs * 1e3) + ",\"tokens\":[";
    for (size_t i = 0; i < total; ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    std::printf("%s]}\n", out.c_str());
  }
  std::fprintf(stderr, "transcribe_set: %d utterances, %.1f s of audio in %.2f s (RTF %.4f)\n", n, audio_s, compute_s,
               audio_s > 0 ? compute_s / audio_s : 0.0);
  vxd_model_free(model);
  return 0;
}
