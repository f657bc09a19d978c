#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml: the exact version of every package that
# scripts/setup.sh installs (the default set and the test set), for Python 3.11 on Linux x86_64.
# setup.sh installs with it as constraints, so CI and a new machine get what the tests passed with.
#   bash scripts/lock.sh            # keep the versions already locked where the ranges allow
#   bash scripts/lock.sh --upgrade  # move every package to the newest version its range allows
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
command -v "$UV" >/dev/null 2>&1 || { python3 -m pip install -q --user uv && UV="python3 -m uv"; }
$UV pip compile pyproject.toml "$@" \
  --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
  --extra llm --extra ui --extra st --extra hf --extra clip --extra ultralytics --extra ray --extra eval --extra test --extra classes \
  --custom-compile-command "bash scripts/lock.sh" \
  --output-file requirements.lock
