// Where the weight loader reads named tensors from: the mapped .ptd (PtdSource), or a generator
// of random but valid tensors in the packer's layout (SyntheticWeights, for full-size benchmarks
// without an 8.9 GB file). Both hand out PtdTensor views whose data outlives the loaded model on
// the CPU backend (zero-copy).
#pragma once

#include <string>

#include "../format/ptd.h"

namespace vxd {

class TensorSource {
 public:
  virtual ~TensorSource() = default;
  // Tensor by exact name, or null.
  virtual const PtdTensor* find(const std::string& name) const = 0;
  // Names the source in error messages (the .ptd path).
  virtual const std::string& path() const = 0;
};

class PtdSource final : public TensorSource {
 public:
  explicit PtdSource(const PtdFile& ptd) : ptd_(ptd) {}
  const PtdTensor* find(const std::string& name) const override { return ptd_.find(name); }
  const std::string& path() const override { return ptd_.path(); }

 private:
  const PtdFile& ptd_;
};

}  // namespace vxd
