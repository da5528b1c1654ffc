#!/usr/bin/env bash
# The CUDA backend's one device script (GPU machine: nvcc, cmake, ninja, python3; no node).
#   native-models/reference/run_cuda.sh [--quick] [--no-hf] [--lean]
# (--lean: steps 1-6 without the A/B, then the summary: the side-by-side table when device time is short)
# In order (most wanted first, so a run cut short still returns them), each step with its time:
#   1. one CMake/Ninja build (sm_90a only) of the engine and its tools: vxd-run, cuda_op_check,
#      bench_engine, transcribe_set (native-models/tools/cuda/CMakeLists.txt)
#   2. bench_engine: the engine's own model code at the full 4B shape (synthetic weights), 4w and
#      bf16, at decoder positions 100/2000/8000, CUDA-vs-CPU parity, 60 s real-time factor at 4w
#   3. HF transformers' streaming step on the same GPU (bench_hf.py; skipped with --no-hf)
#   4. cuda_op_check: every CUDA op against the CPU backend
#   5. CUDA vs CPU at full size with fp32 activations (the tight parity bound)
#   6. bench_engine with VXD_FUSED=0 (the model's unfused op sequence: the baseline of the run),
#      and the A/B of each switch at position 2000: VXD_CUDA_ATTN_WAVE=0 (attention splits as
#      in v4), VXD_CUDA_GATED6=0 (decoder w1/w3 with 2 + 2 rows per warp), VXD_CUDA_PDL=0 / =1 (no GEMV /
#      every GEMV as a programmatic dependent launch; default: the tensor-core ones),
#      VXD_CUDA_MMA=0 (q4 x bf16 GEMVs on the fp32 path instead of the tensor cores, as before v9),
#      VXD_CUDA_ATTN_MMA=0 (attention over bf16 caches on the fp32 kernel, as before v15),
#      VXD_CUDA_ATTN_CLUSTER=0 (its splits merged by a kernel, not in a block cluster, as before v17)
#      VXD_CUDA_ROUND8=0 (the decoder's gated GEMV loads 4 chunks per round, not 8, as before v19),
#      VXD_CUDA_TILED=0 (q4 weights kept in the file's layout, as before v23),
#      VXD_CUDA_ATTN_EARLY=0 (attention's first key tile loaded after the wait, as before v24),
#      VXD_CUDA_ROPE_EARLY=0 (the q/k/v epilogue's RoPE angles computed after the wait, as before v30);
#      AB="A=0 B=1" replaces the list
#   7. with .carry/demo-eval: the embedded demo model on CUDA (fp32 and bf16 activations) over
#      the held-out sets; token ids and decoded text per utterance, WER (train/wer.py)
#   8. with .carry/pairs: vxd-run --backend cuda on the tiny/wrap reference pairs vs the HF
#      fixtures (compare_dump.py) and vs --backend cpu
#   9. Nsight Compute's per-kernel times of one 4w step (tools/cuda/ncu_summary.py), then the
#      full metric set of the first encoder and decoder layers' kernels (ncu_full_summary.py)
#   full mode only (no --quick): op check with PDL, bench with PDL and without graphs, per-op profile
# .carry comes from native-models/tools/cuda/prepare_carry.sh (run here). Everything is logged to
# a work folder that is re-bundled into $OUT/logs.tar.gz after every step, next to
# $OUT/summary.txt, so a run cut short still returns its logs in two files.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/vxd-cuda-out}
mkdir -p "$OUT"
HF=1 QUICK=0 LEAN=0
for a in "$@"; do
  case $a in --no-hf) HF=0 ;; --quick) QUICK=1 ;; --lean) QUICK=1 LEAN=1 ;; *) echo "unknown argument $a"; exit 2 ;; esac
done
LOG=$(mktemp -d /tmp/vxd-cuda-logs.XXXXXX)
SUM="$OUT/summary.txt"
: > "$SUM"
T0=$(date +%s) TS=$(date +%s)
status=0
bundle() { tar czf "$OUT/logs.tar.gz" -C "$LOG" . 2>/dev/null; }
step() {
  bundle
  local now; now=$(date +%s)
  echo "    (previous step $((now - TS)) s)" | tee -a "$SUM"
  TS=$now
  echo "=== [$((now - T0)) s] $*" | tee -a "$SUM"
}
say() { tee -a "$SUM"; }
BUILD=${BUILD:-/tmp/vxd-build-cuda}

