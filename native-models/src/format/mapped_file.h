// Read-only memory mapping of a whole file (weights stay in the page cache, zero copy).
#pragma once

#include <cstdint>
#include <string>

namespace vxd {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws vxd::Error(VXD_ERR_IO) with the path
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace vxd
