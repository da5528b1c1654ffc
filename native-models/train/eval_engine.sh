#!/usr/bin/env bash
# WER of a packed model through the app's own path: `npx voxtral transcribe` on each WAV of a held-out set.
#   native-models/train/eval_engine.sh MODEL_DIR SET_DIR [cpu|cuda] [fp32|bf16] > summary.json
# MODEL_DIR holds model.pte, model.ptd and tekken.json; SET_DIR is make_data.py's OUT/eval/<set>
# (manifest.jsonl + WAVs; `make_data.py OUT --eval-only` regenerates the same sets here).
# Hypotheses go to SET_DIR/hyps-<backend>-<dtype>.jsonl; the JSON summary (wer.py) to stdout.
set -euo pipefail
model="$1"; set_dir="$2"; backend="${3:-cpu}"; dtype="${4:-fp32}"
here="$(cd "$(dirname "$0")" && pwd)"
hyps="$set_dir/hyps-$backend-$dtype.jsonl"
: > "$hyps"
while IFS= read -r line; do
  wav="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["wav"])' "$line")"
  result="$(node "$here/../../electron/cli/voxtral.cjs" transcribe --model "$model/model.pte" --data "$model/model.ptd" \
    --tokenizer "$model/tekken.json" --backend "$backend" --dtype "$dtype" --json "$set_dir/$wav" 2>/dev/null)" || result='{"text":""}'
  python3 -c 'import json,sys; print(json.dumps({"wav": sys.argv[1], "text": json.loads(sys.argv[2]).get("text", "")}))' "$wav" "$result" >> "$hyps"
done < "$set_dir/manifest.jsonl"
python3 "$here/wer.py" "$set_dir/manifest.jsonl" "$hyps"
