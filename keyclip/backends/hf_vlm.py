"""Local transformers vision-language models (Qwen2-VL / Qwen2.5-VL, SmolVLM2, LLaVA-OneVision, …)
from a folder, on CPU or GPU: frames go through the model's own processor as images, each after
a line giving its time, so the number of image tokens is what the processor says - and what the
budget planner predicted with the matching token model (``qwen2-vl-images`` for Qwen2-VL fed
frame by frame).

Weights are never downloaded: ``model`` must be a local folder (``local_files_only``).

Example:
    >>> vlm = HFVisionChat("/models/Qwen2.5-VL-3B-Instruct", threads=2)             # doctest: +SKIP
    >>> vlm.look([{"role": "user", "content": "What is on the slide?"}], frames)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from keyclip.backends.chat import BackendError, Frame, Reply
from keyclip.errors import ModelMissingError


class HFVisionChat:
    def __init__(self, model: str | Path, threads: int = 0, device: str | None = None):
        try:
            import torch
            from transformers import AutoModelForImageTextToText, AutoProcessor
        except ImportError as exc:
            raise ModelMissingError("transformers is not installed: pip install 'keyclip[hf]'") from exc
        path = Path(model).expanduser()
        if not (path / "config.json").is_file():
            raise ModelMissingError(f"vlm: no transformers model folder at {path} (weights are never downloaded)")
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.name = path.name
        self.processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForImageTextToText.from_pretrained(
            path, local_files_only=True, dtype=torch.float32 if self.device == "cpu" else "auto"
        ).to(self.device).eval()
        self.last_image_tokens = 0
        """Image tokens in the last prompt (as the processor counted them)."""

    def _messages(self, messages: list[dict], frames: list[Frame]) -> list[dict]:
        from keyclip.console import clock

        out = []
        for i, m in enumerate(messages):
            parts: list[dict] = []
            if i == len(messages) - 1 and frames:
                for f in frames:
                    parts.append({"type": "text", "text": f"[frame at {clock(f.time)}]"})
                    parts.append({"type": "image"})
            parts.append({"type": "text", "text": m["content"]})
            out.append({"role": m["role"], "content": parts})
        return out

    def _generate(self, messages: list[dict], frames: list[Frame], max_tokens: int) -> Reply:
        from PIL import Image

        start = time.perf_counter()
        prompt = self.processor.apply_chat_template(self._messages(messages, frames), add_generation_prompt=True,
                                                    tokenize=False)
        images = [Image.open(io.BytesIO(f.jpeg)).convert("RGB") for f in frames] or None
        try:
            inputs = self.processor(text=[prompt], images=images, return_tensors="pt").to(self.device)
        except (ValueError, TypeError) as exc:
            raise BackendError(f"vlm {self.name}: the processor refused the input: {exc}") from exc
        image_token = getattr(self.processor, "image_token", None)
        image_id = self.processor.tokenizer.convert_tokens_to_ids(image_token) if image_token else None
        ids = inputs["input_ids"]
        self.last_image_tokens = int((ids == image_id).sum()) if image_id is not None else 0
        with self._torch.inference_mode():
            out = self.model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False)
        new = out[0, ids.shape[1]:]
        text = self.processor.tokenizer.decode(new, skip_special_tokens=True)
        return Reply(text, int(ids.shape[1]), int(new.shape[0]), time.perf_counter() - start,
                     {"image_tokens": self.last_image_tokens})

    def chat(self, messages: list[dict], max_tokens: int = 256, schema: dict | None = None) -> Reply:
        # no grammar here: the schema is in the prompt; callers parse and fall back on bad JSON
        return self._generate(messages, [], max_tokens)

    def look(self, messages: list[dict], frames: list[Frame], max_tokens: int = 256,
             schema: dict | None = None) -> Reply:
        return self._generate(messages, frames, max_tokens)
