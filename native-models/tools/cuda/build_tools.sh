#!/usr/bin/env bash
# The one build of the CUDA tools (engine, vxd-run, cuda_probe, cuda_op_check, bench_engine,
# transcribe_set), for the H100/H200 target only: run_cuda.sh runs it on the GPU machine, and
# prepare_carry.sh runs it here so that the device call can skip it. Writes BUILD_DIR/stamp
# (build_stamp.sh of the sources and these flags) after a build that succeeded.
#   native-models/tools/cuda/build_tools.sh BUILD_DIR [JOBS]
#   native-models/tools/cuda/build_tools.sh --stamp        the stamp this tree's build would get
#   native-models/tools/cuda/build_tools.sh --pack BUILD_DIR OUT.tar.xz
#       the programs, their stamp and the two objects run_cuda.sh reads machine code from, as
#       run_cuda.sh unpacks them (.carry/cuda-prebuilt.tar.xz)
#   native-models/tools/cuda/build_tools.sh --pack-ab BUILD_DIR OUT.tar.xz
#       only what ab_cuda.sh runs (bench_engine, cuda_op_check) and the stamp: ~3 MB against ~7,
#       so one call carries twice the bundles
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# Only the H100/H200 target: the PTX fallback is for users' other GPUs and only costs build time.
GENCODE="-gencode=arch=compute_90a,code=sm_90a"
TARGETS=(vxd-run cuda_probe cuda_op_check bench_engine transcribe_set)
stamp() { "$here/build_stamp.sh" "$GENCODE Release ${TARGETS[*]}"; }
if [ "${1:-}" = "--stamp" ]; then stamp; exit 0; fi
# pack OPTION BUILD_DIR OUT FILES... (OPTION names the usage): FILES (relative to BUILD_DIR) and the stamp into OUT.tar.xz.
pack() {
  local build=${2:?usage: build_tools.sh $1 BUILD_DIR OUT.tar.xz} out=${3:?usage: build_tools.sh $1 BUILD_DIR OUT.tar.xz}
  shift 3
  [ -f "$build/stamp" ] || { echo "no finished build in $build" >&2; exit 1; }
  out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
  cd "$build"
  tar cJf "$out" stamp "$@"
}
case "${1:-}" in
  --pack)
    pack "$1" "${2:-}" "${3:-}" engine/vxd-run cuda_probe cuda_op_check bench_engine transcribe_set \
      $(cd "${2:-.}" && find engine -name gemv_mma.cu.o -o -name attention.cu.o 2>/dev/null)
    exit 0 ;;
  --pack-ab) pack "$1" "${2:-}" "${3:-}" bench_engine cuda_op_check; exit 0 ;;
esac
build="${1:?usage: build_tools.sh BUILD_DIR [JOBS]}" jobs="${2:-$(nproc)}"
rm -f "$build/stamp"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DVXD_CUDA_GENCODE=$GENCODE"
cmake --build "$build" -j "$jobs" --target "${TARGETS[@]}"
stamp > "$build/stamp"
