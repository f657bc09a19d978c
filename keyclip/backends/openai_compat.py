"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp server, LM Studio, hosted APIs.

``base_url`` and ``model`` come from settings, the key from the environment variable named in
settings (never from a file in the repo). Timeouts and retries with exponential backoff come
from the ``openai`` client; a server that refuses images gets a clear error naming it.

Example:
    >>> llm = OpenAIChat("http://127.0.0.1:8080/v1", "qwen2.5-vl-7b")   # doctest: +SKIP
"""

from __future__ import annotations

import re
import time

from keyclip.backends.chat import BackendError, Frame, Reply
from keyclip.backends.llamacpp import with_frames
from keyclip.errors import ModelMissingError

_IMAGE_REFUSAL = re.compile(r"image|vision|multimodal|mmproj|image_url", re.I)


class OpenAIChat:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 120.0,
                 retries: int = 3):
        try:
            import openai
        except ImportError as exc:
            raise ModelMissingError("the openai package is not installed: pip install openai") from exc
        self._openai = openai
        self.name = model
        self.base_url = base_url
        self._json_mode = "json_schema"  # OpenAI, vLLM; llama.cpp's server wants json_object + schema
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s,
                                     max_retries=retries)

    def chat(self, messages: list[dict], max_tokens: int = 256, schema: dict | None = None,
             _images: bool = False) -> Reply:
        start = time.perf_counter()
        kwargs: dict = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": 0.0}
        if schema is not None:
            kwargs["response_format"] = self._response_format(schema)
        try:
            try:
                out = self._client.chat.completions.create(**kwargs)
            except self._openai.APIStatusError as exc:
                if schema is None or self._json_mode != "json_schema" or "response_format" not in _message(exc):
                    raise
                self._json_mode = "json_object"  # the server knows the other spelling; keep it
                kwargs["response_format"] = self._response_format(schema)
                out = self._client.chat.completions.create(**kwargs)
        except self._openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach the model server at {self.base_url}: {exc}") from exc
        except self._openai.APITimeoutError as exc:
            raise BackendError(f"the model server at {self.base_url} timed out") from exc
        except self._openai.APIStatusError as exc:
            message = _message(exc)
            # servers word it differently ("image input is not supported", a template error on a
            # list content, ...): a request with frames that fails like this is a refusal of images
            if _images and (exc.status_code in (400, 415, 422, 500) or _IMAGE_REFUSAL.search(message)):
                raise BackendError(f"the server at {self.base_url} refused images for model {self.name!r} "
                                   f"(is it a vision model, with its projector loaded?): {message}") from exc
            raise BackendError(f"the model server at {self.base_url} answered {exc.status_code}: {message}") from exc
        usage = out.usage
        return Reply(out.choices[0].message.content or "", getattr(usage, "prompt_tokens", 0) or 0,
                     getattr(usage, "completion_tokens", 0) or 0, time.perf_counter() - start)

    def _response_format(self, schema: dict) -> dict:
        if self._json_mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        return {"type": "json_object", "schema": schema}

    def look(self, messages: list[dict], frames: list[Frame], max_tokens: int = 256,
             schema: dict | None = None) -> Reply:
        return self.chat(with_frames(messages, frames), max_tokens, schema, _images=bool(frames))


def _message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err)[:300]
        return str(err)[:300]
    return str(exc)[:300]