step environment
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv,noheader; nvcc --version | tail -2
  git log -1 --format="commit %h %s" 2>/dev/null || true; nproc
} 2>&1 | say

step build
# A build that prepare_carry.sh made here from these very sources (same stamp) and that starts on
# this machine (cuda_probe) saves the ~45 s build; anything else is built here as before.
built=0
if [ -f .carry/cuda-prebuilt.tar.xz ]; then
  rm -rf "$BUILD" && mkdir -p "$BUILD" && tar xJf .carry/cuda-prebuilt.tar.xz -C "$BUILD" 2> "$LOG/prebuilt.log"
  want=$(native-models/tools/cuda/build_tools.sh --stamp)
  if [ "$(cat "$BUILD/stamp" 2>/dev/null)" != "$want" ]; then
    echo "prebuilt tools in .carry: built from other sources; building here" | say
  elif ! { "$BUILD/cuda_probe" >> "$LOG/prebuilt.log" 2>&1 && grep -q "^create cuda: ok" "$LOG/prebuilt.log"; }; then
    echo "prebuilt tools in .carry: do not start here ($(tail -1 "$LOG/prebuilt.log")); building here" | say
  else
    built=1
    echo "prebuilt tools in .carry: used (stamp ${want:0:12})" | say
  fi
  [ $built = 1 ] || rm -rf "$BUILD"
fi
if [ $built = 0 ] && ! native-models/tools/cuda/build_tools.sh "$BUILD" 16 > "$LOG/build.log" 2>&1; then
  tail -40 "$LOG/build.log" | say; bundle; exit 1
fi
# Machine code of the hottest kernels, for reading instruction counts offline (no cuobjdump here).
cuobjdump=$(command -v cuobjdump || ls /usr/local/cuda/bin/cuobjdump 2>/dev/null)
if [ -n "$cuobjdump" ]; then
  for src in gemv_mma attention; do
    find "$BUILD" -name "$src.cu.o" -exec "$cuobjdump" -sass {} \; > "$LOG/$src.sass" 2>&1
  done
fi
"$BUILD/cuda_probe" 2>&1 | tee -a "$LOG/build.log" | grep -E "^cuda|^create cuda" | say

# The CPU reference of the parity check is computed once per dtype and reused by the second run.
if [ $QUICK = 1 ]; then BARGS=(--positions 100,2000,8000 --iters 20 --parity 2); else BARGS=(--parity 8); fi
BARGS+=(--dtypes 4w,bf16 --parity-cache "$LOG")
# The unfused baseline: step times only in quick mode (its CPU parity was checked in earlier runs).
if [ $QUICK = 1 ]; then UARGS=(--positions 100,2000,8000 --iters 20 --parity 0 --dtypes 4w,bf16); else UARGS=("${BARGS[@]}"); fi
show_bench() { grep -E "^(4w|bf16) |^\[|parity|error|bandwidth|no CUDA|^  (cpu|gpu):" "$1" | grep -v '^{' | say; }

step 'engine benchmark: full 4B shape, synthetic weights, fused ops (default); parity vs CPU; 60 s RTF at 4w'
timeout 180 "$BUILD/bench_engine" "${BARGS[@]}" --rtf-seconds 60 --rtf-dtypes 4w --json "$LOG/engine.json" > "$LOG/engine.txt" 2>&1
fused_rc=$?
[ $fused_rc -ne 0 ] && status=1
show_bench "$LOG/engine.txt"

if [ $HF = 1 ]; then
  step "HF transformers' streaming step on the same GPU (bench_hf.py)"
  PYTHONUNBUFFERED=1 timeout 300 python3 native-models/reference/bench_hf.py --iters 20 --rtf-seconds 0 --json "$LOG/hf.json" > "$LOG/hf.log" 2>&1
  tail -8 "$LOG/hf.log" | say
fi

