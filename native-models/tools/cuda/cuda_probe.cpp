// Prints every backend the engine offers here, one per line: "<id> available|unavailable <name> [reason]".
// CI runs it on a machine without a GPU: the CUDA backend must report "unavailable" with a reason,
// and asking for it must fail with a clear error instead of crashing.
#include <cstdio>

#include "backend.h"
#include "error.h"

int main() {
  for (const auto& b : vxd::list_backends())
    std::printf("%s %s %s%s%s\n", b.id.c_str(), b.available ? "available" : "unavailable", b.name.c_str(),
                b.reason.empty() ? "" : " | ", b.reason.c_str());
  try {
    auto backend = vxd::create_backend("cuda", vxd::BackendOptions{});
    std::printf("create cuda: ok (%s)\n", backend->id());
  } catch (const vxd::Error& e) {
    std::printf("create cuda: error %d: %s\n", static_cast<int>(e.status()), e.what());
  }
  return 0;
}
