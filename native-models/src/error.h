// Internal error type: thrown inside the engine, turned into vxd_status at the C API boundary.
#pragma once

#include <stdexcept>
#include <string>

#include "vxd.h"

namespace vxd {

class Error : public std::runtime_error {
 public:
  Error(vxd_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  vxd_status status() const { return status_; }

 private:
  vxd_status status_;
};

[[noreturn]] inline void fail(vxd_status status, const std::string& message) { throw Error(status, message); }

}  // namespace vxd