# The per-op checks run right after the side-by-side figures: when device time is short, those
# come back first (the bench's own --parity already checks CUDA vs CPU at full size).
step 'per-op checks (cuda_op_check)'
timeout 90 "$BUILD/cuda_op_check" > "$LOG/op_check.txt" 2>&1 || status=1
grep -E "^FAIL|seed=|passed" "$LOG/op_check.txt" | tail -20 | say
if [ $QUICK = 0 ]; then
  VXD_CUDA_PDL=1 timeout 90 "$BUILD/cuda_op_check" > "$LOG/op_check_pdl.txt" 2>&1 || status=1
  grep -E "^FAIL|passed" "$LOG/op_check_pdl.txt" | sed 's/^/PDL: /' | tail -5 | say
fi

step 'CUDA vs CPU with fp32 activations (4w): the tight parity check at full size'
timeout 150 "$BUILD/bench_engine" --act fp32 --dtypes 4w --positions 2000 --iters 5 --rtf-seconds 0 --parity 2 --parity-cache "$LOG" \
  --json "$LOG/engine_fp32.json" > "$LOG/engine_fp32.txt" 2>&1 || status=1
show_bench "$LOG/engine_fp32.txt"

step 'engine benchmark with VXD_FUSED=0 (unfused op sequence: the baseline)'
# The 60 s RTF is repeated here only when the fused run failed.
rtf=0; [ $fused_rc -ne 0 ] && rtf=60
VXD_FUSED=0 timeout 120 "$BUILD/bench_engine" "${UARGS[@]}" --rtf-seconds $rtf --rtf-dtypes 4w --json "$LOG/engine_unfused.json" \
  > "$LOG/engine_unfused.txt" 2>&1 || status=1
show_bench "$LOG/engine_unfused.txt"

if [ $LEAN = 0 ]; then
step 'A/B of the switches, position 2000 (each against the fused default above)'
for sw in ${AB:-VXD_CUDA_ROPE_EARLY=0 VXD_CUDA_ATTN_EARLY=0 VXD_CUDA_TILED=0 VXD_CUDA_ATTN_WAVE=0 VXD_CUDA_GATED6=0 VXD_CUDA_PDL=0 VXD_CUDA_PDL=1 VXD_CUDA_MMA=0 VXD_CUDA_ATTN_MMA=0 VXD_CUDA_ATTN_CLUSTER=0 VXD_CUDA_ROUND8=0}; do
  env "$sw" timeout 60 "$BUILD/bench_engine" --dtypes 4w,bf16 --positions 2000 --iters 20 --rtf-seconds 0 \
    > "$LOG/engine_ab_${sw/=/_}.txt" 2>&1 || status=1
  grep -E "^(4w|bf16) " "$LOG/engine_ab_${sw/=/_}.txt" | sed "s/^/$sw: /" | say
done

if [ -d .carry/demo-eval ]; then
  step 'demo model on CUDA over the held-out sets (WER)'
  M=native-models/models/demo
  for d in fp32 bf16; do
    for s in seen_voices unseen_voices; do
      ids="$LOG/demo-$s-cuda-$d.ids.jsonl"
      timeout 60 "$BUILD/transcribe_set" --model $M/model.pte --backend cuda --dtype $d ".carry/demo-eval/$s" > "$ids" 2>> "$LOG/demo_eval.txt" || status=1
      python3 native-models/tools/cuda/decode_ids.py $M/tekken.json "$ids" > "${ids%.ids.jsonl}.hyps.jsonl" 2>> "$LOG/demo_eval.txt"
      echo "$s cuda $d: $(python3 native-models/train/wer.py ".carry/demo-eval/$s/manifest.jsonl" "${ids%.ids.jsonl}.hyps.jsonl" 2>&1)" |
        tee -a "$LOG/demo_eval.txt" | say
    done
  done
  grep RTF "$LOG/demo_eval.txt" | say
fi

