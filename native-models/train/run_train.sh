#!/usr/bin/env bash
# One device call of the demo model's training (docs/training.md). From the repository root:
#   run(kind="nvidia-h100-x1", carry=["native-models/train/espeak-bundle"], timeout_s=600,
#       command="bash native-models/train/run_train.sh 540")
# 1. data (first call only): make_data.py with the carried espeak bundle into native-models/train/data
# 2. train.py: parity check, training until the step count or the time budget, then bf16 eval
# Exit 3 = budget used before the last step: call again (same command, machine still warm) to resume.
# $OUT receives run.log, train_log.jsonl and, when finished, summary.json, eval_*.jsonl and the
# Mistral checkpoint as checkpoint.tgz.part-aa, -ab (split to stay under 16 MiB a file).
set -uo pipefail
export PYTHONUNBUFFERED=1
budget="${1:-540}"   # seconds this call may spend; keep it under the 600 s command limit
here="native-models/train"
data="$here/data"
work="$here/work"
out="${OUT:-$work/out-files}"
mkdir -p "$out" "$work"
start=$SECONDS
log() { echo "[run_train $((SECONDS - start))s] $*" | tee -a "$out/run.log"; }

nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 | tee -a "$out/run.log"
if [ ! -f "$data/train.npz" ]; then
  log "generating data ($(nproc) cores)"
  python3 "$here/make_data.py" "$data" --espeak-bundle "$here/espeak-bundle" \
    --train-utterances "${TRAIN_UTTERANCES:-20000}" 2>&1 | tee -a "$out/run.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { log "data generation failed"; exit 1; }
fi

resume=()
[ -f "$work/state.pt" ] && resume=(--resume "$work/state.pt" --skip-parity)
train_budget=$((budget - (SECONDS - start) - 100))   # eval of 2 x 100 utterances and packaging
log "training for at most ${train_budget}s ${resume[*]}"
python3 "$here/train.py" "$data" "$work/result" --time-budget-s "$train_budget" --state "$work/state.pt" \
  ${STEPS:+--steps "$STEPS"} "${resume[@]}" 2>&1 | tee -a "$out/run.log"
rc=${PIPESTATUS[0]}
cp "$work/result/train_log.jsonl" "$out/" 2>/dev/null || true
if [ "$rc" -eq 3 ]; then
  log "time budget used; call again with the same command to resume"
  exit 3
fi
[ "$rc" -eq 0 ] || { log "train.py failed with status $rc"; exit "$rc"; }
rm -f "$work/state.pt"
cp "$work/result/summary.json" "$work/result"/eval_*.jsonl "$out/"
tar czf - -C "$work/result" checkpoint | split -b 15m - "$out/checkpoint.tgz.part-"
log "done: $(ls "$out" | tr '\n' ' ')"
