// Device choice (device_choice.h): an explicit choice is honoured or refused, never swapped for
// another device, so a model never lands silently on the wrong GPU.
#include "device_choice.h"

#include <cctype>

#include "error.h"

namespace vxd {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 4) return false;
  for (const char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::string describe_devices(const std::vector<DeviceInfo>& devices) {
  if (devices.empty()) return "none";
  std::string out;
  for (const auto& d : devices) {
    if (!out.empty()) out += ", ";
    out += "#" + std::to_string(d.index) + " " + d.name + " (" + d.id + (d.usable ? "" : "; " + d.reason) + ")";
  }
  return out;
}

int choose_device(const std::vector<DeviceInfo>& devices, const std::string& want, const char* kind) {
  const std::string k = kind;
  if (devices.empty()) fail(VXD_ERR_BACKEND_UNAVAILABLE, "no " + k + " found");
  const DeviceInfo* chosen = nullptr;
  if (want.empty()) {
    for (const auto& d : devices)
      if (d.usable) {
        chosen = &d;
        break;
      }
    if (!chosen) fail(VXD_ERR_BACKEND_UNAVAILABLE, "no usable " + k + " (found: " + describe_devices(devices) + ")");
    return chosen->index;
  }
  if (all_digits(want)) {
    const int index = std::stoi(want);
    for (const auto& d : devices)
      if (d.index == index) chosen = &d;
  } else {
    const std::string w = lower(want);
    for (const auto& d : devices)
      if (lower(d.id) == w) chosen = &d;
  }
  if (!chosen) fail(VXD_ERR_BACKEND_UNAVAILABLE, "the chosen " + k + " " + want + " is not on this machine (found: " + describe_devices(devices) + ")");
  if (!chosen->usable) fail(VXD_ERR_BACKEND_UNAVAILABLE, "the chosen " + k + " " + chosen->name + " cannot run the model: " + chosen->reason);
  return chosen->index;
}

}  // namespace vxd
