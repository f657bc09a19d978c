"""Hybrid retrieval over one index: FTS5 BM25 and dense MiniLM similarity, fused by
reciprocal rank (RRF). Reused by the selectors and the agent.

Example:
    >>> hits = search_store(store, "when is entropy defined", embedder, k=5)   # doctest: +SKIP
    >>> hits[0].record.t0, hits[0].record.text                                # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from keyclip.index.store import IndexStore, Record

RRF_K = 60
_WORD = re.compile(r"[\w']+", re.UNICODE)
_STOP = frozenset(
    "a an and are as at be by does do did for from has have he her his how i in is it its of on or "
    "she that the their them then there these they this to was were what when where which who why "
    "will with you your said say says speaker lecturer video shown show".split()
)


@dataclass(frozen=True)
class Hit:
    record: Record
    score: float
    """Fused RRF score (higher is better)."""
    bm25_rank: int | None
    dense_rank: int | None
    dense_similarity: float | None


def query_terms(question: str) -> list[str]:
    """The content words of ``question``, lower-cased, each once."""
    words = [w.lower() for w in _WORD.findall(question)]
    return list(dict.fromkeys([w for w in words if w not in _STOP and len(w) > 1] or [w for w in words if len(w) > 1]))


def fts_query(question: str) -> str | None:
    """An FTS5 query matching any content word of ``question`` (each word quoted, so
    user text can never be read as FTS5 syntax)."""
    terms = query_terms(question)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))


def bm25_ranking(store: IndexStore, question: str, limit: int = 200) -> list[int]:
    query = fts_query(question)
    if query is None:
        return []
    rows = store.db.execute(
        "SELECT rowid FROM records_fts WHERE records_fts MATCH ? ORDER BY bm25(records_fts) LIMIT ?",
        (query, limit),
    ).fetchall()
    return [r[0] for r in rows]


def dense_ranking(store: IndexStore, query_vector: np.ndarray, limit: int = 200) -> list[tuple[int, float]]:
    ids, matrix = store.embeddings()
    if not ids:
        return []
    sims = matrix @ query_vector.astype(np.float32).reshape(-1)
    order = np.argsort(-sims)[:limit]
    return [(ids[i], float(sims[i])) for i in order]


def search_store(store: IndexStore, question: str, embedder=None, k: int = 10,
                 kinds: tuple[str, ...] | None = None) -> list[Hit]:
    """The ``k`` best records for ``question``.

    Args:
        store: an open index.
        question: free text.
        embedder: a TextEmbedder for the dense half (None = keyword only).
        k: how many hits.
        kinds: restrict to record kinds (``speech``, ``ocr``, ``objects``).
    """
    bm25 = bm25_ranking(store, question)
    dense = dense_ranking(store, embedder.embed([question])[0]) if embedder is not None else []
    scores: dict[int, float] = {}
    bm25_rank = {rid: r for r, rid in enumerate(bm25, start=1)}
    dense_rank = {rid: r for r, (rid, _) in enumerate(dense, start=1)}
    dense_sim = dict(dense)
    for rid, r in bm25_rank.items():
        scores[rid] = scores.get(rid, 0.0) + 1.0 / (RRF_K + r)
    for rid, r in dense_rank.items():
        scores[rid] = scores.get(rid, 0.0) + 1.0 / (RRF_K + r)
    records = {r.id: r for r in store.records()}
    hits = [
        Hit(records[rid], round(score, 6), bm25_rank.get(rid), dense_rank.get(rid), dense_sim.get(rid))
        for rid, score in scores.items()
        if rid in records and (kinds is None or records[rid].kind in kinds)
    ]
    hits.sort(key=lambda h: (-h.score, h.record.t0))
    return hits[:k]
