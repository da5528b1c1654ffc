#!/usr/bin/env bash
# A/B of prebuilt tool sets and switches on the GPU machine, alternating, in one call (no build).
#   native-models/reference/ab_cuda.sh DIR [ROUNDS]
# DIR holds NAME.tar.xz bundles (build_tools.sh --pack-ab, or --pack as .carry's
# cuda-prebuilt.tar.xz: either holds bench_engine and cuda_op_check; built from git revisions by
# native-models/tools/cuda/build_ab_bundles.sh) and a file `variants`, one
# per line: LABEL BUNDLE [VAR=value ...]. Each round runs every variant's
# bench_engine (4w, positions 100/2000/8000) in file order, and a "mean" line per variant follows
# the rounds (with its difference from the first variant); then every variant once more with
# VXD_CUDA_TRACE=1 at position 2000 (TRACE_POSITIONS="2000 8000": each), summarised by trace_summary.py; then OPCHECK's bundle's
# cuda_op_check (OPCHECK=NAME, default: the last bundle named). Two files come back:
# $OUT/ab-summary.txt and $OUT/ab-logs.tar.gz (every log; few files, as the device tool returns few).
set -uo pipefail
DIR=$1 ROUNDS=${2:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/vxd-ab-out}
mkdir -p "$OUT"
L=$(mktemp -d /tmp/vxd-ab.XXXXXX)
SUM="$OUT/ab-summary.txt"
trap 'tar czf "$OUT/ab-logs.tar.gz" -C "$L" .' EXIT
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv,noheader | tee "$SUM"
last=""
while read -r label bundle rest; do
  [ -z "$label" ] && continue
  if [ ! -d "/tmp/ab/$bundle" ]; then
    mkdir -p "/tmp/ab/$bundle" && tar xJf "$DIR/$bundle.tar.xz" -C "/tmp/ab/$bundle" || { echo "bundle $bundle missing" | tee -a "$SUM"; exit 1; }
  fi
  last=$bundle
done < "$DIR/variants"
bench() {  # bundle env... -- bench args
  local bundle=$1; shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  (cd "/tmp/ab/$bundle" && env "${envs[@]}" ./bench_engine --dtypes 4w --rtf-seconds 0 --parity 0 "$@")
}
for r in $(seq 1 "$ROUNDS"); do
  while read -r label bundle rest; do
    [ -z "$label" ] && continue
    # shellcheck disable=SC2086
    bench "$bundle" $rest -- --positions 100,2000,8000 --iters 20 > "$L/bench-$label-$r.log" 2>&1
    echo "round $r $label: $(awk '$1 == "4w" && $2 ~ /^[0-9]+$/ {printf "%s: %s  ", $2, $3}' "$L/bench-$label-$r.log")" | tee -a "$SUM"
  done < "$DIR/variants"
done
# Each variant's mean over the rounds, and its difference from the first variant's (ms per step).
grep '^round ' "$SUM" | awk '
  { label = $3; sub(/:$/, "", label); if (!(label in seen)) { seen[label] = 1; order[++n] = label }
    for (i = 4; i + 1 <= NF; i += 2) { pos = $i; sub(/:$/, "", pos); if (!(pos in known)) { known[pos] = 1; cols[++m] = pos }
      sum[label, pos] += $(i + 1); cnt[label, pos]++ } }
  END { for (j = 1; j <= n; j++) { l = order[j]; line = "mean " l ":"
          for (k = 1; k <= m; k++) { p = cols[k]; if (cnt[l, p]) { v = sum[l, p] / cnt[l, p]; line = line sprintf("  %s: %.3f", p, v)
            if (j > 1 && cnt[order[1], p]) line = line sprintf(" (%+.3f)", v - sum[order[1], p] / cnt[order[1], p]) } }
          print line } }' | tee -a "$SUM"
for pos in ${TRACE_POSITIONS:-2000}; do
  while read -r label bundle rest; do
    [ -z "$label" ] && continue
    # shellcheck disable=SC2086
    bench "$bundle" VXD_CUDA_TRACE=1 $rest -- --positions "$pos" --iters 5 > "$L/trace-$label-$pos.log" 2>&1
  done < "$DIR/variants"
done
# Summaries after all traces ran, so that an unlabelled trace (a bundle older than the labels)
# can borrow a labelled one's.
labelled=$(grep -l "staged" "$L"/trace-*.log 2>/dev/null | head -1)
for pos in ${TRACE_POSITIONS:-2000}; do
  while read -r label bundle rest; do
    [ -z "$label" ] && continue
    { echo "--- trace $label at $pos"; python3 "$HERE/trace_summary.py" "$L/trace-$label-$pos.log" ${labelled:+--labels-from "$labelled"}; } | tee -a "$SUM"
  done < "$DIR/variants"
done
(cd "/tmp/ab/${OPCHECK:-$last}" && ./cuda_op_check 7) > "$L/opcheck.log" 2>&1
echo "op check (${OPCHECK:-$last}): rc $? $(grep -c '^FAIL' "$L/opcheck.log") FAIL lines; $(tail -2 "$L/opcheck.log" | tr '\n' ' ')" | tee -a "$SUM"
