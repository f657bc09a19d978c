"""Text embeddings for dense retrieval (sentence-transformers, local folder only).

Example:
    >>> embedder = SentenceEmbedder(model_dir)          # doctest: +SKIP
    >>> vectors = embedder.embed(["hash table", "load factor"])   # (2, 384) float32, unit norm
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np


class TextEmbedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class SentenceEmbedder:
    """A sentence-transformers model loaded from a local folder, on the CPU."""

    def __init__(self, model_dir: Path, batch_size: int = 64, threads: int = 0):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub from here
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # no "Loading weights" bar in our output

        if threads:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self.name = Path(model_dir).name
        self.dim = int(self._model.get_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


class MemoEmbedder:
    """An embedder that remembers the vectors of texts it has embedded (at most ``size``): one
    question's sub-queries are embedded once although retrieval, clip relevance and the option
    judge each ask for them."""

    def __init__(self, inner, size: int = 4096):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._size = size
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            if len(self._memo) + len(missing) > self._size:
                self._memo.clear()
            for text, vector in zip(missing, self.inner.embed(missing)):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])
