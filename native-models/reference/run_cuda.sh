#!/usr/bin/env bash
# The CUDA backend's one device script (GPU machine: nvcc, cmake, ninja, python3 with torch; no node).
# Builds the CUDA backend's tools, runs the per-op CUDA-vs-CPU checks, the full-size engine step
# benchmark (bf16 and 4w, with token parity against the CPU backend), the same benchmark without
# CUDA graphs, and HF transformers' streaming step (bench_hf.py) on the same GPU; prints a table.
#   native-models/reference/run_cuda.sh [--no-hf] [--quick]
# With .carry/pairs (made here by native-models/tools/cuda/pack_carry_pairs.sh, passed in `carry`)
# it also runs the engine's own model code on CUDA against the HF fixtures and the CPU backend.
# Logs and JSON go to $OUT (default /tmp/vxd-cuda-out).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/vxd-cuda-out}
mkdir -p "$OUT"
HF=1 QUICK=0
for a in "$@"; do
  case $a in --no-hf) HF=0 ;; --quick) QUICK=1 ;; esac
done
status=0
step() { echo; echo "=== $* ($(date -u +%T))"; }

step environment
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv; nvcc --version | tail -2
  python3 -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'transformers', transformers.__version__)"
} 2>&1 | tee "$OUT/build.log"

step build
BUILD=${BUILD:-/tmp/vxd-build-cuda}
# Only the H100/H200 target here: the PTX fallback is for users' other GPUs and only costs build time.
cmake -S native-models/tools/cuda -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DVXD_CUDA_GENCODE=-gencode=arch=compute_90a,code=sm_90a" >> "$OUT/build.log" 2>&1 &&
  cmake --build "$BUILD" -j 16 >> "$OUT/build.log" 2>&1
if [ $? -ne 0 ]; then tail -40 "$OUT/build.log"; exit 1; fi
echo built

step probe
"$BUILD/cuda_probe" | tee -a "$OUT/build.log"

step per-op checks '(without and with programmatic dependent launch)'
"$BUILD/cuda_op_check" > "$OUT/op_check.txt" 2>&1 || status=1
VXD_CUDA_PDL=1 "$BUILD/cuda_op_check" >> "$OUT/op_check.txt" 2>&1 || status=1
grep -E "^FAIL|seed=|passed" "$OUT/op_check.txt"

if [ -d .carry/pairs ]; then
  step "the engine's model code on CUDA: tiny/wrap fixtures vs HF (compare_dump.py) and vs the CPU backend"
  EBUILD=${EBUILD:-/tmp/vxd-build-engine}
  cmake -S native-models -B "$EBUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DVXD_CUDA_GENCODE=-gencode=arch=compute_90a,code=sm_90a" >> "$OUT/build.log" 2>&1 &&
    cmake --build "$EBUILD" -j 16 --target vxd-run >> "$OUT/build.log" 2>&1 || { echo "engine build failed"; status=1; }
  PAR=$(mktemp -d)
  for c in tiny wrap; do
    wav=$(python3 -c "import json; print(json.load(open('test/fixtures/reference/$c/manifest.json'))['audio'])")
    for v in fp32 bf16 8w 4w; do
      d=fp32; [ $v = bf16 ] && d=bf16
      for b in cpu cuda; do
        mkdir -p "$PAR/$c-$v-$b"
        "$EBUILD/vxd-run" --model ".carry/pairs/$c-$v/model.pte" --data ".carry/pairs/$c-$v/model.ptd" --backend $b \
          --dtype $d --dump "$PAR/$c-$v-$b" "$wav" > "$PAR/$c-$v-$b.json" 2>> "$OUT/engine_parity.txt" || status=1
      done
      python3 native-models/reference/compare_dump.py --case $c --variant $v --dump "$PAR/$c-$v-cuda" \
        --run "$PAR/$c-$v-cuda.json" >> "$OUT/engine_parity.txt" 2>&1 || status=1
      python3 - "$PAR/$c-$v-cpu.json" "$PAR/$c-$v-cuda.json" "$c/$v" <<'PY' | tee -a "$OUT/engine_parity.txt" || status=1
import json, sys
cpu, cuda = (json.load(open(p)) for p in sys.argv[1:3])
same = cpu["tokens"] == cuda["tokens"]
print(f"{sys.argv[3]}: cuda vs cpu tokens {'identical' if same else 'DIFFER'} ({len(cuda['tokens'])} tokens), "
      f"cuda {cuda['msPerStep']:.3f} ms/step, cpu {cpu['msPerStep']:.3f} ms/step")
