#include "weights.h"

#include <cmath>
#include <cstring>

#include "../error.h"
#include "../../kernels/cpu/numeric.h"

namespace vxd {
namespace {

const std::string& kEnc = kEncoderPrefix;
const std::string& kMM = kEmbeddingPrefix;

std::string shape_str(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

// Reads (or, given no source, only lists) the model's tensors: load_all says which, in what
// order, with what type and shape; the Loader checks each against the source and uploads it.
class Loader {
 public:
  Loader(const TensorSource& src, const ModelConfig& c, Backend* backend) : ptd_(&src), c_(c), be_(backend) {}
  // Lists what load_all reads into `specs`, reading nothing.
  Loader(const ModelConfig& c, std::vector<TensorSpec>& specs) : c_(c), be_(nullptr), specs_(&specs) {}
  uint64_t bytes = 0;

  const PtdTensor& tensor(const std::string& name, int8_t type, const std::vector<int64_t>& shape) {
    if (specs_) {
      uint64_t n = scalar_type_bytes(type);
      for (int64_t s : shape) n *= static_cast<uint64_t>(s);
      specs_->push_back({name, type, shape, n});
      listed_.bytes = n;  // no data: nothing reads it without a backend
      return listed_;
    }
    const PtdTensor* t = ptd_->find(name);
    if (!t) fail(VXD_ERR_FORMAT, ptd_->path() + " does not match the .pte: tensor " + name + " is missing");
    if (t->scalar_type != type)
      fail(VXD_ERR_FORMAT, ptd_->path() + " does not match the .pte: tensor " + name + " is " + scalar_type_name(t->scalar_type) +
                               ", expected " + scalar_type_name(type));
    if (t->sizes != shape)
      fail(VXD_ERR_FORMAT, ptd_->path() + " does not match the .pte: tensor " + name + " has shape " + shape_str(t->sizes) +
                               ", expected " + shape_str(shape));
    bytes += t->bytes;
    return *t;
  }

  int8_t weight_type() const { return c_.weight_dtype == "bf16" ? 15 : 6; }
  DType weight_dtype() const { return c_.weight_dtype == "bf16" ? DType::BF16 : DType::F32; }

  const float* vector(const std::string& name, int64_t n) {
    const PtdTensor& t = tensor(name, 6, {n});
    if (!be_) return nullptr;
    std::vector<float> host(static_cast<size_t>(n));
    std::memcpy(host.data(), t.data, t.bytes);  // copy: the mapping need not be 4-aligned for GPUs
    return be_->upload_vector(host.data(), host.size());
  }

  // Plain (unquantized) matrix in the weight dtype; `shape` is the checkpoint shape, seen as [n, k].
  Weight plain(const std::string& name, const std::vector<int64_t>& shape, int64_t n, int64_t k) {
    const PtdTensor& t = tensor(name, weight_type(), shape);
    HostWeight h;
    h.dtype = weight_dtype();
    h.n = n;
    h.k = k;
    h.data = t.data;
    h.data_bytes = t.bytes;
    return be_ ? be_->upload_weight(h) : Weight{};
  }

  // A linear weight [n, k] under the model's quantization scheme `quant`.
  Weight linear(const std::string& name, int64_t n, int64_t k, const std::string& quant) {
    if (quant == "none") return plain(name, {n, k}, n, k);
    const int64_t g = c_.group_size;
    HostWeight h;
    h.n = n;
    h.k = k;
    h.group = static_cast<int32_t>(g);
    if (k % g) fail(VXD_ERR_FORMAT, "group_size does not divide the inputs of " + name);
    const PtdTensor& w = quant == "8w" ? tensor(name, 1, {n, k}) : tensor(name, 16, {n, k / 2});
    const PtdTensor& s = tensor(name + ".scales", 5, {n, k / g});
    h.dtype = quant == "8w" ? DType::Q8 : DType::Q4;
    h.data = w.data;
    h.data_bytes = w.bytes;
    h.scales = reinterpret_cast<const uint16_t*>(s.data);
    h.scales_bytes = s.bytes;
    return be_ ? be_->upload_weight(h) : Weight{};
  }

  // Reads a small weight-dtype matrix to host doubles (ada-norm MLP); only checked without a backend.
  std::vector<double> host_matrix(const std::string& name, int64_t rows, int64_t cols) {
    const PtdTensor& t = tensor(name, weight_type(), {rows, cols});
    if (!be_) return {};
    std::vector<double> out(static_cast<size_t>(rows * cols));
    for (size_t i = 0; i < out.size(); ++i) {
      if (t.scalar_type == 6) {
        float f;
        std::memcpy(&f, t.data + 4 * i, 4);
        out[i] = f;
      } else {
        uint16_t h;
        std::memcpy(&h, t.data + 2 * i, 2);
        out[i] = cpu::bf16_to_f32(h);
      }
    }
    return out;
  }

 private:
  const TensorSource* ptd_ = nullptr;
  const ModelConfig& c_;
  Backend* be_;
  std::vector<TensorSpec>* specs_ = nullptr;
  PtdTensor listed_;
};

ModelWeights load_all(Loader& L, const ModelConfig& c, Backend* be, const std::function<void(float)>& progress) {
  ModelWeights m;
  const std::string& q = c.quant;
  const int64_t ed = c.enc_dim, eq = c.enc_n_heads * c.enc_head_dim, eh = c.enc_hidden_dim;
  m.conv1 = L.plain(kEnc + "conv_layers.0.conv.weight", {ed, c.num_mel_bins, 3}, ed, c.num_mel_bins * 3);
  m.conv1_bias = L.vector(kEnc + "conv_layers.0.conv.bias", ed);
  m.conv2 = L.plain(kEnc + "conv_layers.1.conv.weight", {ed, ed, 3}, ed, ed * 3);
  m.conv2_bias = L.vector(kEnc + "conv_layers.1.conv.bias", ed);
  const double total = static_cast<double>(c.enc_n_layers + c.n_layers + 2);
  for (int64_t i = 0; i < c.enc_n_layers; ++i) {
    const std::string p = kEnc + "transformer.layers." + std::to_string(i) + ".";
    EncoderLayerWeights w;
    w.attention_norm = L.vector(p + "attention_norm.weight", ed);
    w.wq = L.linear(p + "attention.wq.weight", eq, ed, q);
    w.bq = L.vector(p + "attention.wq.bias", eq);
    w.wk = L.linear(p + "attention.wk.weight", eq, ed, q);
    w.wv = L.linear(p + "attention.wv.weight", eq, ed, q);
    w.bv = L.vector(p + "attention.wv.bias", eq);
    w.wo = L.linear(p + "attention.wo.weight", ed, eq, q);
    w.bo = L.vector(p + "attention.wo.bias", ed);
    w.ffn_norm = L.vector(p + "ffn_norm.weight", ed);
    w.w1 = L.linear(p + "feed_forward.w1.weight", eh, ed, q);
    w.w2 = L.linear(p + "feed_forward.w2.weight", ed, eh, q);
    w.b2 = L.vector(p + "feed_forward.w2.bias", ed);
    w.w3 = L.linear(p + "feed_forward.w3.weight", eh, ed, q);
    m.encoder.push_back(w);
    if (progress) progress(static_cast<float>((i + 1) / total));
  }
  m.encoder_norm = L.vector(kEnc + "transformer.norm.weight", ed);
  m.adapter_in = L.linear(kMM + "audio_language_projection.0.weight", c.dim, ed * c.downsample_factor, q);
  m.adapter_out = L.linear(kMM + "audio_language_projection.2.weight", c.dim, c.dim, q);
  m.tok_embeddings = L.linear(kMM + "tok_embeddings.weight", c.vocab_size, c.dim, c.embedding_quant);
  const std::vector<double> t_cond = time_embedding(c.dim, static_cast<double>(c.delay_tokens));
  const int64_t d = c.dim, dq = c.n_heads * c.head_dim, dkv = c.n_kv_heads * c.head_dim, a = c.ada_t_cond_dim;
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    DecoderLayerWeights w;
    w.attention_norm = L.vector(p + "attention_norm.weight", d);
    w.wq = L.linear(p + "attention.wq.weight", dq, d, q);
    w.wk = L.linear(p + "attention.wk.weight", dkv, d, q);
    w.wv = L.linear(p + "attention.wv.weight", dkv, d, q);
    w.wo = L.linear(p + "attention.wo.weight", d, dq, q);
    w.ffn_norm = L.vector(p + "ffn_norm.weight", d);
    w.w1 = L.linear(p + "feed_forward.w1.weight", c.hidden_dim, d, q);
    w.w2 = L.linear(p + "feed_forward.w2.weight", d, c.hidden_dim, q);
    w.w3 = L.linear(p + "feed_forward.w3.weight", c.hidden_dim, d, q);
    // ada = W2 . GELU(W1 . t_cond), in double, once per layer.
    std::vector<double> w1 = L.host_matrix(p + "ada_rms_norm_t_cond.0.weight", a, d);
    std::vector<double> w2 = L.host_matrix(p + "ada_rms_norm_t_cond.2.weight", d, a);
    if (be) {
      std::vector<double> hid(static_cast<size_t>(a));
      for (int64_t r = 0; r < a; ++r) {
        double s = 0;
        for (int64_t k = 0; k < d; ++k) s += w1[r * d + k] * t_cond[k];
        hid[r] = 0.5 * s * (1.0 + std::erf(s / std::sqrt(2.0)));
      }
      std::vector<float> ada(static_cast<size_t>(d));
      for (int64_t r = 0; r < d; ++r) {
        double s = 0;
        for (int64_t k = 0; k < a; ++k) s += w2[r * a + k] * hid[k];
        ada[r] = static_cast<float>(s);
      }
      w.ada_scale = be->upload_vector(ada.data(), ada.size());
    }
    m.decoder.push_back(w);
    if (progress) progress(static_cast<float>((c.enc_n_layers + i + 1) / total));
  }
  m.norm = L.vector("norm.weight", d);
  if (progress) progress(1.0f);
  return m;
}

}  // namespace

std::vector<double> time_embedding(int64_t dim, double t) {
  const int64_t half = dim / 2;
  std::vector<double> out(static_cast<size_t>(dim));
  for (int64_t k = 0; k < half; ++k) {
    const double inv = std::exp(-std::log(10000.0) * static_cast<double>(k) / static_cast<double>(half));
    out[k] = std::cos(t * inv);
    out[half + k] = std::sin(t * inv);
  }
  return out;
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  std::vector<TensorSpec> specs;
  Loader L(c, specs);
  load_all(L, c, nullptr, nullptr);
  return specs;
}

uint64_t weight_bytes(const TensorSource& ptd, const ModelConfig& c) {
  Loader L(ptd, c, nullptr);
  load_all(L, c, nullptr, nullptr);
  return L.bytes;
}

ModelWeights load_weights(const TensorSource& ptd, const ModelConfig& c, Backend& backend, const std::function<void(float)>& progress) {
  Loader L(ptd, c, &backend);
  return load_all(L, c, &backend, progress);
}

}  // namespace vxd