if [ -d .carry/pairs ]; then
  step "the engine's model code on CUDA: tiny/wrap fixtures vs HF (compare_dump.py) and vs the CPU backend"
  PAR="$LOG/pairs"
  for c in tiny wrap; do
    wav=$(python3 -c "import json; print(json.load(open('test/fixtures/reference/$c/manifest.json'))['audio'])")
    for v in fp32 bf16 8w 4w; do
      d=fp32; [ $v = bf16 ] && d=bf16
      for b in cpu cuda; do
        mkdir -p "$PAR/$c-$v-$b"
        timeout 30 "$BUILD/engine/vxd-run" --model ".carry/pairs/$c-$v/model.pte" --data ".carry/pairs/$c-$v/model.ptd" --backend $b \
          --dtype $d --dump "$PAR/$c-$v-$b" "$wav" > "$PAR/$c-$v-$b.json" 2>> "$LOG/engine_parity.txt" || status=1
      done
      python3 native-models/reference/compare_dump.py --case $c --variant $v --dump "$PAR/$c-$v-cuda" \
        --run "$PAR/$c-$v-cuda.json" >> "$LOG/engine_parity.txt" 2>&1 || status=1
      python3 - "$PAR/$c-$v-cpu.json" "$PAR/$c-$v-cuda.json" "$c/$v" <<'PY' 2>> "$LOG/engine_parity.txt" | tee -a "$LOG/engine_parity.txt" | say || status=1
import json, sys
try:
    cpu, cuda = (json.load(open(p)) for p in sys.argv[1:3])
except (OSError, ValueError):
    sys.exit(print(f"{sys.argv[3]}: no vxd-run result (see engine_parity.txt)") or 1)
same = cpu["tokens"] == cuda["tokens"]
print(f"{sys.argv[3]}: cuda vs cpu tokens {'identical' if same else 'DIFFER'} ({len(cuda['tokens'])} tokens), "
      f"cuda {cuda['msPerStep']:.3f} ms/step, cpu {cpu['msPerStep']:.3f} ms/step")
# fp32 activations must agree exactly; with bf16 activations a near-tie may flip (informational).
sys.exit(0 if same or sys.argv[3].endswith("/bf16") else 1)
PY
      rm -rf "$PAR/$c-$v-cpu" "$PAR/$c-$v-cuda"  # the dumps are large; compare_dump.py's verdict is logged
    done
  done
  if grep -qE '"failures": \[[^]]' "$LOG/engine_parity.txt"; then
    grep -E '"failures": \[[^]]' "$LOG/engine_parity.txt" | say
    status=1
  fi
fi

if [ $QUICK = 0 ]; then
  step 'engine with PDL (VXD_CUDA_PDL=1), and without CUDA graphs'
  VXD_CUDA_PDL=1 timeout 200 "$BUILD/bench_engine" --dtypes 4w,bf16 --iters 20 --rtf-seconds 0 --json "$LOG/engine_pdl.json" \
    > "$LOG/engine_pdl.txt" 2>&1 || status=1
  VXD_CUDA_GRAPHS=0 timeout 120 "$BUILD/bench_engine" --dtypes 4w --positions 2000 --iters 20 --rtf-seconds 0 \
    > "$LOG/engine_nographs.txt" 2>&1 || status=1
  { grep -E "^(4w|bf16) " "$LOG/engine_pdl.txt" | sed 's/^/PDL: /'; grep -E "^4w " "$LOG/engine_nographs.txt" | sed 's/^/no graphs: /'; } | say

  step 'per-op GPU time (eager, position 2000; prefill ops included)'
  for d in 4w bf16; do
    echo "--- $d" >> "$LOG/profile.txt"
    VXD_CUDA_GRAPHS=0 VXD_CUDA_PROFILE=1 timeout 120 "$BUILD/bench_engine" --dtypes $d --positions 2000 --iters 10 --rtf-seconds 0 \
      2>> "$LOG/profile.txt" > /dev/null
  done
  grep -A 16 -E "^--- " "$LOG/profile.txt" | say
fi


step 'Nsight Compute: every kernel of one replayed 4w step at position 2000 (clocks and caches as they are)'
if native-models/tools/cuda/ncu_step.sh "$BUILD" 4w "$LOG/ncu_4w.csv"; then
  python3 native-models/tools/cuda/ncu_summary.py "$LOG/ncu_4w.csv" --top 16 2>&1 | say
else
  echo "no profile (ncu_step.sh status $?, see ncu_4w.csv.err)" | say
