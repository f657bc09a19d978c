"""The chat roles' small protocols: an LLM that answers messages (optionally as JSON that fits
a schema), and a VLM that also takes frames. Backends: ``llamacpp`` (in-process GGUF),
``openai`` (any OpenAI-compatible server), ``hf`` (local transformers VLMs).

Messages are plain dicts in the OpenAI chat shape. A frame is a :class:`Frame` (a JPEG and the
time it was taken); each backend turns frames into what its model takes.

Example:
    >>> llm = make_llm(Settings())                                           # doctest: +SKIP
    >>> llm.chat([{"role": "user", "content": "Say hi"}], max_tokens=8).text  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

from keyclip.errors import KeyclipError


class BackendError(KeyclipError):
    """A model backend failed: the server refused, timed out or returned something unusable."""

    exit_code = 7


@dataclass(frozen=True)
class Frame:
    time: float
    jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def json(self) -> dict:
        """The reply parsed as a JSON object (raises BackendError if it is not one)."""
        text = self.text.strip()
        if text.startswith("```"):
            text = text.strip("`").removeprefix("json").strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BackendError(f"the model did not return JSON: {self.text[:120]!r}") from exc
        if not isinstance(value, dict):
            raise BackendError(f"the model returned JSON that is not an object: {self.text[:120]!r}")
        return value


class ChatLLM(Protocol):
    name: str

    def chat(self, messages: list[dict], max_tokens: int = 256, schema: dict | None = None) -> Reply:
        """Greedy completion of ``messages``; with ``schema`` the reply is JSON fitting it."""
        ...


class ChatVLM(ChatLLM, Protocol):
    def look(self, messages: list[dict], frames: list[Frame], max_tokens: int = 256,
             schema: dict | None = None) -> Reply:
        """Like ``chat``, with ``frames`` placed (with their times) before the last user message."""
        ...
