// Checks that SyntheticWeights (src/model/synthetic_weights.h, what bench_engine measures) lays a
// model out exactly as `voxtral pack` does: for each packed pair, every tensor of the synthetic
// source for the pair's configuration exists in the .ptd with the same scalar type, shape and
// size, and the counts match. With --preset P it also compares every .pte constant with
// synthetic_program(P) (so the pair must be packed from that preset's checkpoint), and runs the
// synthetic model through vxd::Session on the CPU (prefill + 3 steps, finite logits).
//   synthetic_layout_check [--preset tiny] PAIR_DIR...    (exit 0: all pairs match)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "error.h"
#include "format/mapped_file.h"
#include "format/ptd.h"
#include "format/pte.h"
#include "model/config.h"
#include "model/synthetic_weights.h"
#include "session/session.h"
#include "vxd.h"

using namespace vxd;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::printf("FAIL %s\n", what.c_str());
    ++failures;
  }
}

std::string shape(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

std::string value(const ConfigValue& v) {
  if (std::holds_alternative<int64_t>(v)) return std::to_string(std::get<int64_t>(v));
  if (std::holds_alternative<double>(v)) return std::to_string(std::get<double>(v));
  return "\"" + std::get<std::string>(v) + "\"";
}

void check_pair(const std::string& dir, const std::string& preset) {
  const std::string pte_path = dir + "/model.pte";
  MappedFile pte(pte_path);
  const PteProgram program = parse_pte(pte.data(), pte.size(), pte_path);
  const ModelConfig c = read_config(program, pte_path);
  PtdFile ptd(dir + "/model.ptd");
  const SyntheticWeights src(c, 1);
  for (const PtdTensor& t : src.tensors()) {
    const PtdTensor* real = ptd.find(t.name);
    expect(real != nullptr, dir + ": synthetic tensor " + t.name + " is not in the .ptd");
    if (!real) continue;
    expect(real->scalar_type == t.scalar_type, dir + ": " + t.name + " scalar type " + std::to_string(t.scalar_type) + " vs packed " +
                                                   std::to_string(real->scalar_type));
    expect(real->sizes == t.sizes, dir + ": " + t.name + " shape " + shape(t.sizes) + " vs packed " + shape(real->sizes));
    expect(real->bytes == t.bytes, dir + ": " + t.name + " bytes " + std::to_string(t.bytes) + " vs packed " + std::to_string(real->bytes));
  }
  expect(src.tensors().size() == ptd.tensor_count(),
         dir + ": " + std::to_string(src.tensors().size()) + " synthetic tensors vs " + std::to_string(ptd.tensor_count()) + " packed");
  std::printf("%s: %zu tensors compared (%s, quant %s, embedding %s)\n", dir.c_str(), src.tensors().size(), c.weight_dtype.c_str(),
              c.quant.c_str(), c.embedding_quant.c_str());
  if (preset.empty()) return;

  SyntheticPack pack;
  pack.weight_dtype = c.weight_dtype, pack.quant = c.quant, pack.group_size = c.group_size;
  const PteProgram syn = synthetic_program(preset, pack);
  for (const auto& [name, v] : program.constants) {
    auto it = syn.constants.find(name);
    expect(it != syn.constants.end(), dir + ": packed constant " + name + " is missing from synthetic_program");
    if (it != syn.constants.end()) expect(it->second == v, dir + ": constant " + name + " = " + value(v) + ", synthetic " + value(it->second));
  }
  expect(syn.constants.size() == program.constants.size(), dir + ": constant counts differ");

  // The synthetic model runs through the engine's session on the CPU backend.
  auto m = load_synthetic_model(syn, src, "cpu", "fp32", 1);
  Session s(*m, VXD_CAPTURE_LOGITS);
  std::vector<float> audio(static_cast<size_t>((c.prompt_length() - c.n_left_pad_tokens + 3) * c.samples_per_token() + 40));
  for (size_t i = 0; i < audio.size(); ++i) audio[i] = 0.1f * std::sin(0.05f * static_cast<float>(i));
  s.push(audio.data(), audio.size());
  std::vector<int32_t> ids(8);
  const size_t got = s.decode(ids.data(), ids.size());
  expect(got == 4, dir + ": synthetic session gave " + std::to_string(got) + " tokens, expected prefill + 3 steps = 4");
  bool finite = !s.captures().logits.empty();
  for (float v : s.captures().logits) finite = finite && std::isfinite(v);
  expect(finite, dir + ": synthetic model's logits are not all finite");
  for (size_t i = 0; i < got; ++i) expect(ids[i] >= 0 && ids[i] < c.vocab_size, dir + ": token id out of range");
  std::printf("%s: constants equal synthetic_program(\"%s\"); CPU session ran %zu calls, logits finite\n", dir.c_str(), preset.c_str(), got);
}

}  // namespace

int main(int argc, char** argv) {
  std::string preset;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--preset" && i + 1 < argc) preset = argv[++i];
    else dirs.push_back(a);
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "usage: synthetic_layout_check [--preset tiny|full] PAIR_DIR...\n");
    return 2;
  }
  for (const std::string& d : dirs) {
    try {
      check_pair(d, preset);
    } catch (const Error& e) {
      expect(false, d + ": " + e.what());
    }
  }
  std::printf("%s\n", failures ? "synthetic layout: FAILED" : "synthetic layout: all pairs match");
  return failures ? 1 : 0;
}
