"""How relevant each clip of a video is to a query (or to several sub-queries).

Signals, each scaled to [0, 1] per query:

- ``text``: hybrid retrieval over the index (FTS5 BM25 + dense MiniLM, fused by reciprocal
  rank); every retrieved record lends its fused score to the clips it overlaps in time, in
  proportion to the overlap;
- ``image`` (only when an image-text scorer is configured and its keyframe embeddings are in the
  index): the best keyframe-to-query similarity of the clip.

Offline no image-text model exists, so relevance comes from the text signal alone and the result
says so (``signals``).

Besides the per-clip scores the result keeps the retrieved records themselves with their
combined score (``moments``): a spoken sentence or a slide's time on screen is the evidence's own
resolution, finer than a clip (stratified frames are placed on them).

Example:
    >>> rel = clip_relevance(store, ["when is the load factor defined?"], embedder)   # doctest: +SKIP
    >>> rel.scores.argmax(), rel.signals                                              # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from keyclip.index.query import search_store
from keyclip.index.store import Clip, IndexStore, Record


@dataclass(frozen=True)
class Moment:
    """One retrieved record: its span, its relevance in [0, 1+] and its words (for repeats)."""

    t0: float
    t1: float
    score: float
    words: frozenset[str]


@dataclass(frozen=True)
class ClipRelevance:
    clips: tuple[Clip, ...]
    scores: np.ndarray
    """One score per clip in [0, 1], in clip (time) order."""
    per_query: np.ndarray
    """queries x clips, each row scaled to [0, 1]."""
    signals: tuple[str, ...]
    moments: tuple[Moment, ...] = ()
    """Every retrieved record, in time order, scored over the queries like the clips."""


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _spread(clips: list[Clip], hits: list) -> np.ndarray:
    """Fused retrieval scores of ``hits`` (one query's records), spread over the clips they overlap."""
    scores = np.zeros(len(clips), dtype=np.float64)
    starts = np.array([c.t0 for c in clips])
    for hit in hits:
        r = hit.record
        span = max(r.t1 - r.t0, 1e-3)
        first = max(0, int(np.searchsorted(starts, r.t0, side="right")) - 1)
        for i in range(first, len(clips)):
            c = clips[i]
            if c.t0 >= r.t1:
                break
            ov = _overlap(r.t0, r.t1, c.t0, c.t1)
            if ov > 0:
                # a record inside one clip counts fully; one spread over many clips is shared
                scores[i] += hit.score * min(1.0, ov / min(span, c.t1 - c.t0))
    return scores


def _unit(v: np.ndarray) -> np.ndarray:
    top = float(v.max()) if v.size else 0.0
    return v / top if top > 0 else v


def clip_relevance(
    store: IndexStore,
    queries: list[str],
    embedder=None,
    image_scorer=None,
    secondary_weight: float = 0.6,
    image_weight: float = 0.5,
) -> ClipRelevance:
    """Score every clip for ``queries``: the question first, then its sub-queries (e.g. options).

    The combined score per clip is the best of the question's score and ``secondary_weight`` x
    each sub-query's (each sub-query should find its own evidence, but an option may be a
    distractor, so it counts less than the question), plus a tenth of their mean (clips several
    queries agree on rank higher).
    """
    clips = store.clips()
    signals = ["text"]
    rows = []
    record_rows: list[dict[int, tuple[Record, float]]] = []
    for q in queries:
        hits = search_store(store, q, embedder, k=40)
        top = max((h.score for h in hits), default=0.0)
        record_rows.append({h.record.id: (h.record, h.score / top) for h in hits if top > 0})
        row = _unit(_spread(clips, hits))
        if image_scorer is not None:
            image = _unit(image_scorer.clip_scores(store, clips, q))
            row = _unit((1 - image_weight) * row + image_weight * image)
        rows.append(row)
    if image_scorer is not None:
        signals.append("image")
    per_query = np.vstack(rows) if rows else np.zeros((0, len(clips)))
    if rows:
        weights = np.array([1.0] + [secondary_weight] * (len(rows) - 1))[:, None]
        combined = _unit((weights * per_query).max(axis=0) + 0.1 * per_query.mean(axis=0))
    else:
        combined = np.zeros(len(clips))
    return ClipRelevance(tuple(clips), combined, per_query, tuple(signals),
                         _combined_moments(record_rows, secondary_weight))


def _combined_moments(rows: list[dict[int, tuple[Record, float]]], secondary_weight: float) -> tuple[Moment, ...]:
    """Each retrieved record once, scored like a clip: the best of the question's score and
    ``secondary_weight`` x a sub-query's, plus a tenth of their mean."""
    records = {rid: record for row in rows for rid, (record, _) in row.items()}
    out = []
    for rid, r in records.items():
        per = [(1.0 if i == 0 else secondary_weight) * row[rid][1] if rid in row else 0.0
               for i, row in enumerate(rows)]
        out.append(Moment(r.t0, r.t1, max(per) + 0.1 * float(np.mean(per)), _words(r.text)))
    return tuple(sorted(out, key=lambda m: (m.t0, m.t1, -m.score)))


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[\w']+", text.lower()) if len(w) > 2)


def clip_signatures(store: IndexStore, clips: list[Clip]) -> list[frozenset[str]]:
    """What each clip says and shows, as the set of its records' words (longer than 2 letters):
    clips with nearly the same set are near-duplicates (a repeated slide, a re-run segment).
    Words rather than whole texts, so a different speech segmentation still matches."""
    key = f"clip_signatures:{len(clips)}:{clips[0].id if clips else 0}"
    return store.memoised(key, lambda: _clip_signatures(store, clips))


def _clip_signatures(store: IndexStore, clips: list[Clip]) -> list[frozenset[str]]:
    records = store.records()
    starts = np.array([c.t0 for c in clips])
    sigs: list[set[str]] = [set() for _ in clips]
    for r in records:
        words = _words(r.text)
        first = max(0, int(np.searchsorted(starts, r.t0, side="right")) - 1)
        for i in range(first, len(clips)):
            if clips[i].t0 >= r.t1:
                break
            if _overlap(r.t0, r.t1, clips[i].t0, clips[i].t1) > 0:
                sigs[i].update(words)
    return [frozenset(x) for x in sigs]
