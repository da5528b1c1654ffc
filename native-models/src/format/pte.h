// Reader for our model.pte: an ExecuTorch program whose real methods delegate to
// "VoxtralDictateBackend" and whose constant methods carry the model configuration.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace vxd {

using ConfigValue = std::variant<int64_t, double, std::string>;

struct PteProgram {
  std::map<std::string, ConfigValue> constants;  // constant methods, by name
  std::vector<std::string> methods;              // real (delegated) methods
};

// Parses the whole file in memory. Throws vxd::Error: VXD_ERR_FORMAT for corrupt files or files
// that are not ours (a genuine ExecuTorch export gets "needs the ExecuTorch runtime").
PteProgram parse_pte(const uint8_t* data, uint64_t size, const std::string& path);

constexpr const char* kDelegateBackendId = "VoxtralDictateBackend";

}  // namespace vxd
