#!/usr/bin/env bash
# Run HERE (Node is needed) before the device call: fills .carry/ (ignored by git) with what
# run_cuda.sh's parity and evaluation steps read, and checks that the working tree plus .carry
# stays under the device call's 64 MiB:
#   .carry/pairs/<case>-<variant>/   tiny/wrap reference checkpoints in fp32/bf16/8w/4w (pack_carry_pairs.sh)
#   .carry/demo-eval/<set>/          the demo model's held-out sets: NNN.wav + manifest.jsonl
#                                    (make_data.py --eval-only; seen_voices, unseen_voices)
#   .carry/cuda-prebuilt.tar.xz      the CUDA tools built here (build_tools.sh, about 2 min on 2
#                                    cores; skip with --no-build): run_cuda.sh uses them when their
#                                    stamp matches the device's tree, and saves its ~45 s build
# Then: run(carry=[".carry"], command="native-models/reference/run_cuda.sh --quick --no-hf").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."
root=$(pwd)
BUILD_TOOLS=1
for a in "$@"; do
  case $a in --no-build) BUILD_TOOLS=0 ;; *) echo "unknown argument $a"; exit 2 ;; esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/pack_carry_pairs.sh" > "$tmp/pack.log" 2>&1 || { tail -20 "$tmp/pack.log"; exit 1; }
python3 native-models/train/make_data.py "$tmp" --eval-only > "$tmp/data.log" 2>&1 || { tail -20 "$tmp/data.log"; exit 1; }
rm -rf .carry/demo-eval
for s in seen_voices unseen_voices; do
  mkdir -p ".carry/demo-eval/$s"
  cp "$tmp/eval/$s/manifest.jsonl" "$tmp/eval/$s"/*.wav ".carry/demo-eval/$s/"
done
rm -f .carry/cuda-prebuilt.tar.xz
if [ $BUILD_TOOLS = 1 ]; then
  prebuilt=native-models/build-prebuilt
  "$here/build_tools.sh" "$prebuilt" > "$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 1; }
  "$here/build_tools.sh" --pack "$prebuilt" "$root/.carry/cuda-prebuilt.tar.xz"
fi
# What the device call copies: tracked files, untracked files git does not ignore, and .carry.
tree=$( (git ls-files -z; git ls-files -z -o --exclude-standard) | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s}')
carry=$(du -sb .carry | cut -f1)
total=$((tree + carry))
awk -v t="$tree" -v c="$carry" -v p="$(du -sb .carry/pairs | cut -f1)" -v d="$(du -sb .carry/demo-eval | cut -f1)" \
  -v b="$(du -sb .carry/cuda-prebuilt.tar.xz 2>/dev/null | cut -f1)" 'BEGIN {
  m = 1048576; printf "tree %.1f MiB + .carry %.1f MiB (pairs %.1f, demo-eval %.1f, prebuilt tools %.1f) = %.1f MiB of 64\n",
    t/m, c/m, p/m, d/m, b/m, (t+c)/m }'
# Keep a margin for files others add before the call.
if [ "$total" -gt $((58 << 20)) ]; then echo "too large for one device call (limit 64 MiB, margin 6)"; exit 1; fi
