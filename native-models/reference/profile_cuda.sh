#!/usr/bin/env bash
# Per-kernel GPU time of one streaming step (GPU machine): Nsight Compute on the replayed CUDA
# graph of bench_engine's step (each graph node profiled alone, caches and clocks left as they
# are), for 4w and bf16 at decoder position 2000, next to the graph-replay step time of the same
# binary. Output: $OUT/ncu_<dtype>.csv (one row per kernel and metric) and $OUT/profile.txt;
# native-models/tools/cuda/ncu_summary.py turns a CSV into a per-kernel table (here or there).
#   native-models/reference/profile_cuda.sh [extra env assignments are passed through]
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/vxd-cuda-out}
BUILD=${BUILD:-/tmp/vxd-build-cuda}
mkdir -p "$OUT"
LOG="$OUT/profile.txt"
T0=$(date +%s)
say() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a "$LOG"; }
say "$(nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader)"
cmake -S native-models/tools/cuda -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DVXD_CUDA_GENCODE=-gencode=arch=compute_90a,code=sm_90a" > "$OUT/build.log" 2>&1 &&
  cmake --build "$BUILD" -j 16 --target bench_engine cuda_op_check >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" | tee -a "$LOG"; exit 1; }
say built
timeout 120 "$BUILD/cuda_op_check" > "$OUT/op_check.txt" 2>&1
say "op check: $(grep -E 'passed' "$OUT/op_check.txt" | tail -1)"
grep -E "^FAIL" "$OUT/op_check.txt" | head -20 | tee -a "$LOG"
timeout 120 "$BUILD/bench_engine" --dtypes 4w,bf16 --positions 2000 --iters 20 --rtf-seconds 0 2>&1 | grep -E "^(4w|bf16) |^\[" | tee -a "$LOG"
say "graph replay timed"
for v in VXD_CUDA_QKV_ROPE=0 VXD_FUSED=0; do
  env $v timeout 120 "$BUILD/bench_engine" --dtypes 4w,bf16 --positions 2000 --iters 20 --rtf-seconds 0 2>&1 | grep -E "^(4w|bf16) " | sed "s/^/$v: /" | tee -a "$LOG"
done
VXD_CUDA_GRAPHS=0 VXD_CUDA_PROFILE=1 timeout 120 "$BUILD/bench_engine" --dtypes 4w --positions 2000 --iters 10 --rtf-seconds 0 \
  2> "$OUT/eager_profile_4w.txt" > /dev/null
say "eager per-op profile (events around each op, ~5 us of overhead each):"
head -30 "$OUT/eager_profile_4w.txt" | tee -a "$LOG"
native-models/tools/cuda/ncu_step.sh "$BUILD" 4w "$OUT/ncu_4w.csv"
say "ncu 4w: rc $? ($(grep -c gpu__time_duration "$OUT/ncu_4w.csv" 2>/dev/null) kernels)"
python3 native-models/tools/cuda/ncu_summary.py "$OUT/ncu_4w.csv" 2>&1 | head -60 | tee -a "$LOG"
