#!/usr/bin/env bash
# Run HERE (Node is needed) before a device call: packs the tiny/wrap reference checkpoints in the
# four parity variants into .carry/pairs/<case>-<variant>/ (about 12 MB, ignored by git), for
# run_cuda.sh's engine-on-CUDA parity section. Pass ".carry" in the device call's `carry`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qx "/.carry/" "$exclude" 2>/dev/null || echo "/.carry/" >> "$exclude"
for c in tiny wrap; do
  for v in fp32 bf16 8w 4w; do
    case $v in
      fp32) opts=(--dtype fp32) ;;
      bf16) opts=(--dtype bf16) ;;
      8w) opts=(--dtype fp32 --quant 8w) ;;
      4w) opts=(--dtype fp32 --quant 4w) ;;
    esac
    npx voxtral pack --checkpoint "test/fixtures/reference/$c/checkpoint" --out ".carry/pairs/$c-$v" "${opts[@]}" --group-size 32
  done
done
