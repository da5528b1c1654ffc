// Which device a backend runs on, chosen from what it found: host-only logic, so it is tested on
// machines without a GPU (vxd-selftest pickdevice) and shared by every device backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vxd {

// One device a backend can run on (the CUDA backend's GPUs).
struct DeviceInfo {
  // Stable across reboots and device order: "GPU-<uuid>", as `nvidia-smi -L` prints it. Settings
  // keep this, never the index, which changes with CUDA_VISIBLE_DEVICES or a card in another slot.
  std::string id;
  int index = 0;  // the runtime's ordinal now
  std::string name;
  uint64_t memory_bytes = 0;
  std::string compute;  // compute capability, "9.0"
  bool usable = false;
  std::string reason;  // why not usable
};

// The index of the device to run on. `want`: a device id (case-insensitive), an index ("1"), or
// empty for the first usable device. Throws vxd::Error (VXD_ERR_BACKEND_UNAVAILABLE) whose message
// names the devices that are there when `want` is absent or unusable; `kind` names them ("GPU").
int choose_device(const std::vector<DeviceInfo>& devices, const std::string& want, const char* kind);

// "#0 NVIDIA H100 80GB HBM3 (GPU-1a2b...)", one per device, comma-separated; "none" when empty.
std::string describe_devices(const std::vector<DeviceInfo>& devices);

}  // namespace vxd
