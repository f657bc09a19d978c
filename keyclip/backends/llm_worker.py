"""The llama.cpp worker process: one GGUF model, loaded once, answering its parent's requests.

A native crash in llama.cpp (a segfault in ``decode`` on some CPUs and builds) ends this process,
never the parent: :class:`keyclip.backends.llamacpp.LlamaCppChat` reads the end of the pipe as
"the LLM crashed" and answers from the evidence alone.

Protocol: JSON lines. The first line on stdin is the model spec (``model``, ``n_ctx``, ``threads``,
``mmproj``, ``seed``); the worker answers ``{"ok": true, "ready": true}`` once loaded, or
``{"ok": false, "error": …, "fatal": true}``. Then each request (``{"op": "chat", "messages",
"max_tokens", "schema"}`` or ``{"op": "tokenize", "text"}``) gets one reply line. The worker
exits when stdin closes (its parent is gone). It ignores Ctrl-C: the parent decides.

Example:
    $ python -m keyclip.backends.llm_worker < requests.jsonl
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _load(spec: dict):
    from llama_cpp import Llama

    handler = None
    if spec.get("mmproj"):
        from llama_cpp.llama_chat_format import Llava15ChatHandler

        handler = Llava15ChatHandler(clip_model_path=spec["mmproj"], verbose=False)
    return Llama(model_path=spec["model"], n_ctx=spec["n_ctx"], n_threads=spec["threads"], verbose=False,
                 seed=spec.get("seed", 0), chat_handler=handler)


def _handle(llm, request: dict) -> dict:
    if request.get("op") == "tokenize":
        return {"n": len(llm.tokenize(request["text"].encode(), add_bos=False))}
    kwargs: dict = {"max_tokens": request.get("max_tokens", 256), "temperature": 0.0}
    if request.get("schema") is not None:
        kwargs["response_format"] = {"type": "json_object", "schema": request["schema"]}
    out = llm.create_chat_completion(request["messages"], **kwargs)
    usage = out.get("usage") or {}
    return {"text": out["choices"][0]["message"]["content"] or "", "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0)}


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the protocol keeps the real stdout; anything llama.cpp prints there goes to stderr instead
    replies = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)

    def send(message: dict) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    first = sys.stdin.readline()
    if not first:
        return 0
    try:
        llm = _load(json.loads(first))
    except Exception as exc:  # noqa: BLE001 - any load failure is reported to the parent, in one line
        send({"ok": False, "fatal": True, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    send({"ok": True, "ready": True})
    for line in sys.stdin:
        try:
            send({"ok": True, **_handle(llm, json.loads(line))})
        except Exception as exc:  # noqa: BLE001 - e.g. a prompt longer than the context
            send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
