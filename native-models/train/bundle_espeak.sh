#!/usr/bin/env bash
# Build native-models/train/espeak-bundle/: espeak-ng's library and English data from Debian's packages,
# a stub libpcaudio (no sound-card dependencies) and espeak_words linked to them by rpath, so the GPU
# machine (no apt, no espeak) can generate the training data itself. Run here, then carry the folder:
#   run(carry=["native-models/train/espeak-bundle"], ...)      (about 3 MiB)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bundle="$here/espeak-bundle"
rm -rf "$bundle"
mkdir -p "$bundle/debs" "$bundle/root" "$bundle/bin"
(cd "$bundle/debs" && apt-get download espeak-ng-data libespeak-ng1 libsonic0 >/dev/null 2>&1)
for deb in "$bundle"/debs/*.deb; do dpkg-deb -x "$deb" "$bundle/root"; done
rm -rf "$bundle/debs" "$bundle/root/usr/share"
lib="$bundle/root/usr/lib/x86_64-linux-gnu"
# English only: the other languages' dictionaries are most of the data's size.
find "$lib/espeak-ng-data" -maxdepth 1 -name '*_dict' ! -name 'en_dict' -delete
cc -O2 -Wall -shared -fPIC -Wl,-soname,libpcaudio.so.0 -o "$lib/libpcaudio.so.0" "$here/pcaudio_stub.c"
cc -O2 -Wall -o "$bundle/bin/espeak_words" "$here/espeak_words.c" "$lib/libespeak-ng.so.1" \
  -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../root/usr/lib/x86_64-linux-gnu'  # RPATH also serves the library's own needs
# Prove the bundle works on its own: its library, its data, its stub.
if ldd "$bundle/bin/espeak_words" | grep -E 'libespeak-ng|libpcaudio|libsonic' | grep -v "$bundle" >&2; then
  echo "bundle links outside itself" >&2; exit 1
fi
check="$(mktemp)"
printf 'en-us\t175\t50\t50\tBundle check.\n' | "$bundle/bin/espeak_words" "$lib" > "$check"
head -c 4 "$check" | grep -q '^UTT ' || { echo "bundle failed to synthesise" >&2; exit 1; }
rm -f "$check"
du -sh "$bundle"
