"""Search and ask across an annotated archive (the ``--out`` folder of ``annotate``): every video
the catalog lists as done, through its own index.

Scores are made comparable across videos: MiniLM cosine similarity of the query and each record
(one embedder for every index), plus a bonus for a keyword (FTS5) match ranked near the top in its
video. Hits close together in one video are merged into one span with one snippet.

Example:
    >>> hits = search_archive(Path("out"), "load factor", settings, embedder)    # doctest: +SKIP
    >>> hits[0].name, hits[0].t0, hits[0].snippet                               # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from keyclip.batch.catalog import CATALOG, Catalog, Entry
from keyclip.errors import InputError
from keyclip.index.query import bm25_ranking, query_terms
from keyclip.index.store import IndexStore
from keyclip.settings import Settings


@dataclass(frozen=True)
class ArchiveHit:
    video: str
    name: str
    t0: float
    t1: float
    kinds: tuple[str, ...]
    snippet: str
    score: float

    def to_dict(self) -> dict:
        return {**asdict(self), "kinds": list(self.kinds), "score": round(self.score, 4)}


def archive_videos(out_dir: Path, missing: list[str] | None = None) -> list[Entry]:
    """The done videos of the archive at ``out_dir`` whose index is still there (the others are
    appended to ``missing``: re-running ``annotate`` rebuilds them).

    Raises:
        InputError: ``out_dir`` holds no catalog (not an annotate output folder).
    """
    path = Path(out_dir) / CATALOG
    if not path.is_file():
        raise InputError(f"{out_dir}: not an annotated archive (no {CATALOG}; run `app.py annotate ... --out {out_dir}`)")
    with Catalog.open(path, readonly=True) as cat:
        done = cat.entries("done")
    present = [e for e in done if e.index_path and Path(e.index_path).is_file()]
    if missing is not None:
        missing += [e.path for e in done if e not in present]
    return present


def _words_of(text: str) -> set[str]:
    return set(query_terms(text))


def _video_hits(entry: Entry, query: str, q: np.ndarray | None, per_video: int, merge_s: float) -> list[ArchiveHit]:
    """Scores comparable across videos: cosine similarity with the query (same embedder for all)
    plus 0.3 x the share of the query's words the record holds."""
    store = IndexStore.open(Path(entry.index_path), readonly=True)
    try:
        records = {r.id: r for r in store.records()}
        sims: dict[int, float] = {}
        candidates: list[int] = []
        if q is not None:
            ids, matrix = store.embeddings()
            if len(ids) and matrix.shape[1] == q.shape[0]:  # an index embedded with another model is keyword-only
                all_sims = matrix @ q
                sims = {rid: float(v) for rid, v in zip(ids, all_sims)}
                candidates += [ids[i] for i in np.argsort(-all_sims)[: per_video * 4]]
        candidates += bm25_ranking(store, query, limit=per_video * 4)
    finally:
        store.close()
    terms = set(query_terms(query))
    scores = {}
    for rid in dict.fromkeys(candidates):
        if rid in records:
            covered = len(terms & _words_of(records[rid].text)) / len(terms) if terms else 0.0
            scores[rid] = sims.get(rid, 0.0) + 0.3 * covered
    top = sorted(scores, key=lambda rid: -scores[rid])[:per_video]
    spans: list[list] = []  # [t0, t1, score, kinds, texts]
    for rid in sorted(top, key=lambda rid: records[rid].t0):
        r = records[rid]
        if spans and r.t0 - spans[-1][1] <= merge_s:
            s = spans[-1]
            s[1], s[2] = max(s[1], r.t1), max(s[2], scores[rid])
            s[3].add(r.kind)
            s[4].append(r.text)
        else:
            spans.append([r.t0, r.t1, scores[rid], {r.kind}, [r.text]])
    name = Path(entry.path).name
    return [ArchiveHit(entry.path, name, a, b, tuple(sorted(k)), " … ".join(dict.fromkeys(t))[:240], sc)
            for a, b, sc, k, t in spans]


def search_archive(out_dir: Path, query: str, settings: Settings, embedder=None, k: int = 10,
                   per_video: int = 8, merge_s: float = 5.0, missing: list[str] | None = None) -> list[ArchiveHit]:
    """The ``k`` best (video, span, snippet) for ``query`` across the archive (videos whose index
    is gone are appended to ``missing``)."""
    if not query.strip():
        raise InputError("the query is empty")
    q = None
    if embedder is not None:
        q = np.asarray(embedder.embed([query])[0], dtype=np.float32)
        q /= np.linalg.norm(q) + 1e-9
    hits: list[ArchiveHit] = []
    for entry in archive_videos(out_dir, missing):
        hits += _video_hits(entry, query, q, per_video, merge_s)
    hits.sort(key=lambda h: (-h.score, h.name, h.t0))
    return hits[:k]


def rank_videos(hits: list[ArchiveHit], top: int = 3) -> list[dict]:
    """Videos by the sum of their three best spans' scores (one strong passage, or several)."""
    by_video: dict[str, list[ArchiveHit]] = {}
    for h in hits:
        by_video.setdefault(h.video, []).append(h)
    ranked = []
    for video, hs in by_video.items():
        hs.sort(key=lambda h: -h.score)
        best = hs[0]
        ranked.append({"video": video, "name": best.name, "score": round(sum(h.score for h in hs[:3]), 4),
                       "start": best.t0, "end": best.t1, "snippet": best.snippet})
    ranked.sort(key=lambda v: (-v["score"], v["name"]))
    return ranked[:top]


def ask_archive(out_dir: Path, question: str, options: list[str], settings: Settings, session: str | None = None,
                embedder=None, llm=None, vlm=None, load_models: bool = True, missing: list[str] | None = None):
    """Answer ``question`` from the archive: find the video whose evidence matches it best, ask
    the agent there, and name the video in the answer and its citations."""
    from keyclip.agent.run import Asker

    if embedder is None and load_models:
        from keyclip.backends.registry import make_embedder

        embedder = make_embedder(settings)
    missing = missing if missing is not None else []
    hits = search_archive(out_dir, question, settings, embedder, k=60, per_video=8, missing=missing)
    ranked = rank_videos(hits)
    if not ranked:
        why = f" ({len(missing)} videos' indexes are gone: re-run annotate)" if missing else ""
        raise InputError(f"{out_dir}: nothing in the archive matches the question{why}")
    best = ranked[0]
    entry = next(e for e in archive_videos(out_dir) if e.path == best["video"])
    with Asker(Path(entry.index_path), Path(entry.path), settings, embedder=embedder, llm=llm, vlm=vlm,
               load_models=load_models) as asker:
        answer = asker.ask(question, options, session=session)
    if not answer.abstained:
        answer.answer = f"{best['name']}: {answer.answer}"
    for c in answer.citations:
        c.video = best["name"]
    answer.videos = ranked
    return answer
