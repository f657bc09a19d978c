"""Stratified frames: spread like uniform frames, placed by relevance (after AKS's coverage).

Uniform frames cover a video evenly: with n frames, one at the middle of each of n equal cells.
At budgets where a cell is about as long as one spoken sentence they land in nearly every
evidence span, which key clips concentrated on relevance peaks cannot match when relevance
misses part of the evidence; at small budgets they land mostly beside it. Stratified frames keep
the cells and move a cell's frame only where relevance says to: to the most relevant retrieved
moment (a spoken sentence, a slide's time on screen) centred in the cell, when it is more
relevant than what lies under the cell's middle. A cell where nothing is relevant keeps its
middle, exactly where uniform frames look, so the plan never knows less than uniform frames;
every stretch of the video keeps its frame, and frames in relevant stretches land on the
evidence. A moment repeating one already chosen (the same slide again, a recap) is passed over
for the cell's next candidate.

Example:
    >>> times = stratified_times(starts, ends, scores, 0.0, 510.0, 56)     # doctest: +SKIP
"""

from __future__ import annotations

import math

import numpy as np

from keyclip.selectors.budget import BudgetPlan, PlannedClip, resolution_ladder
from keyclip.selectors.keyclips import near_duplicate
from keyclip.selectors.relevance import ClipRelevance, Moment
from keyclip.selectors.token_models import TokenModel
from keyclip.settings import SelectOptions


def _candidates(starts: np.ndarray, ends: np.ndarray, scores: np.ndarray, a: float, b: float) -> list[int]:
    """Intervals centred in ``[a, b)`` more relevant than the one under its middle (where uniform
    frames look), best first (ties: nearest the middle)."""
    mid = (a + b) / 2
    under = np.nonzero((starts <= mid) & (ends > mid))[0]
    here = float(scores[under].max()) if len(under) else 0.0
    centres = (starts + ends) / 2
    inside = np.nonzero((centres >= a) & (centres < b) & (scores > here))[0]
    return [int(i) for i in inside[np.lexsort((np.abs(centres[inside] - mid), -scores[inside]))]]


def stratified_times(
    starts: np.ndarray, ends: np.ndarray, scores: np.ndarray, t0: float, t1: float, n: int,
    words: list[frozenset[str]] | None = None,
) -> list[float]:
    """``n`` frame times over ``[t0, t1]``, one per equal cell: at the cell's middle (where
    uniform frames look) unless an interval centred in the cell is more relevant than the one
    under the middle, then at the middle of that interval's part of the cell.

    Given ``words`` per interval, an interval repeating one already chosen by a more relevant
    cell (the same slide again, a recap) is passed over for the cell's next candidate."""
    if n <= 0 or t1 <= t0:
        return []
    edges = np.linspace(t0, t1, n + 1)
    cells = [(float(a), float(b)) for a, b in zip(edges, edges[1:])]
    options = [_candidates(starts, ends, scores, a, b) for a, b in cells]
    times = [(a + b) / 2 for a, b in cells]
    chosen: list[frozenset[str]] = []
    for k in sorted(range(n), key=lambda k: -scores[options[k][0]] if options[k] else 0.0):
        for i in options[k]:
            if words is not None and any(near_duplicate(words[i], w) for w in chosen):
                continue
            if words is not None:
                chosen.append(words[i])
            a, b = cells[k]
            times[k] = (max(float(starts[i]), a) + min(float(ends[i]), b)) / 2
            break
    return [round(t, 3) for t in times]


def plan_times(times: list[float], scores: list[float], budget: int, model: TokenModel, source: tuple[int, int],
               o: SelectOptions) -> BudgetPlan:
    """``times`` as a plan at the largest size on the resolution ladder at which all of them fit
    in ``budget``: consecutive frames grouped by the model's frame multiple (Qwen pairs frames
    into one temporal patch), each group one planned clip scored by its best frame."""
    m = max(1, model.frame_multiple)
    order = np.argsort(times, kind="stable")
    times = [float(times[i]) for i in order]
    scores = [float(scores[i]) for i in order]
    groups = [(k, min(k + m, len(times))) for k in range(0, len(times), m)]
    for size in resolution_ladder(model, source, o):
        costs = [model.tokens(b - a, *size) for a, b in groups]
        if sum(costs) <= budget:
            break
    else:  # not even at the floor
        costs = []
    clips = tuple(PlannedClip(times[a], times[b - 1], max(scores[a:b]), tuple(times[a:b]), size[0], size[1], cost)
                  for (a, b), cost in zip(groups, costs))
    notes = (f"{len(times)} stratified frames at {size[0]}x{size[1]}",) if clips else (
        "budget too small for two frames at the floor",)
    return BudgetPlan(budget, model.name, clips, (), notes)


def frame_count(budget: int, duration: float, model: TokenModel, source: tuple[int, int], o: SelectOptions) -> int:
    """Frames for ``budget``: as many as fit at the resolution floor (what uniform frames get), at
    most ``max_fps`` per second of video (the rest of the budget then buys resolution), in whole
    multiples of the model's frame group."""
    floor = resolution_ladder(model, source, o)[-1]
    m = max(1, model.frame_multiple)
    fit = (budget // model.tokens(m, *floor)) * m
    cap = max(m, math.ceil(duration * o.max_fps / m) * m)
    return min(fit, cap)


def stratified_plan(rel: ClipRelevance, duration: float, budget: int, model: TokenModel, source: tuple[int, int],
                    o: SelectOptions) -> BudgetPlan:
    """The plan of stratified frames for one question's relevance: its retrieved moments, and
    with an image-text signal the clips too (the pictures' relevance is known per clip)."""
    if duration <= 0:
        return BudgetPlan(budget, model.name, (), (), ("the video has no duration to spread frames over",))
    moments = rel.moments
    if "image" in rel.signals:
        moments += tuple(Moment(c.t0, c.t1, float(x), frozenset()) for c, x in zip(rel.clips, rel.scores))
    starts = np.array([x.t0 for x in moments])
    ends = np.array([x.t1 for x in moments])
    scores = np.array([x.score for x in moments])
    n = frame_count(budget, duration, model, source, o)
    times = stratified_times(starts, ends, scores, 0.0, duration, n, [x.words for x in moments])
    at = [float(max((x.score for x in moments if x.t0 <= t <= x.t1), default=0.0)) for t in times]
    return plan_times(times, at, budget, model, source, o)
