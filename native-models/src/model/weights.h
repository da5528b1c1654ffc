// The model's weights as backend tensors, loaded by Mistral checkpoint name from a TensorSource
// (the .ptd, or synthetic weights for benchmarks) and checked against the configuration (dtype
// and shape of every tensor).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "../backend.h"
#include "../format/ptd.h"
#include "config.h"
#include "tensor_source.h"

namespace vxd {

// Prefixes of the audio side's Mistral checkpoint names (spec §2), shared by the loader and the
// synthetic source that must produce the same names.
inline const std::string kEncoderPrefix = "mm_streams_embeddings.embedding_module.whisper_encoder.";
inline const std::string kEmbeddingPrefix = "mm_streams_embeddings.embedding_module.";

struct EncoderLayerWeights {
  const float* attention_norm;
  Weight wq, wk, wv, wo;
  const float *bq, *bv, *bo;
  const float* ffn_norm;
  Weight w1, w2, w3;
  const float* b2;
};

struct DecoderLayerWeights {
  const float* attention_norm;
  Weight wq, wk, wv, wo;
  const float* ffn_norm;
  const float* ada_scale;  // ada_l = W2 . GELU(W1 . t_cond), precomputed (spec §5)
  Weight w1, w2, w3;
};

struct ModelWeights {
  Weight conv1, conv2;  // [out, in * 3], rows match im2col columns
  const float *conv1_bias, *conv2_bias;
  std::vector<EncoderLayerWeights> encoder;
  const float* encoder_norm;
  Weight adapter_in, adapter_out;
  Weight tok_embeddings;  // embedding and tied LM head
  std::vector<DecoderLayerWeights> decoder;
  const float* norm;
};

// A tensor the loader reads: its .ptd name, ExecuTorch scalar type, shape and size in bytes.
struct TensorSpec {
  std::string name;
  int8_t scalar_type;
  std::vector<int64_t> sizes;
  uint64_t bytes;
};
// Every tensor load_weights reads for `c`, in its order (the packer's): the one list of the
// model's tensors, which the synthetic weights of the benchmarks are generated from.
std::vector<TensorSpec> expected_tensors(const ModelConfig& c);

// Bytes the weights will occupy (for the memory budget) without uploading anything.
uint64_t weight_bytes(const TensorSource& src, const ModelConfig& c);
inline uint64_t weight_bytes(const PtdFile& ptd, const ModelConfig& c) { return weight_bytes(PtdSource(ptd), c); }

// Validates and uploads every tensor. progress(fraction) is called as layers load.
ModelWeights load_weights(const TensorSource& src, const ModelConfig& c, Backend& backend, const std::function<void(float)>& progress);
inline ModelWeights load_weights(const PtdFile& ptd, const ModelConfig& c, Backend& backend, const std::function<void(float)>& progress) {
  return load_weights(PtdSource(ptd), c, backend, progress);
}

// t_cond of spec §5 (cos block then sin block), dim values, for t = delay tokens.
std::vector<double> time_embedding(int64_t dim, double t);

}  // namespace vxd
