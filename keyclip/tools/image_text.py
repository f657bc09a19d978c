"""Image-text scorers (CLIP / SigLIP through transformers, from a local folder).

No such model ships in any PyPI package, so this role is off by default; users who have the
weights set ``KEYCLIP_SCORER__MODEL=hf:/path/to/siglip-or-clip``. Keyframe embeddings are then
computed once at index time (stage ``frames``) and reused for every question.

Example:
    >>> scorer = HFImageTextScorer("/models/siglip-base-patch16-224")        # doctest: +SKIP
    >>> scorer.embed_text(["a deer crossing a road"]).shape                   # doctest: +SKIP
    (1, 768)
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from keyclip.errors import ModelMissingError


def _features(out) -> np.ndarray:
    """transformers 5 returns a model output whose pooler_output is the projected embedding;
    older versions return the tensor itself."""
    tensor = getattr(out, "pooler_output", out)
    return tensor.detach().float().cpu().numpy()


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


class HFImageTextScorer:
    """Any transformers dual encoder with ``get_image_features``/``get_text_features`` (CLIP,
    SigLIP, SigLIP 2) loaded with ``local_files_only``."""

    def __init__(self, spec: str, threads: int = 0):
        path = Path(spec.removeprefix("hf:")).expanduser()
        if not (path / "config.json").is_file():
            raise ModelMissingError(
                f"image-text scorer: no model folder at {path} (keyclip never downloads weights; "
                "point KEYCLIP_SCORER__MODEL at a local CLIP/SigLIP folder)"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoProcessor

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        self.processor = AutoProcessor.from_pretrained(str(path), local_files_only=True)
        self.name = f"hf:{path.name}"

    def embed_images(self, jpegs: list[bytes], batch: int = 16) -> np.ndarray:
        from PIL import Image

        out = []
        for i in range(0, len(jpegs), batch):
            images = [Image.open(io.BytesIO(b)).convert("RGB") for b in jpegs[i : i + batch]]
            inputs = self.processor(images=images, return_tensors="pt")
            with self._torch.inference_mode():
                out.append(_features(self.model.get_image_features(**inputs)))
        dim = out[0].shape[1] if out else 0
        return _unit_rows(np.concatenate(out)) if out else np.zeros((0, dim), dtype=np.float32)

    def embed_text(self, texts: list[str]) -> np.ndarray:
        # SigLIP was trained on max-length padded text; CLIP does not mind it
        max_len = getattr(getattr(self.processor, "tokenizer", None), "model_max_length", None)
        if not max_len or max_len > 4096:
            max_len = getattr(getattr(self.model.config, "text_config", None), "max_position_embeddings", 64)
        inputs = self.processor(text=texts, return_tensors="pt", padding="max_length", max_length=max_len,
                                truncation=True)
        with self._torch.inference_mode():
            return _unit_rows(_features(self.model.get_text_features(**inputs)))


class KeyframeSimilarity:
    """Clip scores from stored keyframe embeddings: the best keyframe's similarity to the query."""

    def __init__(self, scorer: HFImageTextScorer):
        self.scorer = scorer

    def clip_scores(self, store, clips, query: str) -> np.ndarray:
        rows = store.db.execute(
            "SELECT k.clip_id, e.vector FROM keyframe_embeddings e JOIN keyframes k ON k.id = e.keyframe_id"
        ).fetchall()
        scores = np.zeros(len(clips), dtype=np.float64)
        if not rows:
            return scores
        index = {c.id: i for i, c in enumerate(clips)}
        q = self.scorer.embed_text([query])[0]
        best: dict[int, float] = {}
        for clip_id, blob in rows:
            sim = float(np.frombuffer(blob, dtype=np.float32) @ q)
            best[clip_id] = max(best.get(clip_id, -1.0), sim)
        for clip_id, sim in best.items():
            if clip_id in index:
                scores[index[clip_id]] = sim
        lo = scores[list(index[c] for c in best if c in index)].min() if best else 0.0
        return np.clip(scores - lo, 0.0, None)  # relative: the least similar keyframe scores 0
