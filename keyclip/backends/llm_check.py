"""Does the packaged LLM run on this machine? Checked once at set-up and remembered.

``python -m keyclip.backends.llm_check`` loads the packaged SmolLM2 GGUF in the worker process
and generates a few tokens. The outcome is written to ``<venv>/share/keyclip/llm-check.json``
with the llama-cpp-python version it was made with. While that file says the LLM crashed (or
could not load) with the installed llama-cpp-python, ``app.py models`` says so for that model and
the chat does not offer it; asked for by name (``--llm packaged:smollm2-135m``) it is still
tried - in its worker process, where a crash costs a notice, not the answer.

Example:
    $ python -m keyclip.backends.llm_check
    llm check: SmolLM2-135M-Instruct.Q4_1 answered 'Hello' in 0.41 s
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import time
from pathlib import Path

from keyclip.backends.chat import BackendError
from keyclip.errors import KeyclipError

SPEC = "packaged:smollm2-135m"


def check_file() -> Path:
    from keyclip.backends.fetch import models_dir

    return models_dir().parent / "llm-check.json"


def llama_cpp_version() -> str | None:
    try:
        return importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        return None


def recorded_failure() -> str | None:
    """Why the set-up check found the packaged LLM broken with the installed llama-cpp-python."""
    try:
        data = json.loads(check_file().read_text())
    except (OSError, ValueError):
        return None
    if data.get("ok") or data.get("llama_cpp") != llama_cpp_version():
        return None
    return str(data.get("detail") or "the LLM failed its set-up check")


def run_check(cache_dir: Path, threads: int) -> tuple[bool, str]:
    from keyclip.backends import packaged
    from keyclip.backends.llamacpp import LlamaCppChat

    start = time.perf_counter()
    try:
        llm = LlamaCppChat(packaged.llm_gguf(SPEC, cache_dir), threads=threads, n_ctx=512, timeout_s=60)
    except KeyclipError as exc:
        return False, str(exc)
    try:
        reply = llm.chat([{"role": "user", "content": "Say hello."}], max_tokens=4)
    except BackendError as exc:
        return False, str(exc)
    finally:
        llm.close()
    if not reply.completion_tokens:
        return False, f"the LLM {llm.name} generated nothing"
    return True, f"{llm.name} answered {reply.text.strip()[:40]!r} in {time.perf_counter() - start:.2f} s"


def main() -> int:
    from keyclip.settings import Settings

    version = llama_cpp_version()
    if version is None:
        print("llm check: llama-cpp-python is not installed; answers come from the evidence alone")
        return 0
    ok, detail = run_check(Settings().cache_dir, threads=os.cpu_count() or 1)
    path = check_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ok": ok, "llama_cpp": version, "model": SPEC, "detail": detail,
                                "checked": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
    if ok:
        print(f"llm check: {detail}")
    else:
        print(f"llm check: notice: {detail}; the packaged LLM is not offered (answers come from the evidence)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