fi

step 'Nsight Compute, full metric set: first encoder layer and first decoder layer (4w, position 2000)'
# Matching kernels in step order: 2 conv-stem GEMVs, then 5 per encoder layer (32), 2 adapter GEMVs.
for part in "enc 0 7" "dec 164 5"; do
  set -- $part
  native-models/tools/cuda/ncu_step.sh "$BUILD" 4w "$LOG/ncu_full_$1.csv" full "$2" "$3" > /dev/null 2>&1 &&
    python3 native-models/tools/cuda/ncu_full_summary.py "$LOG/ncu_full_$1.csv" 2>&1 | say
done

fi

step summary
python3 - "$LOG" <<'PY' 2>&1 | tee "$LOG/summary_table.md" | say
import json, sys, pathlib
log = pathlib.Path(sys.argv[1])
def load(name):
    p = log / name
    try:
        return json.loads(p.read_text()) if p.exists() else None
    except ValueError as e:
        print(f"{name}: unreadable ({e})")
        return None
eng, unf, pdl, hf = load("engine.json"), load("engine_unfused.json"), load("engine_pdl.json"), load("hf.json")
if not eng:
    sys.exit("no engine.json: the fused benchmark did not finish")
runs = lambda j: {r["dtype"]: r for r in j["runs"]} if j else {}
fused, unfused, withpdl = runs(eng), runs(unf), runs(pdl)
hf_pos = {r["position"]: r for r in hf["positions"]} if hf else {}
f = lambda v: f"{v:.3f}" if isinstance(v, (int, float)) else "-"
def ms(rs, d, pos):
    for s in rs.get(d, {}).get("steps", []):
        if s["pos"] == pos:
            return s
    return None
print(f"copy bandwidth (read+write): {eng['copy_bw_GBps']:.0f} GB/s; activations {eng.get('act')}")
print("| pos | HF bf16 ms | bf16 fused | bf16 unfused | 4w fused | 4w unfused | 4w floor | 4w fused / floor | speedup vs HF bf16 / 4w |")
print("|---|---|---|---|---|---|---|---|---|")
positions = sorted({s["pos"] for r in fused.values() for s in r.get("steps", [])})
for p in positions:
    bf, bu, qf, qu = ms(fused, "bf16", p), ms(unfused, "bf16", p), ms(fused, "4w", p), ms(unfused, "4w", p)
    h = hf_pos.get(p, {}).get("stepMs")
    g = lambda s: s["ms_per_step"] if s else None
    sp = lambda s: f"{h / s['ms_per_step']:.1f}x" if (h and s) else "-"
    ratio = f"{qf['ms_per_step'] / qf['floor_ms']:.2f}x" if (qf and qf["floor_ms"]) else "-"
    print(f"| {p} | {f(h)} | {f(g(bf))} | {f(g(bu))} | {f(g(qf))} | {f(g(qu))} | {f(qf and qf['floor_ms'])} | {ratio} | {sp(bf)} / {sp(qf)} |")
for label, rs in (("fused", fused), ("unfused", unfused), ("PDL", withpdl)):
    for d, r in rs.items():
        if "error" in r:
            print(f"{label} {d}: ERROR {r['error']}")
            continue
        rtf = f", RTF({r['rtf_audio_s']:.0f} s via vxd::Session) {r['rtf']:.4f} in {r['rtf_steps']} calls" if "rtf" in r else ""
        par = (f", parity {r['parity_equal']}/{r['parity_total']} ids, logits rel {r['parity_logits_rel']:.2e}"
               if "parity_equal" in r else "")
        print(f"{label} {d}: load {r['load_s']:.2f} s, VRAM {r['vram_GB']:.2f} GB, weights/step {r['weight_GB']:.2f} GB, "
              f"prefill {r['prefill_ms']:.1f} ms{rtf}{par}")
if hf:
    print(f"HF: {hf['device']}, torch {hf['torch']}, transformers {hf['transformers']}, attention {hf['attention']}, "
          f"RTF {hf['realTimeFactor']}")
PY
echo "total $(( $(date +%s) - T0 )) s, status $status" | say
bundle
exit $status
