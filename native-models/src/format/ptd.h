// Reader for model.ptd (ExecuTorch FlatTensor): a mapped file of named tensors. Every offset and
// size is checked against the file; tensor data is returned zero-copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mapped_file.h"

namespace vxd {

// ExecuTorch ScalarType codes used by our files.
enum class ScalarType : int8_t { Char = 1, Half = 5, Float = 6, BFloat16 = 15, QUInt4x2 = 16 };

const char* scalar_type_name(int8_t code);
// Bytes per element of an ExecuTorch scalar type (QUINT4X2: one byte holds two values); 0 for types our files never hold.
uint64_t scalar_type_bytes(int8_t code);

struct PtdTensor {
  std::string name;
  int8_t scalar_type = 0;
  std::vector<int64_t> sizes;
  const uint8_t* data = nullptr;
  uint64_t bytes = 0;  // prod(sizes) * element size (checked to fit in the segment)
};

class PtdFile {
 public:
  explicit PtdFile(const std::string& path);  // maps and validates; throws vxd::Error

  // Tensor by exact name, or null.
  const PtdTensor* find(const std::string& name) const;
  size_t tensor_count() const { return tensors_.size(); }
  uint64_t file_size() const { return file_->size(); }
  const std::string& path() const { return file_->path(); }

 private:
  std::unique_ptr<MappedFile> file_;
  std::unordered_map<std::string, PtdTensor> tensors_;
};

}  // namespace vxd
