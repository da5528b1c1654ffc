// Act views, dtype names and the backend registry.
#include "backend.h"

#include <mutex>

#include "error.h"

namespace vxd {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "fp32";
    case DType::BF16: return "bf16";
    case DType::Q8: return "q8";
    case DType::Q4: return "q4";
    case DType::I32: return "i32";
  }
  return "?";
}

static size_t act_elem_bytes(DType t) { return t == DType::BF16 ? 2 : 4; }

Act Act::rows_view(int64_t r0, int64_t n) const {
  if (r0 < 0 || n < 0 || r0 + n > rows) fail(VXD_ERR_INTERNAL, "row view out of range");
  Act v = *this;
  v.data = static_cast<char*>(data) + static_cast<size_t>(r0 * stride) * act_elem_bytes(dtype);
  v.rows = n;
  return v;
}

Act Act::cols_view(int64_t c0, int64_t n) const {
  if (c0 < 0 || n < 0 || c0 + n > cols) fail(VXD_ERR_INTERNAL, "column view out of range");
  Act v = *this;
  v.data = static_cast<char*>(data) + static_cast<size_t>(c0) * act_elem_bytes(dtype);
  v.cols = n;
  return v;
}

Act Act::reshaped(int64_t new_cols) const {
  if (stride != cols || new_cols <= 0 || (rows * cols) % new_cols != 0) fail(VXD_ERR_INTERNAL, "bad reshape");
  Act v = *this;
  v.rows = rows * cols / new_cols;
  v.cols = new_cols;
  v.stride = new_cols;
  return v;
}

namespace cpu {
const BackendEntry& cpu_backend_entry();
}

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::vector<BackendEntry>& registry() {
  static std::vector<BackendEntry> entries = [] {
    std::vector<BackendEntry> e{cpu::cpu_backend_entry()};
    return e;
  }();
  return entries;
}

BackendInfo missing_cuda() {
  BackendInfo info;
  info.id = "cuda";
  info.name = "NVIDIA CUDA";
  info.available = false;
  info.reason = "this build of the engine has no CUDA backend";
  return info;
}

}  // namespace

void register_backend(const BackendEntry& entry) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  for (auto& e : registry())
    if (std::string(e.id) == entry.id) {
      e = entry;
      return;
    }
  registry().push_back(entry);
}

std::vector<BackendInfo> list_backends() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<BackendInfo> out;
  bool has_cuda = false;
  for (const auto& e : registry()) {
    out.push_back(e.probe());
    has_cuda = has_cuda || std::string(e.id) == "cuda";
  }
  if (!has_cuda) out.push_back(missing_cuda());
  return out;
}

std::unique_ptr<Backend> create_backend(const std::string& id, const BackendOptions& options) {
  BackendEntry entry{};
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (const auto& e : registry())
      if (id == e.id) entry = e;
  }
  if (!entry.id) {
    if (id == "cuda") fail(VXD_ERR_BACKEND_UNAVAILABLE, "backend cuda is unavailable: " + missing_cuda().reason);
    fail(VXD_ERR_INVALID_ARGUMENT, "unknown backend '" + id + "' (expected cpu or cuda)");
  }
  BackendInfo info = entry.probe();
  if (!info.available) fail(VXD_ERR_BACKEND_UNAVAILABLE, "backend " + id + " is unavailable: " + info.reason);
  return entry.create(options);
}

}  // namespace vxd
