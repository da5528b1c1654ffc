// Prints every backend the engine offers here, one per line: "<id> available|unavailable <name> [reason]",
// each GPU a backend found ("  gpu #<index> <id> usable|unusable <name> | <GiB> GiB, cc <x.y> [| reason]"),
// then creates the CUDA backend on its default GPU, on each GPU by id and by index, and on a GPU
// that is not there. CI runs it on a machine without a GPU: the CUDA backend must report
// "unavailable" with a reason, and asking for it must fail with a clear error instead of crashing;
// the GPU machine checks that each GPU is reached by its id and an absent one is refused.
#include <cstdio>
#include <string>
#include <vector>

#include "backend.h"
#include "error.h"

namespace {

void try_create(const std::string& device) {
  vxd::BackendOptions options;
  options.device = device;
  const std::string label = device.empty() ? "create cuda" : "create cuda " + device;
  try {
    auto backend = vxd::create_backend("cuda", options);
    const auto mem = backend->device_memory();
    std::printf("%s: ok (%s", label.c_str(), backend->id());
    if (mem) std::printf(" on %s %s, %llu MiB free", mem->id.c_str(), mem->name.c_str(), static_cast<unsigned long long>(mem->free_bytes >> 20));
    std::printf(")\n");
  } catch (const vxd::Error& e) {
    std::printf("%s: error %d: %s\n", label.c_str(), static_cast<int>(e.status()), e.what());
  }
}

}  // namespace

int main() {
  std::vector<vxd::DeviceInfo> gpus;
  for (const auto& b : vxd::list_backends()) {
    std::printf("%s %s %s%s%s\n", b.id.c_str(), b.available ? "available" : "unavailable", b.name.c_str(),
                b.reason.empty() ? "" : " | ", b.reason.c_str());
    for (const auto& d : b.devices)
      std::printf("  gpu #%d %s %s %s | %.1f GiB, cc %s%s%s\n", d.index, d.id.c_str(), d.usable ? "usable" : "unusable", d.name.c_str(),
                  static_cast<double>(d.memory_bytes) / (1ull << 30), d.compute.c_str(), d.reason.empty() ? "" : " | ", d.reason.c_str());
    if (b.id == "cuda") gpus = b.devices;
  }
  try_create("");
  for (const auto& d : gpus) {
    try_create(d.id);
    try_create(std::to_string(d.index));
  }
  try_create("GPU-00000000-0000-0000-0000-000000000000");
  return 0;
}
