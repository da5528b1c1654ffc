#include "config.h"

#include <cmath>
#include <sstream>

#include "../error.h"
#include "../json_text.h"

namespace vxd {
namespace {

class Fields {
 public:
  Fields(const PteProgram& p, const std::string& path) : p_(p), path_(path) {}
  const ConfigValue& get(const char* name) const {
    auto it = p_.constants.find(name);
    if (it == p_.constants.end()) fail(VXD_ERR_FORMAT, path_ + " lacks the configuration value " + name);
    return it->second;
  }
  int64_t i(const char* name, int64_t lo, int64_t hi) const {
    const ConfigValue& v = get(name);
    if (!std::holds_alternative<int64_t>(v)) fail(VXD_ERR_FORMAT, path_ + ": configuration value " + std::string(name) + " is not an Int");
    int64_t x = std::get<int64_t>(v);
    if (x < lo || x > hi)
      fail(VXD_ERR_FORMAT, path_ + ": configuration value " + std::string(name) + " = " + std::to_string(x) + " is outside [" +
                               std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return x;
  }
  double d(const char* name, double lo, double hi) const {
    const ConfigValue& v = get(name);
    double x = std::holds_alternative<double>(v) ? std::get<double>(v)
               : std::holds_alternative<int64_t>(v) ? static_cast<double>(std::get<int64_t>(v))
                                                    : NAN;
    if (!(x >= lo && x <= hi)) fail(VXD_ERR_FORMAT, path_ + ": configuration value " + std::string(name) + " is missing or out of range");
    return x;
  }
  std::string s(const char* name, std::initializer_list<const char*> allowed) const {
    const ConfigValue& v = get(name);
    if (std::holds_alternative<std::string>(v)) {
      for (const char* a : allowed)
        if (std::get<std::string>(v) == a) return a;
    }
    fail(VXD_ERR_FORMAT, path_ + ": configuration value " + std::string(name) + " has an unsupported value");
  }

 private:
  const PteProgram& p_;
  const std::string& path_;
};

void require(bool ok, const std::string& path, const std::string& what) {
  if (!ok) fail(VXD_ERR_FORMAT, path + ": inconsistent configuration: " + what);
}

}  // namespace

ModelConfig read_config(const PteProgram& program, const std::string& path) {
  Fields f(program, path);
  ModelConfig c{};
  const int64_t big = int64_t{1} << 20;
  c.format_version = f.i("format_version", 1, 1);
  c.sample_rate = f.i("sample_rate", 16000, 16000);
  c.num_mel_bins = f.i("num_mel_bins", 128, 128);
  c.hop_length = f.i("hop_length", 160, 160);
  c.window_size = f.i("window_size", 400, 400);
  c.step_samples = f.i("step_samples", 1280, 1280);
  c.downsample_factor = f.i("downsample_factor", 4, 4);
  c.global_log_mel_max = f.d("global_log_mel_max", -100, 100);
  c.enc_dim = f.i("enc_dim", 1, big);
  c.enc_n_layers = f.i("enc_n_layers", 1, 1024);
  c.enc_n_heads = f.i("enc_n_heads", 1, 1024);
  c.enc_head_dim = f.i("enc_head_dim", 2, 1024);
  c.enc_hidden_dim = f.i("enc_hidden_dim", 1, big);
  c.enc_window = f.i("max_enc_len", 1, big);
  c.enc_rope_theta = f.d("enc_rope_theta", 1, 1e12);
  c.enc_norm_eps = f.d("enc_norm_eps", 0, 1);
  c.dim = f.i("dim", 1, big);
  c.n_layers = f.i("n_layers", 1, 1024);
  c.n_heads = f.i("n_heads", 1, 1024);
  c.n_kv_heads = f.i("n_kv_heads", 1, 1024);
  c.head_dim = f.i("head_dim", 2, 1024);
  c.hidden_dim = f.i("hidden_dim", 1, big);
  c.vocab_size = f.i("vocab_size", 1, big);
  c.sliding_window = f.i("sliding_window", 1, big);
  c.ada_t_cond_dim = f.i("ada_t_cond_dim", 1, big);
  c.rope_theta = f.d("rope_theta", 1, 1e12);
  c.norm_eps = f.d("norm_eps", 0, 1);
  c.delay_tokens = f.i("delay_tokens", 0, 1000);
  c.n_left_pad_tokens = f.i("n_left_pad_tokens", 0, 1000);
  c.n_right_pad_tokens = f.i("n_right_pad_tokens", 0, 1000);
  c.bos_id = f.i("bos_id", 0, c.vocab_size - 1);
  c.eos_id = f.i("eos_id", 0, c.vocab_size - 1);
  c.streaming_pad_id = f.i("streaming_pad_id", 0, c.vocab_size - 1);
  c.streaming_word_id = f.i("streaming_word_id", 0, c.vocab_size - 1);
  c.weight_dtype = f.s("weight_dtype", {"fp32", "bf16"});
  c.quant = f.s("quant", {"none", "8w", "4w"});
  c.embedding_quant = f.s("embedding_quant", {"none", "8w"});
  c.group_size = f.i("group_size", 2, 4096);

  require(c.head_dim % 2 == 0 && c.enc_head_dim % 2 == 0, path, "head dims must be even (RoPE pairs)");
  require(c.n_heads % c.n_kv_heads == 0, path, "n_heads must be a multiple of n_kv_heads");
  require(c.dim % 2 == 0, path, "dim must be even (time embedding)");
  if (c.quant != "none") {
    const int64_t g = c.group_size;
    require(g % 2 == 0, path, "group_size must be even");
    for (int64_t k : {c.enc_dim, c.enc_hidden_dim, c.enc_n_heads * c.enc_head_dim, c.enc_dim * c.downsample_factor, c.dim,
                      c.hidden_dim, c.n_heads * c.head_dim})
      require(k % g == 0, path, "group_size " + std::to_string(g) + " must divide every quantized input dimension");
  }
  return c;
}

std::string config_json(const PteProgram& program) {
  std::ostringstream o;
  o.precision(17);
  o << "{";
  bool first = true;
  for (const auto& [name, v] : program.constants) {
    o << (first ? "" : ",");
    write_json_string(o, name);
    o << ":";
    first = false;
    if (std::holds_alternative<int64_t>(v)) o << std::get<int64_t>(v);
    else if (std::holds_alternative<double>(v)) o << std::get<double>(v);
    else write_json_string(o, std::get<std::string>(v));
  }
  o << "}";
  return o.str();
}

}  // namespace vxd
