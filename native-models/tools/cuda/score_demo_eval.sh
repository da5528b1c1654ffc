#!/usr/bin/env bash
# Here, after the device call: compares the demo model's CUDA token ids (run_cuda.sh's
# logs.tar.gz, unpacked into LOGDIR) with the CPU backend on the same held-out WAVs (.carry/demo-eval),
# utterance by utterance, and prints both WERs. BUILD is a build of native-models/tools/cuda here.
#   native-models/tools/cuda/score_demo_eval.sh LOGDIR [BUILD]
set -euo pipefail
logs="$1"; build="${2:-/tmp/vxd-build-cuda}"
cd "$(dirname "$0")/../../.."
M=native-models/models/demo
[ -x "$build/transcribe_set" ] || { cmake -S native-models/tools/cuda -B "$build" -G Ninja > /dev/null && cmake --build "$build" --target transcribe_set > /dev/null; }
for d in fp32 bf16; do
  for s in seen_voices unseen_voices; do
    gpu="$logs/demo-$s-cuda-$d.ids.jsonl"
    [ -s "$gpu" ] || { echo "$s $d: no CUDA ids in $logs"; continue; }
    cpu=$(mktemp)
    "$build/transcribe_set" --model $M/model.pte --backend cpu --dtype $d ".carry/demo-eval/$s" > "$cpu" 2> /dev/null
    python3 native-models/tools/cuda/decode_ids.py $M/tekken.json "$cpu" > "$cpu.hyps"
    python3 - "$cpu" "$gpu" "$s $d" "$(python3 native-models/train/wer.py ".carry/demo-eval/$s/manifest.jsonl" "$cpu.hyps")" <<'PY'
import json, sys
load = lambda p: {r["wav"]: r["tokens"] for r in map(json.loads, open(p).read().splitlines()) if r}
cpu, gpu = load(sys.argv[1]), load(sys.argv[2])
same = sum(cpu.get(w) == t for w, t in gpu.items())
print(f"{sys.argv[3]}: CUDA ids identical to CPU for {same}/{len(cpu)} utterances; CPU WER {json.loads(sys.argv[4])['wer']:.4f}")
PY
    rm -f "$cpu" "$cpu.hyps"
  done
done
