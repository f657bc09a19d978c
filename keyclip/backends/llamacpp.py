"""In-process GGUF models through llama-cpp-python: the offline default LLM.

JSON output is constrained by llama.cpp's grammar from the JSON schema, so a small model still
returns a parsable object. A VLM when a GGUF model and its multimodal projector (mmproj) are
given: frames go to llama.cpp's Llava-style chat handler as data URLs.

Example:
    >>> llm = LlamaCppChat(Path("SmolLM2-135M-Instruct.Q4_1.gguf"), threads=2)   # doctest: +SKIP
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from keyclip.backends.chat import BackendError, Frame, Reply
from keyclip.errors import ModelMissingError


class LlamaCppChat:
    def __init__(self, model_path: Path, threads: int, n_ctx: int = 4096, mmproj: Path | None = None,
                 seed: int = 0):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelMissingError("llama-cpp-python is not installed: pip install 'keyclip[llm]'") from exc
        if not Path(model_path).is_file():
            raise ModelMissingError(f"no GGUF model at {model_path}")
        handler = None
        if mmproj is not None:
            from llama_cpp.llama_chat_format import Llava15ChatHandler

            handler = Llava15ChatHandler(clip_model_path=str(mmproj), verbose=False)
        self.name = Path(model_path).stem
        self.vision = handler is not None
        self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, verbose=False,
                          seed=seed, chat_handler=handler)

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode(), add_bos=False))

    def chat(self, messages: list[dict], max_tokens: int = 256, schema: dict | None = None) -> Reply:
        start = time.perf_counter()
        kwargs: dict = {"max_tokens": max_tokens, "temperature": 0.0}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        try:
            out = self._llm.create_chat_completion(messages, **kwargs)
        except ValueError as exc:  # e.g. the prompt is longer than the context
            raise BackendError(f"llama.cpp: {exc}") from exc
        usage = out.get("usage") or {}
        return Reply(out["choices"][0]["message"]["content"] or "", usage.get("prompt_tokens", 0),
                     usage.get("completion_tokens", 0), time.perf_counter() - start)

    def look(self, messages: list[dict], frames: list[Frame], max_tokens: int = 256,
             schema: dict | None = None) -> Reply:
        if not self.vision:
            raise BackendError(f"{self.name} has no vision projector (set llm.mmproj to its mmproj GGUF)")
        return self.chat(with_frames(messages, frames), max_tokens, schema)


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
