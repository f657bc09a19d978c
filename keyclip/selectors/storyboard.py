"""A storyboard beside the key clips: one glimpse of every distinct scene, at the resolution
floor, from a small share of the budget.

Key clips find what the question's words point at; a question about what was only seen ("how
many clips of camera footage…", "which comes first…") may point at nothing the index can read.
A storyboard gives the VLM the whole video's shape for little: every scene once (two frames at
its middle, the cheapest unit of a video token model), repeated scenes once (by the same
word-set signatures that de-duplicate key clips). When the share cannot hold every scene, the
scenes farthest in time from what is already planned come first, so the glimpses spread out.

Example:
    >>> plan = plan_with_storyboard(key_clips, scenes, sigs, 8192, model, (1280, 720), o)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from keyclip.selectors.budget import BudgetPlan, Candidate, plan_budget, resolution_ladder
from keyclip.selectors.token_models import TokenModel
from keyclip.settings import SelectOptions

GLIMPSE_S = 1.0
"""Length of a storyboard glimpse around a scene's middle."""


def distinct_scenes(
    scenes: list[tuple[float, float]], signatures: list[frozenset[str]] | None, duplicate_jaccard: float = 0.7
) -> list[tuple[float, float]]:
    """Scenes in time order without near-repeats of an earlier scene (same words on screen and in
    speech). Scenes without any words are all kept: nothing says they repeat."""
    if signatures is None:
        return list(scenes)
    out: list[tuple[float, float]] = []
    seen: list[frozenset[str]] = []
    for scene, sig in zip(scenes, signatures):
        if sig and any(len(sig & s) / len(sig | s) >= duplicate_jaccard for s in seen):
            continue
        if sig:
            seen.append(sig)
        out.append(scene)
    return out


def scene_signatures(
    scenes: list[tuple[float, float]], clips: list, clip_signatures: list[frozenset[str]]
) -> list[frozenset[str]]:
    """Per scene, the union of the signatures of the clips whose middle lies in it."""
    out = []
    for t0, t1 in scenes:
        inside = [sig for c, sig in zip(clips, clip_signatures) if t0 <= (c.t0 + c.t1) / 2 < t1]
        out.append(frozenset().union(*inside) if inside else frozenset())
    return out


def _glimpse(scene: tuple[float, float]) -> Candidate:
    mid = (scene[0] + scene[1]) / 2
    half = min(GLIMPSE_S, scene[1] - scene[0]) / 2
    return Candidate(round(mid - half, 3), round(mid + half, 3), 0.0)


def _spread(glimpses: list[Candidate], taken: list[float], n: int) -> list[Candidate]:
    """``n`` glimpses, each the one farthest in time from everything taken so far."""
    if not glimpses or n <= 0:
        return []
    mids = np.array([(c.t0 + c.t1) / 2 for c in glimpses])
    starts = np.array([c.t0 for c in glimpses])
    distance = np.full(len(glimpses), np.inf)
    for t in taken:
        distance = np.minimum(distance, np.abs(mids - t))
    chosen: list[int] = []
    for _ in range(min(n, len(glimpses))):
        # farthest first; among equals the earliest (lexsort: last key is primary)
        order = np.lexsort((starts, -distance))
        best = int(next(i for i in order if i not in chosen))
        chosen.append(best)
        distance = np.minimum(distance, np.abs(mids - mids[best]))
        distance[best] = -np.inf
    return sorted((glimpses[i] for i in chosen), key=lambda c: c.t0)


def plan_with_storyboard(
    key_clips: list[Candidate],
    scenes: list[tuple[float, float]],
    scene_signatures: list[frozenset[str]] | None,
    budget: int,
    model: TokenModel,
    source: tuple[int, int],
    o: SelectOptions,
) -> BudgetPlan:
    """Key clips planned within ``budget`` minus the storyboard's share, then a glimpse of as
    many distinct scenes (not already inside a key clip) as the rest allows, at the floor."""
    share = int(budget * o.storyboard_share)
    scenes_left = [s for s in distinct_scenes(scenes, scene_signatures)
                   if not any(c.t0 <= (s[0] + s[1]) / 2 <= c.t1 for c in key_clips)]
    if share <= 0 or not scenes_left:
        return plan_budget(key_clips, budget, model, source, o)
    floor = resolution_ladder(model, source, o)[-1]
    unit = model.tokens(max(o.min_frames_per_clip, model.frame_multiple), *floor)
    wanted = min(len(scenes_left), share // unit) if unit else 0
    key_plan = plan_budget(key_clips, budget - wanted * unit, model, source, o)
    room = (budget - key_plan.total_tokens) // unit if unit else 0
    if room <= 0:
        return key_plan
    taken = [t for c in key_plan.clips for t in c.timestamps]
    glimpses = _spread([_glimpse(s) for s in scenes_left], taken, min(room, len(scenes_left)))
    floor_only = o.model_copy(update={"max_clips": len(glimpses), "max_pixels": floor[0] * floor[1],
                                      "min_pixels": floor[0] * floor[1], "target_fps": 1e-6, "max_fps": 1e-6})
    story = plan_budget(glimpses, budget - key_plan.total_tokens, model, source, floor_only)
    clips = tuple(sorted(key_plan.clips + story.clips, key=lambda c: c.t0))
    notes = key_plan.notes + (f"storyboard: {len(story.clips)} of {len(scenes_left)} distinct scenes at "
                              f"{floor[0]}x{floor[1]}",)
    return BudgetPlan(budget, key_plan.token_model, clips, key_plan.dropped, notes)
