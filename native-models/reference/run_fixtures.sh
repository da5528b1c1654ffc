#!/usr/bin/env bash
# One device call (GPU machine, repo root): HF parity fixtures + the HF streaming benchmark.
#   bash native-models/reference/run_fixtures.sh
# Writes $OUT/fixtures.tar.gz (test/fixtures/reference/<case>/{manifest.json,*.f32}),
# $OUT/bench_hf.json and $OUT/log.txt. Unpack locally with:
#   tar -xzf fixtures.tar.gz -C test/fixtures/reference
set -o pipefail
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 TOKENIZERS_PARALLELISM=false
OUT=${OUT:-/tmp/vxd-reference-out}
HERE=native-models/reference
FIXTURES=$(mktemp -d)
mkdir -p "$OUT"

run() {
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  python3 -c "import torch, transformers, numpy; print('torch', torch.__version__, 'transformers', transformers.__version__, 'numpy', numpy.__version__, 'cuda', torch.cuda.is_available())"
  echo "== fixtures"
  timeout 150 python3 "$HERE/hf_fixtures.py" --out "$FIXTURES"
  fixtures_rc=$?
  echo "fixtures rc=$fixtures_rc"
  tar -C "$FIXTURES" -czf "$OUT/fixtures.tar.gz" . && ls -la "$OUT/fixtures.tar.gz"
  echo "== bench"
  timeout 240 python3 "$HERE/bench_hf.py" --json "$OUT/bench_hf.json"
  bench_rc=$?
  echo "bench rc=$bench_rc"
  return $(( fixtures_rc != 0 || bench_rc != 0 ))
}

run 2>&1 | tee "$OUT/log.txt"