# fp32 activations must agree exactly; with bf16 activations a near-tie may flip (informational).
sys.exit(0 if same or sys.argv[3].endswith("/bf16") else 1)
PY
    done
  done
  grep -E '"failures": \[[^]]' "$OUT/engine_parity.txt" && status=1
fi

step engine benchmark + parity
if [ $QUICK = 1 ]; then ARGS="--positions 100,8000 --iters 20 --rtf-seconds 10 --parity 4"; else ARGS="--parity 8"; fi
"$BUILD/bench_engine" $ARGS --json "$OUT/engine.json" 2>&1 | tee "$OUT/engine.txt" || status=1

step engine with PDL '(VXD_CUDA_PDL=1)', and without CUDA graphs
VXD_CUDA_PDL=1 "$BUILD/bench_engine" --iters 20 --rtf-seconds 0 --json "$OUT/engine_pdl.json" 2>&1 |
  grep -E "^(4w|bf16) |error" | tee "$OUT/profile.txt"
VXD_CUDA_GRAPHS=0 "$BUILD/bench_engine" --dtypes 4w --positions 2000 --iters 20 --rtf-seconds 0 2>&1 |
  grep -E "^4w|error" | sed 's/^/no graphs: /' | tee -a "$OUT/profile.txt"

step per-op GPU time '(eager, position 2000; prefill ops included)'
for d in 4w bf16; do
  echo "--- $d" >> "$OUT/profile.txt"
  VXD_CUDA_GRAPHS=0 VXD_CUDA_PROFILE=1 "$BUILD/bench_engine" --dtypes $d --positions 2000 --iters 10 --rtf-seconds 0 \
    2>> "$OUT/profile.txt" > /dev/null
done
grep -A 16 -E "^--- " "$OUT/profile.txt"

if [ $HF = 1 ]; then
  step HF transformers
  PYTHONUNBUFFERED=1 python3 native-models/reference/bench_hf.py --json "$OUT/hf.json" > "$OUT/hf.log" 2>&1
  tail -8 "$OUT/hf.log"
fi

step summary
python3 - "$OUT" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
eng = json.loads((out / "engine.json").read_text())
hf = json.loads((out / "hf.json").read_text()) if (out / "hf.json").exists() else None
runs = {r["dtype"]: r for r in eng["runs"]}
pdl_path = out / "engine_pdl.json"
pdl = {r["dtype"]: r for r in json.loads(pdl_path.read_text())["runs"]} if pdl_path.exists() else {}
hf_pos = {r["position"]: r for r in hf["positions"]} if hf else {}
print(f"copy bandwidth (read+write): {eng['copy_bw_GBps']:.0f} GB/s")
print("| pos | HF bf16 ms | ours bf16 ms | ours 4w ms | bf16 speedup | 4w speedup | 4w floor ms | 4w / floor | 4w with PDL ms |")
print("|---|---|---|---|---|---|---|---|---|")
positions = [s["pos"] for s in next(iter(runs.values()))["steps"]]
for i, p in enumerate(positions):
    b = runs.get("bf16", {}).get("steps", [None] * (i + 1))[i]
    q = runs.get("4w", {}).get("steps", [None] * (i + 1))[i]
    h = hf_pos.get(p, {}).get("stepMs")
    f = lambda v: f"{v:.3f}" if v is not None else "-"
    sp = lambda s: f"{h / s['ms_per_step']:.1f}x" if (h and s) else "-"
    print(f"| {p} | {f(h)} | {f(b and b['ms_per_step'])} | {f(q and q['ms_per_step'])} | {sp(b)} | {sp(q)} | "
          f"{f(q and q['floor_ms'])} | {(q['ms_per_step'] / q['floor_ms']) if q else float('nan'):.2f}x | "
          f"{f(pdl['4w']['steps'][i]['ms_per_step']) if '4w' in pdl else '-'} |")
for d, r in runs.items():
    print(f"{d}: load {r['load_s']:.2f} s, VRAM {r['vram_GB']:.2f} GB, prefill {r['prefill_ms']:.1f} ms, "
          f"RTF({r.get('rtf_audio_s', 0):.0f} s) {r.get('rtf', float('nan')):.4f}, "
          f"parity {r.get('parity_equal', '-')}/{r.get('parity_total', '-')} ids, logits rel {r.get('parity_logits_rel', float('nan')):.2e}")
if hf:
    print(f"HF: {hf['device']}, torch {hf['torch']}, transformers {hf['transformers']}, attention {hf['attention']}, "
          f"RTF {hf['realTimeFactor']}")
PY
exit $status
