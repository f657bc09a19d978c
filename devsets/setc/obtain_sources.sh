#!/usr/bin/env bash
# Fetch the real source files of set "setc" into DIR (default ./sources) under the key names used in
# sources.json, then check every file against its sha256.  Usage: bash obtain_sources.sh DIR
# All three are Debian bookworm packages, fetched with `apt-get download` (no root needed; run
# `apt-get update` once first) and unpacked with dpkg-deb -x.  Needs a python3 for the hash check.
set -euo pipefail
DEST="$(realpath -m "${1:-sources}")"; mkdir -p "$DEST"
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-python3}"
TMPD="$(mktemp -d)"; trap 'rm -rf "$TMPD"' EXIT
# python3-mecavideo 8.0~rc5-1 (example videos), opencv-doc 4.6.0+dfsg-12 (scene-text photo),
# pocketsphinx-testdata 0.8+5prealpha+1-15 (speech)
( cd "$TMPD" && apt-get download python3-mecavideo opencv-doc pocketsphinx-testdata 2>&1 | grep -v -i unsandboxed || true
  for d in *.deb; do dpkg-deb -x "$d" x; done )
V="$TMPD/x/usr/share/pymecavideo/data/video"
cp "$V/g1.avi" "$DEST/mecavideo_g1.avi"
cp "$V/Principe_inertie.avi" "$DEST/mecavideo_principe_inertie.avi"
cp "$V/balle-jbart.mp4" "$DEST/mecavideo_balle-jbart.mp4"
cp "$TMPD/x/usr/share/doc/opencv-doc/examples/text/scenetext02.jpg" "$DEST/opencv_scenetext02.jpg"
P="$TMPD/x/usr/share/pocketsphinx/test/data"
cp "$P/goforward.raw" "$DEST/goforward.raw"
cp "$P/librivox/sense_and_sensibility_01_austen_64kb-0920.wav" "$DEST/librivox-0920.wav"
"$PY" "$HERE/../build/check_sources.py" "$HERE/sources.json" "$DEST"
