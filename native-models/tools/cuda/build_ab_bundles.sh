#!/usr/bin/env bash
# Builds, here, the bundles that native-models/reference/ab_cuda.sh compares on the GPU machine:
# one per git revision, each built in a temporary worktree (optionally with a patch applied), so
# a device call runs them all without building.
#   native-models/tools/cuda/build_ab_bundles.sh OUT_DIR NAME=REV[+PATCH] ...
# e.g.  build_ab_bundles.sh native-models/build-ab base=b33d0f0 v39b=main \
#           v47b=main+native-models/reference/pending/v47b-two-tiles-in-flight.patch
# Writes OUT_DIR/NAME.tar.xz (build_tools.sh --pack-ab: bench_engine, cuda_op_check and the
# stamp, ~3 MB), OUT_DIR/NAME.build.log, and OUT_DIR/variants with one line per bundle and no
# switches (add lines "LABEL NAME VAR=value ..." for those).
# About 1.5 minutes per bundle on 2 cores (each revision is built by its own build_tools.sh). A
# new checkout keeps neither branches nor ignored files, so bundles and branches do not outlive a
# session: build them at its start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(git -C "$here" rev-parse --show-toplevel)"
out="${1:?usage: build_ab_bundles.sh OUT_DIR NAME=REV[+PATCH] ...}"
shift
[ $# -gt 0 ] || { echo "usage: build_ab_bundles.sh OUT_DIR NAME=REV[+PATCH] ..." >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
: > "$out/variants"
for spec in "$@"; do
  name="${spec%%=*}" rest="${spec#*=}"
  rev="${rest%%+*}" patch=""
  [[ "$spec" == *=* && -n "$name" && -n "$rev" ]] || { echo "bad bundle spec: $spec (NAME=REV[+PATCH])" >&2; exit 2; }
  if [[ "$rest" == *+* ]]; then
    patch="$(cd "$root" && realpath "${rest#*+}")"
    [ -f "$patch" ] || { echo "no patch file $patch" >&2; exit 2; }
  fi
  wt="$(mktemp -d /tmp/vxd-ab-tree.XXXXXX)"
  git -C "$root" worktree add -q --detach "$wt" "$rev"
  trap 'git -C "$root" worktree remove --force "$wt" 2>/dev/null || true' EXIT
  [ -z "$patch" ] || git -C "$wt" apply "$patch"
  echo "$name: $(git -C "$wt" rev-parse --short HEAD)${patch:+ + $(basename "$patch")}, stamp $("$wt/native-models/tools/cuda/build_tools.sh" --stamp | cut -c1-12)"
  if ! "$wt/native-models/tools/cuda/build_tools.sh" "$wt/native-models/build-prebuilt" > "$out/$name.build.log" 2>&1; then
    tail -20 "$out/$name.build.log" >&2
    exit 1
  fi
  # Packed by this checkout's script: an older revision's may not have --pack-ab.
  "$here/build_tools.sh" --pack-ab "$wt/native-models/build-prebuilt" "$out/$name.tar.xz"
  echo "$name $name" >> "$out/variants"
  git -C "$root" worktree remove --force "$wt"
  trap - EXIT
done
du -sh "$out"
