#include "pte.h"

#include <cstring>

#include "../error.h"
#include "flatbuffer.h"

namespace vxd {
namespace {

enum ValueType : uint8_t { kNull = 1, kInt = 2, kBool = 3, kDouble = 4, kTensor = 5, kString = 6 };
enum InstrType : uint8_t { kKernelCall = 1, kDelegateCall = 2 };

// Extent of the flatbuffer region: program_size from the eh00 header, else the whole file.
uint64_t program_extent(const fb::Reader& r) {
  if (std::memcmp(r.bytes(8, 4), "eh00", 4) != 0) return r.size();
  uint32_t header_len = r.read<uint32_t>(12);
  if (header_len < 24) r.corrupt("extended header length " + std::to_string(header_len) + " < 24");
  uint64_t program_size = r.read<uint64_t>(16);
  if (program_size < 64 || program_size > r.size()) r.corrupt("program_size is outside the file");
  return program_size;
}

ConfigValue read_constant(const fb::Reader& r, uint64_t plan, const std::string& name) {
  uint64_t values = r.ref(plan, 2);
  uint64_t outputs = r.ref(plan, 4);
  if (!values || !outputs) r.corrupt("constant method " + name + " has no values/outputs");
  uint32_t n_out = r.vec_len(outputs, 4);
  uint32_t n_val = r.vec_len(values, 4);
  if (n_out != 1) fail(VXD_ERR_FORMAT, "constant method " + name + " returns " + std::to_string(n_out) + " values, expected 1");
  int32_t idx = r.read<int32_t>(outputs + 4);
  if (idx < 0 || static_cast<uint32_t>(idx) >= n_val) r.corrupt("constant method " + name + " output index out of range");
  uint64_t ev = r.vec_table(values, static_cast<uint32_t>(idx));
  uint8_t type = r.scalar<uint8_t>(ev, 0);
  uint64_t val = r.ref(ev, 1);
  switch (type) {
    case kInt: return val ? r.scalar<int64_t>(val, 0) : int64_t{0};
    case kBool: return static_cast<int64_t>(val ? r.scalar<uint8_t>(val, 0) : 0);
    case kDouble: return val ? r.scalar<double>(val, 0) : 0.0;
    case kString: return val ? r.str_field(val, 0) : std::string();
    default: fail(VXD_ERR_FORMAT, "constant method " + name + " has unsupported value type " + std::to_string(type));
  }
}

}  // namespace

PteProgram parse_pte(const uint8_t* data, uint64_t size, const std::string& path) {
  if (size < 64) fail(VXD_ERR_FORMAT, path + " is too small to be a .pte (" + std::to_string(size) + " bytes)");
  if (std::memcmp(data + 4, "FT01", 4) == 0)
    fail(VXD_ERR_FORMAT, path + " is a .ptd weights file; pass the .pte program as the model");
  if (std::memcmp(data + 4, "ET", 2) != 0) fail(VXD_ERR_FORMAT, path + " is not an ExecuTorch .pte file");
  if (std::memcmp(data + 4, "ET12", 4) != 0)
    fail(VXD_ERR_FORMAT, path + " has ExecuTorch version " + std::string(reinterpret_cast<const char*>(data + 4), 4) + ", expected ET12");
  fb::Reader whole(data, size, path);
  fb::Reader r(data, program_extent(whole), path);

  PteProgram prog;
  uint64_t root = r.root();
  uint64_t plans = r.ref(root, 1);
  if (!plans) r.corrupt("no execution plans");
  uint32_t n_plans = r.vec_len(plans, 4);
  std::string foreign;  // first thing that shows this is a genuine ExecuTorch export
  for (uint32_t i = 0; i < n_plans; ++i) {
    uint64_t plan = r.vec_table(plans, i);
    std::string name = r.str_field(plan, 0);
    if (name.empty()) r.corrupt("execution plan " + std::to_string(i) + " has no name");
    uint64_t chains = r.ref(plan, 5);
    uint32_t n_instr = 0;
    bool delegated_to_us = false;
    if (chains) {
      uint32_t n_chains = r.vec_len(chains, 4);
      uint64_t delegates = r.ref(plan, 7);
      uint32_t n_deleg = delegates ? r.vec_len(delegates, 4) : 0;
      for (uint32_t c = 0; c < n_chains; ++c) {
        uint64_t chain = r.vec_table(chains, c);
        uint64_t instrs = r.ref(chain, 2);
        uint32_t n = instrs ? r.vec_len(instrs, 4) : 0;
        n_instr += n;
        for (uint32_t k = 0; k < n; ++k) {
          uint64_t ins = r.vec_table(instrs, k);
          uint8_t type = r.scalar<uint8_t>(ins, 0);
          if (type == kKernelCall) {
            if (foreign.empty()) foreign = "method " + name + " calls ExecuTorch kernels";
          } else if (type == kDelegateCall) {
            uint64_t args = r.ref(ins, 1);
            int32_t di = args ? r.scalar<int32_t>(args, 0) : -1;
            if (di < 0 || static_cast<uint32_t>(di) >= n_deleg) r.corrupt("method " + name + " calls a delegate that does not exist");
            std::string id = r.str_field(r.vec_table(delegates, static_cast<uint32_t>(di)), 0);
            if (id == kDelegateBackendId) delegated_to_us = true;
            else if (foreign.empty()) foreign = "method " + name + " is delegated to " + id;
          }
        }
      }
    }
    if (n_instr == 0) prog.constants[name] = read_constant(r, plan, name);
    else if (delegated_to_us) prog.methods.push_back(name);
  }
  if (!foreign.empty())
    fail(VXD_ERR_FORMAT, path + " is a genuine ExecuTorch export (" + foreign +
                             "): this .pte needs the ExecuTorch runtime. Pack the checkpoint with `npx voxtral pack` instead.");
  if (prog.methods.empty() || prog.constants.find("format_version") == prog.constants.end())
    fail(VXD_ERR_FORMAT, path + " is an ExecuTorch program but not a Voxtral Dictate model (no " + kDelegateBackendId +
                             " methods or no format_version); this .pte needs the ExecuTorch runtime");
  return prog;
}

}  // namespace vxd
