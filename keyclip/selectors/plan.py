"""From a question to a budget plan on one index: sub-queries -> relevance (per clip and per
retrieved moment) -> key clips -> frames within the visual-token budget. The frames are
stratified by default (one per equal stretch of the video, on its most relevant moment:
``selectors.stratified``); ``select.frames = "key_clips"`` concentrates them in the key clips
with a storyboard of the distinct scenes beside them. Reused by the CLI (``app.py select``), the
eval's ``keyclips`` method and the agent.

Example:
    >>> sel = plan_for_question(index_path, "when is chaining explained?", [], Settings())  # doctest: +SKIP
    >>> sel.plan.total_tokens <= Settings().select.budget                                   # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keyclip.index.store import IndexStore
from keyclip.selectors.budget import BudgetPlan, Candidate
from keyclip.selectors.keyclips import select_key_clips
from keyclip.selectors.queries import sub_queries
from keyclip.selectors.relevance import clip_relevance, clip_signatures
from keyclip.selectors.storyboard import distinct_scenes, plan_with_storyboard, scene_signatures
from keyclip.selectors.stratified import stratified_plan
from keyclip.selectors.token_models import token_model
from keyclip.settings import Settings


@dataclass(frozen=True)
class Selection:
    queries: tuple[str, ...]
    signals: tuple[str, ...]
    key_clips: tuple[Candidate, ...]
    plan: BudgetPlan
    scene_kinds: tuple[tuple[float, float, str | None], ...] = ()
    """``(t0, t1, kind)`` of every scene (slide, footage, …), for showing what each clip is."""

    def kind_at(self, t0: float, t1: float) -> str | None:
        """The kind of the scene that covers most of ``[t0, t1]``."""
        best = max(self.scene_kinds, key=lambda s: min(s[1], t1) - max(s[0], t0), default=None)
        return best[2] if best and min(best[1], t1) > max(best[0], t0) else None

    def to_dict(self) -> dict:
        return {
            "queries": list(self.queries),
            "signals": list(self.signals),
            "key_clips": [{"start": c.t0, "end": c.t1, "score": round(c.score, 4), "kind": self.kind_at(c.t0, c.t1)}
                          for c in self.key_clips],
            "plan": self.plan.to_dict(),
        }


def plan_for_question(
    index_path: Path, question: str, options: list[str], s: Settings, embedder=None, coverage: bool = False
) -> Selection:
    """Key clips and their budget plan for ``question`` (and its answer ``options``)."""
    from keyclip.backends.registry import make_embedder

    store = IndexStore.open(index_path, readonly=True)
    try:
        if embedder is None and store.has_embeddings():
            embedder = make_embedder(s)
        return select_for_question(store, question, options, s, embedder, coverage)
    finally:
        store.close()


def select_for_question(
    store: IndexStore, question: str, options: list[str], s: Settings, embedder=None, coverage: bool = False,
    budget: int | None = None, extra_queries: list[str] | None = None,
) -> Selection:
    """Like :func:`plan_for_question` on an open index, within ``budget`` (default: the setting)."""
    queries = sub_queries(question, options)
    queries += [x for x in extra_queries or [] if x not in queries]
    image_scorer = None
    if s.scorer.model and store.db.execute("SELECT 1 FROM keyframe_embeddings LIMIT 1").fetchone():
        from keyclip.backends.registry import make_scorer
        from keyclip.tools.image_text import KeyframeSimilarity

        image_scorer = KeyframeSimilarity(make_scorer(s))
    rel = clip_relevance(store, queries, embedder, image_scorer, image_weight=s.scorer.weight)
    starts = np.array([c.t0 for c in rel.clips])
    ends = np.array([c.t1 for c in rel.clips])
    sigs = clip_signatures(store, list(rel.clips))
    chosen = select_key_clips(starts, ends, rel.scores, s.select, coverage=coverage, signatures=sigs)
    budget = s.select.budget if budget is None else budget
    model = token_model(s.select.token_model)
    if s.select.frames == "stratified":
        duration = float((store.meta("media") or {}).get("duration") or (ends[-1] if len(ends) else 0.0))
        plan = stratified_plan(rel, duration, budget, model, source_size(store), s.select)
    else:
        scenes = store.scenes()
        distinct = store.memoised(
            "distinct_scenes", lambda: distinct_scenes(scenes, scene_signatures(scenes, list(rel.clips), sigs)))
        plan = plan_with_storyboard(chosen, distinct, None, budget, model, source_size(store), s.select)
    kinds = tuple((r.t0, r.t1, r.kind) for r in store.scene_rows())
    return Selection(tuple(queries), rel.signals, tuple(chosen), plan, kinds)


def source_size(store: IndexStore) -> tuple[int, int]:
    media = store.meta("media") or {}
    video = media.get("video") or {}
    return int(video.get("width") or 640), int(video.get("height") or 360)
