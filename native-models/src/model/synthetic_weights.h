// Synthetic models for benchmarks and layout checks: the packer's configuration constants for a
// preset (tiny / full = the real 4B shape) and random but valid tensors laid out exactly as
// `voxtral pack` stores them (names, scalar types, shapes; q4/q8 codes with fp16 group scales),
// without writing or reading a .ptd. Values come from a few shared pools of random numbers (one
// per kind of tensor) at a per-tensor offset, so the full bf16 model (8.9 GB) needs only ~0.8 GB
// of host memory and every tensor still differs from the others.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model.h"
#include "tensor_source.h"

namespace vxd {

// Packing options, as `voxtral pack --dtype D --quant Q --group-size G`.
struct SyntheticPack {
  std::string weight_dtype = "bf16";  // fp32 | bf16
  std::string quant = "none";         // none | 8w | 4w (the embedding is then 8w)
  int64_t group_size = 32;
};

// The .pte constants the packer writes for preset "tiny" or "full" with these options (Tekken's
// real special ids, 480 ms delay). Throws vxd::Error(VXD_ERR_INVALID_ARGUMENT) for unknown names.
PteProgram synthetic_program(const std::string& preset, const SyntheticPack& pack);

// "fp32" | "bf16" | "8w" | "4w" as the benchmark names them: 8w/4w pack bf16 + that quant.
SyntheticPack synthetic_pack_for(const std::string& name);

class SyntheticWeights final : public TensorSource {
 public:
  // Every tensor the packer would store for config `c`, filled from pools seeded by `seed`
  // (deterministic whatever the thread count).
  SyntheticWeights(const ModelConfig& c, uint64_t seed);
  const PtdTensor* find(const std::string& name) const override;
  const std::string& path() const override { return path_; }
  // All tensors, in the packer's order.
  const std::vector<PtdTensor>& tensors() const { return tensors_; }
  // Bytes one streaming step reads from weights on the device: every matrix once (the tied
  // embedding once, as the LM head), scales included; not the norm/bias vectors or the ada MLP
  // (folded into a vector at load).
  uint64_t step_weight_bytes() const;

 private:
  std::string path_;
  std::vector<PtdTensor> tensors_;
  std::vector<std::vector<uint8_t>> pools_;
};

// A vxd::Model on `backend` (as the C API's loader builds one from a file pair) whose weights come
// from `src`; act_dtype "fp32" | "bf16". `src` must outlive the model (the CPU backend reads it).
std::unique_ptr<Model> load_synthetic_model(const PteProgram& program, const SyntheticWeights& src, const std::string& backend,
                                            const std::string& act_dtype, int n_threads = 0);

}  // namespace vxd
