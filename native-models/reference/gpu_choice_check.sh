#!/usr/bin/env bash
# The GPU picker on a real GPU (GPU machine; the choice logic itself is tested on CPU by
# test/native/device-choice.test.ts): every GPU the CUDA backend lists is reached by its id and
# by its index, one that is not there is refused, a model runs on the GPU named by --gpu and says
# so, and a model that does not fit the chosen GPU's free memory is refused before loading.
#   native-models/reference/gpu_choice_check.sh BUILD_DIR PAIR_DIR WAV   (prints PASS/FAIL lines)
set -uo pipefail
build=${1:?usage: gpu_choice_check.sh BUILD_DIR PAIR_DIR WAV} pair=${2:?} wav=${3:?}
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

probe=$("$build/cuda_probe" 2>&1)
echo "$probe"
ids=$(echo "$probe" | sed -n 's/^  gpu #[0-9]* \(GPU-[0-9a-f-]*\) .*/\1/p')
[ -n "$ids" ] && pass "cuda_probe lists $(echo "$ids" | wc -l) GPU(s) by id" || fail "cuda_probe lists no GPU"
for id in $ids; do
  echo "$probe" | grep -q "^create cuda $id: ok (cuda on $id " && pass "backend created on $id by its id" || fail "not created on $id by its id"
done
echo "$probe" | grep -q "^create cuda 0: ok (cuda on " && pass "backend created on GPU 0 by its index" || fail "not created by index 0"
echo "$probe" | grep -q "^create cuda GPU-00000000-0000-0000-0000-000000000000: error 5: the chosen GPU GPU-0.* is not on this machine (found: #0 " \
  && pass "an absent GPU is refused, naming the GPUs there" || fail "an absent GPU was not refused as expected"

first=$(echo "$ids" | head -1)
run() { timeout 60 "$build/engine/vxd-run" --model "$pair/model.pte" --data "$pair/model.ptd" --backend cuda "$@" "$wav"; }
out=$(run --gpu "$first" 2>&1)
echo "$out" | grep -q "\"deviceId\":\"$first\"" && pass "vxd-run --gpu $first ran there (model.deviceId)" || fail "vxd-run --gpu $first: $out"
out=$(run --gpu 7 2>&1) && fail "vxd-run --gpu 7 ran: $out"
echo "$out" | grep -q "the chosen GPU 7 is not on this machine" && pass "vxd-run --gpu 7 refused: $out" || fail "vxd-run --gpu 7: $out"

# Fill the GPU until less is free than the model needs (its weights + 256 MiB of headroom, after
# vxd-run's own CUDA context, whose size is not known here: several levels are tried), then load:
# the engine must refuse with the free memory named, not fail halfway or crash.
refused=0
for left in 300 450 600 800 1000; do
  ready=$(mktemp -u /tmp/vxd-fill.XXXXXX)
  python3 - "$ready" "$left" <<'PY' &
import sys, time, torch
free, _ = torch.cuda.mem_get_info()
hold = torch.empty(free - (int(sys.argv[2]) << 20), dtype=torch.uint8, device="cuda")
open(sys.argv[1], "w").write(str(torch.cuda.mem_get_info()[0] >> 20))
time.sleep(60)
PY
  filler=$!
  for _ in $(seq 1 300); do [ -s "$ready" ] && break; sleep 0.1; done
  if [ -s "$ready" ]; then
    out=$(run --gpu "$first" 2>&1); rc=$?
    echo "  $(cat "$ready") MiB left free: exit $rc: $(echo "$out" | tail -1 | cut -c1-300)"
    [ $rc -gt 128 ] && fail "vxd-run crashed (exit $rc) with $left MiB left"
    echo "$out" | grep -qE "model needs .* per session, and .* has [0-9]+ MiB free" && refused=1
    # Below the context's own size the start itself fails: that must say so too.
    [ $rc = 0 ] || echo "$out" | grep -qE "model needs .* MiB free|cannot start CUDA on .*: out of memory \(other programs hold its memory\)" \
      || fail "unclear error with $left MiB left: $out"
  else
    fail "could not fill the GPU with torch"
  fi
  kill $filler 2>/dev/null; wait $filler 2>/dev/null
  rm -f "$ready"
done
[ $refused = 1 ] && pass "a model over the GPU's free memory is refused before loading" || fail "no level gave the free-memory refusal"
echo "gpu choice: $fails failure(s)"
exit $((fails > 0))
