#!/usr/bin/env bash
# Nsight Compute on every graph node of one replayed streaming step (GPU machine): the one place
# that finds ncu and names its settings (clocks and caches left as they are) and metrics.
#   ncu_step.sh BUILD_DIR DTYPE OUT_CSV                      per-kernel times of the whole step
#   ncu_step.sh BUILD_DIR DTYPE OUT_CSV stalls SKIP COUNT    warp stall reasons, occupancy and launch
#       statistics of COUNT GEMV/attention kernels after the first SKIP of them (in step order)
#   ncu_step.sh BUILD_DIR DTYPE OUT_CSV full SKIP COUNT      the same kernels, every raw metric of
#       ncu's full set (instruction counts, stall reasons per instruction, pipe utilisation)
# Exit 3 when ncu is not installed. OUT_CSV gets ncu's CSV (stderr to OUT_CSV.err);
# tools/cuda/ncu_summary.py turns the first kind into a table.
set -uo pipefail
build=$1 dtype=$2 csv=$3 mode=${4:-times}
ncu=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | tail -1)
[ -n "$ncu" ] || { echo "ncu_step.sh: no ncu here" >&2; exit 3; }
if [ "$mode" = stalls ] || [ "$mode" = full ]; then
  what=(--kernel-name regex:"gemv|attention_(mma_)?kernel" --launch-skip "$5" --launch-count "$6")
  if [ "$mode" = full ]; then what+=(--set full --page raw); else what+=(--section WarpStateStats --section Occupancy --section LaunchStats); fi
else
  what=(--metrics gpu__time_duration.sum,dram__bytes_read.sum,launch__grid_size,launch__block_size,launch__registers_per_thread)
fi
timeout 240 "$ncu" --profile-from-start off --graph-profiling node --cache-control none --clock-control none --csv "${what[@]}" \
  "$build/bench_engine" --dtypes "$dtype" --positions 2000 --iters 1 --rtf-seconds 0 --profile-step > "$csv" 2> "$csv.err"
