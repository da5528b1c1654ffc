// The model flags the command-line tools share (vxd-run, transcribe_set): --model, --data,
// --backend, --gpu, --dtype, --threads, parsed into vxd_model_params in one place.
#pragma once

#include <cstdlib>
#include <string>

#include "vxd.h"

namespace vxd::tools {

// True when `flag` is one of the model flags; its value comes from next() (which fails on a
// missing value) and goes into `mp`. Strings point into argv, which outlives the parse.
template <class Next>
bool parse_model_flag(const std::string& flag, Next&& next, vxd_model_params& mp) {
  if (flag == "--model") mp.pte_path = next();
  else if (flag == "--data") mp.ptd_path = next();
  else if (flag == "--backend") mp.backend = next();
  else if (flag == "--gpu") mp.device = next();
  else if (flag == "--dtype") mp.dtype = next();
  else if (flag == "--threads") mp.n_threads = std::atoi(next());
  else return false;
  return true;
}

// The usage text of those flags.
constexpr const char* kModelFlagsUsage = "--model model.pte [--data model.ptd] [--backend cpu|cuda] [--gpu ID|INDEX] [--dtype fp32|bf16] [--threads N]";

}  // namespace vxd::tools
