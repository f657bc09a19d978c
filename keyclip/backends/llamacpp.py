"""GGUF models through llama-cpp-python, in a worker process: the offline default LLM.

The model runs in ``python -m keyclip.backends.llm_worker``, started when the backend is made so
that loading overlaps retrieval; requests and replies are JSON lines over its pipes. If llama.cpp
crashes (a native fault takes only the worker), hangs past ``timeout_s`` or cannot load the
model, the request raises :class:`BackendError` with one line saying so, the worker is not
started again for this backend, and the caller answers from the evidence alone.

JSON output is constrained by llama.cpp's grammar from the JSON schema, so a small model still
returns a parsable object. A VLM when a GGUF model and its multimodal projector (mmproj) are
given: frames go to llama.cpp's Llava-style chat handler as data URLs.

Example:
    >>> llm = LlamaCppChat(Path("SmolLM2-135M-Instruct.Q4_1.gguf"), threads=2)   # doctest: +SKIP
    >>> llm.chat([{"role": "user", "content": "Say hi"}], max_tokens=8).text       # doctest: +SKIP
"""

from __future__ import annotations

import base64
import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

from keyclip.backends.chat import BackendError, Frame, Reply
from keyclip.errors import ModelMissingError


class WorkerGone(BackendError):
    """The worker process ended: a native crash, a kill, or a model it could not load."""


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"exited with status {code}"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


class LlamaCppChat:
    def __init__(self, model_path: Path, threads: int, n_ctx: int = 4096, mmproj: Path | None = None,
                 seed: int = 0, timeout_s: float = 300.0, load_timeout_s: float = 120.0):
        import importlib.util

        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelMissingError("llama-cpp-python is not installed: pip install 'keyclip[llm]'")
        if not Path(model_path).is_file():
            raise ModelMissingError(f"no GGUF model at {model_path}")
        self.name = Path(model_path).stem
        self.vision = mmproj is not None
        self.timeout_s = timeout_s
        self.load_timeout_s = load_timeout_s
        self.failures: list[str] = []
        """One line per failed request, in order (the caller turns new ones into notices)."""
        self._spec = {"model": str(model_path), "n_ctx": n_ctx, "threads": threads,
                      "mmproj": str(mmproj) if mmproj else None, "seed": seed}
        self._lock = threading.Lock()
        self._gone: str | None = None
        self._ready = False
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen([sys.executable, "-m", "keyclip.backends.llm_worker"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        self._replies: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._replies), daemon=True,
                         name="llm-worker-reader").start()
        self._finalizer = weakref.finalize(self, _stop, self._proc)
        self._write(self._spec)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @staticmethod
    def _read(stream, replies: queue.Queue) -> None:
        for line in stream:
            replies.put(line)
        replies.put(None)

    def _write(self, message: dict) -> None:
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b"\n")  # type: ignore[union-attr]
            self._proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass  # the worker is gone: the reply loop finds out why

    def _fail(self, why: str) -> WorkerGone:
        self._gone = f"the LLM {self.name} {why}"
        _stop(self._proc)
        return WorkerGone(self._gone)

    def _reply(self, timeout: float) -> dict:
        try:
            line = self._replies.get(timeout=timeout)
        except queue.Empty:
            self._proc.kill()
            raise self._fail(f"gave no reply within {timeout:.0f} s and was stopped") from None
        if line is None:
            code = self._proc.wait()
            said = self._last_words()
            raise self._fail(_exit_reason(code) + (f": {said}" if said else ""))
        return json.loads(line)

    def _last_words(self) -> str:
        """The worker's last line on stderr (llama.cpp's own message before an abort), if any."""
        try:
            self._log.seek(0)
            lines = [ln.strip() for ln in self._log.read()[-4096:].decode(errors="replace").splitlines()]
        except (OSError, ValueError):
            return ""
        return next((ln for ln in reversed(lines) if ln), "")[:200]

    def _request(self, message: dict) -> dict:
        with self._lock:
            if self._gone:
                raise WorkerGone(self._gone)
            if not self._ready:
                ready = self._reply(self.load_timeout_s)
                if not ready.get("ok"):
                    raise self._fail(f"could not be loaded ({ready.get('error', '?')})")
                self._ready = True
            self._write(message)
            reply = self._reply(self.timeout_s)
        if not reply.get("ok"):
            raise BackendError(f"llama.cpp: {reply.get('error', '?')}")
        return reply

    def _recorded(self, message: dict) -> dict:
        try:
            return self._request(message)
        except BackendError as exc:
            self.failures.append(str(exc))
            raise

    def count_tokens(self, text: str) -> int:
        return int(self._recorded({"op": "tokenize", "text": text})["n"])

    def chat(self, messages: list[dict], max_tokens: int = 256, schema: dict | None = None) -> Reply:
        start = time.perf_counter()
        out = self._recorded({"op": "chat", "messages": messages, "max_tokens": max_tokens, "schema": schema})
        return Reply(out["text"], out.get("prompt_tokens", 0), out.get("completion_tokens", 0),
                     time.perf_counter() - start)

    def look(self, messages: list[dict], frames: list[Frame], max_tokens: int = 256,
             schema: dict | None = None) -> Reply:
        if not self.vision:
            raise BackendError(f"{self.name} has no vision projector (set llm.mmproj to its mmproj GGUF)")
        return self.chat(with_frames(messages, frames), max_tokens, schema)

    def close(self) -> None:
        self._finalizer()
        self._log.close()


def data_url(frame: Frame) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(frame.jpeg).decode()


def with_frames(messages: list[dict], frames: list[Frame]) -> list[dict]:
    """OpenAI-style content parts: each frame as ``image_url`` after a line giving its time."""
    from keyclip.console import clock as hms

    if not frames:
        return messages
    last = messages[-1]
    parts: list[dict] = []
    for f in frames:
        parts.append({"type": "text", "text": f"[frame at {hms(f.time)}]"})
        parts.append({"type": "image_url", "image_url": {"url": data_url(f)}})
    parts.append({"type": "text", "text": last["content"]})
    return messages[:-1] + [{"role": last["role"], "content": parts}]
