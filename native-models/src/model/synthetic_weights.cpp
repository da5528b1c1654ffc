#include "synthetic_weights.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "../error.h"
#include "../../kernels/cpu/numeric.h"

namespace vxd {
namespace {

// Pools, one per kind of value (see fill_block).
enum Pool : int { kNorm, kBias, kBf16, kF32, kCodes8, kCodes4, kScales8, kScales4, kPoolCount };

struct Preset {
  int64_t enc_dim, enc_layers, enc_heads, enc_hd, enc_hidden, enc_window;
  int64_t dim, layers, heads, kv_heads, hd, hidden, window, vocab;
};
// js/checkpoint/presets.ts: tiny = spec §8's HF tiny config, full = Voxtral-Mini-4B-Realtime-2602.
const Preset kTiny{64, 2, 4, 16, 128, 750, 64, 2, 4, 2, 16, 128, 8192, 1280};
const Preset kFull{1280, 32, 32, 64, 5120, 750, 3072, 26, 32, 8, 128, 9216, 8192, 131072};

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
  return h;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Rng {  // xorshift64*
  uint64_t s;
  explicit Rng(uint64_t seed) : s(mix(seed) | 1) {}
  uint64_t next() {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  float sym() { return static_cast<float>(next() >> 40) / 8388608.0f - 1.0f; }  // [-1, 1)
  float unit() { return static_cast<float>(next() >> 40) / 16777216.0f; }      // [0, 1)
};

uint16_t f32_to_f16(float f) {  // normal range only (the scales here), round to nearest
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const int exp = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7bffu);  // clamp: never inf
  const uint32_t man = u & 0x7fffffu;
  uint32_t h = sign | static_cast<uint32_t>(exp) << 10 | man >> 13;
  if ((man & 0x1fffu) > 0x1000u || ((man & 0x1fffu) == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(h);
}

// Values: weights uniform +-0.02 (as the random checkpoints), q8 codes -127..127 and q4 codes
// 0..15 with fp16 scales making the same magnitude, norm weights 1 +- 0.1, biases +- 0.05.
void fill_block(int pool, uint8_t* p, size_t bytes, Rng& rng) {
  switch (pool) {
    case kNorm:
    case kBias:
    case kF32:
      for (size_t i = 0; i + 4 <= bytes; i += 4) {
        const float v = pool == kNorm ? 1.0f + 0.1f * rng.sym() : (pool == kBias ? 0.05f : 0.02f) * rng.sym();
        std::memcpy(p + i, &v, 4);
      }
      break;
    case kBf16:
      for (size_t i = 0; i + 2 <= bytes; i += 2) {
        const uint16_t h = cpu::f32_to_bf16(0.02f * rng.sym());
        std::memcpy(p + i, &h, 2);
      }
      break;
    case kCodes8:
      for (size_t i = 0; i < bytes; ++i) {
        uint8_t v = static_cast<uint8_t>(rng.next() >> 56);
        p[i] = v == 0x80 ? 0x81 : v;  // symmetric codes: -128 never occurs in a packed file
      }
      break;
    case kCodes4:
      for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(rng.next() >> 56);
      break;
    case kScales8:
    case kScales4:
      for (size_t i = 0; i + 2 <= bytes; i += 2) {
        const uint16_t h = f32_to_f16(0.02f / (pool == kScales8 ? 127.0f : 7.0f) * (0.5f + rng.unit()));
        std::memcpy(p + i, &h, 2);
      }
      break;
  }
}

struct Entry {
  const TensorSpec& spec;
  int pool;
};

// The pool of each tensor the loader reads (expected_tensors: the loader's own list, so the two
// cannot drift apart): 1-D fp32 vectors are norm weights (".norm.weight", "norm.weight") or biases,
// quantized codes and their scales by the codes' width.
std::vector<Entry> plan(const std::vector<TensorSpec>& specs) {
  std::unordered_map<std::string, int8_t> type_of;
  for (const TensorSpec& t : specs) type_of[t.name] = t.scalar_type;
  const auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  std::vector<Entry> out;
  for (const TensorSpec& t : specs) {
    int pool;
    switch (t.scalar_type) {
      case 6: pool = t.sizes.size() == 1 ? (ends_with(t.name, "norm.weight") ? kNorm : kBias) : kF32; break;
      case 15: pool = kBf16; break;
      case 1: pool = kCodes8; break;
      case 16: pool = kCodes4; break;
      case 5: {
        const auto codes = type_of.find(t.name.substr(0, t.name.size() - std::string(".scales").size()));
        if (!ends_with(t.name, ".scales") || codes == type_of.end()) fail(VXD_ERR_INTERNAL, "synthetic weights: no codes for " + t.name);
        pool = codes->second == 1 ? kScales8 : kScales4;
        break;
      }
      default: fail(VXD_ERR_INTERNAL, "synthetic weights: no values for " + t.name);
    }
    out.push_back({t, pool});
  }
  return out;
}

}  // namespace

PteProgram synthetic_program(const std::string& preset, const SyntheticPack& pack) {
  if (preset != "tiny" && preset != "full") fail(VXD_ERR_INVALID_ARGUMENT, "unknown synthetic preset '" + preset + "' (tiny or full)");
  if (pack.weight_dtype != "fp32" && pack.weight_dtype != "bf16")
    fail(VXD_ERR_INVALID_ARGUMENT, "synthetic weight dtype must be fp32 or bf16 (got " + pack.weight_dtype + ")");
  if (pack.quant != "none" && pack.quant != "8w" && pack.quant != "4w")
    fail(VXD_ERR_INVALID_ARGUMENT, "synthetic quant must be none, 8w or 4w (got " + pack.quant + ")");
  const Preset& p = preset == "full" ? kFull : kTiny;
  PteProgram prog;
  auto& k = prog.constants;
  // js/pack/model-constants.ts with REAL_AUDIO_ENCODING, a 480 ms delay and Tekken's special ids.
  const int64_t delay = 6;
  for (auto [name, v] : std::initializer_list<std::pair<const char*, int64_t>>{
           {"sample_rate", 16000}, {"num_mel_bins", 128}, {"hop_length", 160}, {"window_size", 400}, {"downsample_factor", 4},
           {"dim", p.dim}, {"enc_dim", p.enc_dim}, {"vocab_size", p.vocab}, {"max_seq_len", p.window}, {"sliding_window", p.window},
           {"streaming", 1}, {"step_samples", 1280}, {"chunk_mel_len", 8}, {"max_enc_len", p.enc_window}, {"conv1_pad", 2},
           {"conv2_pad", 1}, {"stft_left_overlap", 320}, {"stft_right_lookahead", 40}, {"mel_skip_frames", 2},
           {"delay_tokens", delay}, {"format_version", 1}, {"n_layers", p.layers}, {"n_heads", p.heads}, {"n_kv_heads", p.kv_heads},
           {"head_dim", p.hd}, {"hidden_dim", p.hidden}, {"ada_t_cond_dim", 32}, {"enc_n_layers", p.enc_layers},
           {"enc_n_heads", p.enc_heads}, {"enc_head_dim", p.enc_hd}, {"enc_hidden_dim", p.enc_hidden}, {"n_left_pad_tokens", 32},
           {"n_right_pad_tokens", delay + 1 + 10}, {"bos_id", 1}, {"eos_id", 2}, {"streaming_pad_id", 32},
           {"streaming_word_id", 33}, {"group_size", pack.group_size}})
    k[name] = v;
  for (auto [name, v] : std::initializer_list<std::pair<const char*, double>>{
           {"rope_theta", 1e6}, {"norm_eps", 1e-5}, {"enc_rope_theta", 1e6}, {"enc_norm_eps", 1e-5}, {"global_log_mel_max", 1.5}})
    k[name] = v;
  k["weight_dtype"] = pack.weight_dtype;
  k["quant"] = pack.quant;
  k["embedding_quant"] = std::string(pack.quant == "none" ? "none" : "8w");
  prog.methods = {"encode_audio", "text_decoder", "token_embedding"};
  return prog;
}

SyntheticPack synthetic_pack_for(const std::string& name) {
  SyntheticPack p;
  if (name == "fp32" || name == "bf16") p.weight_dtype = name;
  else if (name == "8w" || name == "4w") p.quant = name;
  else fail(VXD_ERR_INVALID_ARGUMENT, "unknown weight dtype '" + name + "' (fp32, bf16, 8w or 4w)");
  return p;
}

SyntheticWeights::SyntheticWeights(const ModelConfig& c, uint64_t seed) : path_("synthetic weights (seed " + std::to_string(seed) + ")") {
  const std::vector<TensorSpec> specs = expected_tensors(c);
  const std::vector<Entry> entries = plan(specs);
  // Each pool holds its largest tensor plus some slack, so that tensors start at different
  // (64-byte aligned) offsets and no two layers share their values.
  std::vector<uint64_t> largest(kPoolCount, 0);
  for (const Entry& e : entries) largest[e.pool] = std::max(largest[e.pool], e.spec.bytes);
  std::vector<uint64_t> slack(kPoolCount, 0);
  pools_.resize(kPoolCount);
  for (int p = 0; p < kPoolCount; ++p) {
    if (!largest[p]) continue;
    slack[p] = std::max<uint64_t>(64, std::min<uint64_t>(uint64_t{4} << 20, largest[p]) / 64 * 64);
    pools_[p].resize(largest[p] + slack[p]);
  }
  // Fill in 1 MiB blocks, each from its own seed, on up to 16 threads.
  constexpr size_t kBlock = size_t{1} << 20;
  std::vector<std::pair<int, size_t>> blocks;
  for (int p = 0; p < kPoolCount; ++p)
    for (size_t o = 0; o < pools_[p].size(); o += kBlock) blocks.emplace_back(p, o);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < blocks.size();) {
      const auto [p, o] = blocks[i];
      Rng rng(seed * 0x100000001B3ull ^ mix(static_cast<uint64_t>(p) << 48 ^ o));
      fill_block(p, pools_[p].data() + o, std::min(kBlock, pools_[p].size() - o), rng);
    }
  };
  const unsigned nt = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < nt; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  tensors_.reserve(entries.size());
  for (const Entry& e : entries) {
    PtdTensor t;
    t.name = e.spec.name;
    t.scalar_type = e.spec.scalar_type;
    t.sizes = e.spec.sizes;
    t.bytes = e.spec.bytes;
    t.data = pools_[e.pool].data() + (fnv1a(t.name) % (slack[e.pool] / 64)) * 64;
    tensors_.push_back(std::move(t));
  }
}

const PtdTensor* SyntheticWeights::find(const std::string& name) const {
  for (const PtdTensor& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

uint64_t SyntheticWeights::step_weight_bytes() const {
  uint64_t total = 0;
  for (const PtdTensor& t : tensors_)
    if (t.sizes.size() >= 2 && t.name.find("ada_rms_norm_t_cond") == std::string::npos) total += t.bytes;
  return total;
}

std::unique_ptr<Model> load_synthetic_model(const PteProgram& program, const SyntheticWeights& src, const std::string& backend,
                                            const std::string& act_dtype, int n_threads) {
  if (act_dtype != "fp32" && act_dtype != "bf16") fail(VXD_ERR_INVALID_ARGUMENT, "activation dtype must be fp32 or bf16");
  // As the C API's loader (src/api.cpp), with the tensors from `src` instead of a .ptd.
  auto m = std::make_unique<Model>();
  m->program = program;
  m->config = read_config(program, src.path());
  m->act_dtype = act_dtype == "bf16" ? DType::BF16 : DType::F32;
  m->dtype_name = act_dtype;
  m->weight_bytes = weight_bytes(src, m->config);
  m->session_bytes = Workspace::bytes_needed(m->config, m->act_dtype, m->config.prompt_length());
  BackendOptions bo;
  bo.n_threads = n_threads;
  m->backend = create_backend(backend, bo);
  m->weights = load_weights(src, m->config, *m->backend, nullptr);
  const ModelConfig& c = m->config;
  m->mel = std::make_unique<LogMel>(c.global_log_mel_max, static_cast<int>(c.num_mel_bins), static_cast<int>(c.window_size),
                                    static_cast<int>(c.hop_length), static_cast<int>(c.sample_rate));
  m->info_json = "{\"synthetic\":true,\"backend\":\"" + std::string(m->backend->id()) + "\",\"dtype\":\"" + act_dtype + "\"}";
  return m;
}

}  // namespace vxd
