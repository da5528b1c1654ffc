#!/usr/bin/env bash
# Prints one hash of everything the CUDA tools' build reads: the engine's and tools' sources and
# CMake files, plus the flags given as arguments. prepare_carry.sh stamps the build it makes here
# with it, and run_cuda.sh uses that build only when the device's copy of the tree gives the same.
#   native-models/tools/cuda/build_stamp.sh "-gencode=arch=compute_90a,code=sm_90a"
set -euo pipefail
cd "$(dirname "$0")/../../.."
{
  echo "flags: $*"
  find native-models/CMakeLists.txt native-models/include native-models/src native-models/kernels \
    native-models/tools native-models/reference -type f \
    \( -name '*.cpp' -o -name '*.c' -o -name '*.h' -o -name '*.hpp' -o -name '*.cu' -o -name '*.cuh' \
       -o -name 'CMakeLists.txt' -o -name '*.cmake' \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
} | sha256sum | cut -d' ' -f1
