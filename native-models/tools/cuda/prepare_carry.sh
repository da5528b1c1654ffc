#!/usr/bin/env bash
# Run HERE (Node is needed) before the device call: fills .carry/ (ignored by git) with what
# run_cuda.sh's parity and evaluation steps read, and checks that the working tree plus .carry
# stays under the device call's 64 MiB:
#   .carry/pairs/<case>-<variant>/   tiny/wrap reference checkpoints in fp32/bf16/8w/4w (pack_carry_pairs.sh)
#   .carry/demo-eval/<set>/          the demo model's held-out sets: NNN.wav + manifest.jsonl
#                                    (make_data.py --eval-only; seen_voices, unseen_voices)
# Then: run(carry=[".carry"], command="native-models/reference/run_cuda.sh --quick --no-hf").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/pack_carry_pairs.sh" > "$tmp/pack.log" 2>&1 || { tail -20 "$tmp/pack.log"; exit 1; }
python3 native-models/train/make_data.py "$tmp" --eval-only > "$tmp/data.log" 2>&1 || { tail -20 "$tmp/data.log"; exit 1; }
rm -rf .carry/demo-eval
for s in seen_voices unseen_voices; do
  mkdir -p ".carry/demo-eval/$s"
  cp "$tmp/eval/$s/manifest.jsonl" "$tmp/eval/$s"/*.wav ".carry/demo-eval/$s/"
done
# What the device call copies: tracked files, untracked files git does not ignore, and .carry.
tree=$( (git ls-files -z; git ls-files -z -o --exclude-standard) | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s}')
carry=$(du -sb .carry | cut -f1)
total=$((tree + carry))
awk -v t="$tree" -v c="$carry" -v p="$(du -sb .carry/pairs | cut -f1)" -v d="$(du -sb .carry/demo-eval | cut -f1)" 'BEGIN {
  m = 1048576; printf "tree %.1f MiB + .carry %.1f MiB (pairs %.1f, demo-eval %.1f) = %.1f MiB of 64\n", t/m, c/m, p/m, d/m, (t+c)/m }'
# Keep a margin for files others add before the call.
if [ "$total" -gt $((58 << 20)) ]; then echo "too large for one device call (limit 64 MiB, margin 6)"; exit 1; fi
