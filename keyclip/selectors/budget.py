"""The visual-token budget planner: which frames of which clips, at what size, within B tokens.

Given scored candidate clips, a budget B and the target VLM's token model, the planner:

1. keeps the best clips whose cheapest form (``min_frames_per_clip`` at the resolution floor)
   fits in B, in score order (at most ``max_clips``);
2. gives all kept clips one resolution: the largest on a ladder (each step 0.8x the pixels) at
   which every clip gets ``target_fps`` frames; if even the floor cannot, it stays at the floor
   and lowers the frame density instead - longer clips cost resolution, not coverage;
3. spends what is left on the highest-scoring clips, clip by clip in score order: first frames
   up to ``target_fps``, then a higher resolution, then frames up to ``max_fps``.

The plan is data (clips -> timestamps -> sizes -> predicted tokens), computed before any model
runs, and never exceeds B.

Example:
    >>> from keyclip.selectors.token_models import QwenVL
    >>> plan = plan_budget([Candidate(10, 20, 1.0)], 2000, QwenVL(), (1280, 720), SelectOptions())
    >>> plan.total_tokens <= 2000
    True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from keyclip.selectors.token_models import TokenModel
from keyclip.settings import SelectOptions


@dataclass(frozen=True)
class Candidate:
    t0: float
    t1: float
    score: float

    @property
    def duration(self) -> float:
        return max(0.0, self.t1 - self.t0)


@dataclass(frozen=True)
class PlannedClip:
    t0: float
    t1: float
    score: float
    timestamps: tuple[float, ...]
    width: int
    height: int
    tokens: int


@dataclass(frozen=True)
class BudgetPlan:
    budget: int
    token_model: str
    clips: tuple[PlannedClip, ...]
    dropped: tuple[Candidate, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def total_tokens(self) -> int:
        return sum(c.tokens for c in self.clips)

    @property
    def frame_count(self) -> int:
        return sum(len(c.timestamps) for c in self.clips)

    def timestamps(self) -> list[float]:
        return sorted(t for c in self.clips for t in c.timestamps)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["total_tokens"] = self.total_tokens
        d["frame_count"] = self.frame_count
        return d


def resolution_ladder(model: TokenModel, source: tuple[int, int], o: SelectOptions) -> list[tuple[int, int]]:
    """Frame sizes the model would use, largest first, from the cap down to the floor."""
    w, h = source
    top = min(o.max_pixels, w * h)
    floor = min(o.min_pixels, top)
    sizes: list[tuple[int, int]] = []
    px = float(top)
    while True:
        size = model.fit(w, h, int(px))
        if size not in sizes:
            sizes.append(size)
        if not model.resolution_matters or px <= floor:
            break
        px = max(floor, px * 0.8)
    # the model may round a floor request up; keep sizes strictly decreasing in pixels
    sizes.sort(key=lambda s: -(s[0] * s[1]))
    return sizes


def _frames(c: Candidate, fps: float, o: SelectOptions, multiple: int) -> int:
    cap = max(o.min_frames_per_clip, math.floor(c.duration * o.max_fps))
    n = min(cap, max(o.min_frames_per_clip, math.ceil(c.duration * fps)))
    if multiple > 1:
        n = math.ceil(n / multiple) * multiple
    return n


def _timestamps(c: Candidate, n: int) -> tuple[float, ...]:
    step = c.duration / n if n else 0.0
    return tuple(round(c.t0 + (i + 0.5) * step, 3) for i in range(n))


def plan_budget(
    candidates: list[Candidate],
    budget: int,
    model: TokenModel,
    source: tuple[int, int],
    o: SelectOptions,
) -> BudgetPlan:
    """Plan frames for ``candidates`` within ``budget`` tokens (see module docstring)."""
    ladder = resolution_ladder(model, source, o)
    floor = ladder[-1]
    ranked = sorted(candidates, key=lambda c: (-c.score, c.t0, c.t1))
    m = model.frame_multiple

    def cost(c: Candidate, n: int, size: tuple[int, int]) -> int:
        return model.tokens(n, size[0], size[1])

    kept: list[Candidate] = []
    spent = 0
    dropped: list[Candidate] = []
    for c in ranked:
        need = cost(c, _frames(c, 0.0, o, m), floor)
        if c.duration > 0 and len(kept) < o.max_clips and spent + need <= budget:
            kept.append(c)
            spent += need
        else:
            dropped.append(c)
    notes: list[str] = []
    if not kept:
        return BudgetPlan(budget, model.name, (), tuple(dropped), ("budget too small for one clip at the floor",))

    # one resolution for all kept clips at target density, else the floor at a lower density
    level = len(ladder) - 1
    frames = [_frames(c, 0.0, o, m) for c in kept]
    for i, size in enumerate(ladder):
        want = [_frames(c, o.target_fps, o, m) for c in kept]
        if sum(cost(c, n, size) for c, n in zip(kept, want)) <= budget:
            level, frames = i, want
            break
    else:
        lo, hi = 0.0, o.target_fps  # densest fps <= target that fits at the floor
        for _ in range(20):
            mid = (lo + hi) / 2
            want = [_frames(c, mid, o, m) for c in kept]
            if sum(cost(c, n, floor) for c, n in zip(kept, want)) <= budget:
                lo, frames = mid, want
            else:
                hi = mid
    levels = [level] * len(kept)
    tokens = [cost(c, n, ladder[level]) for c, n in zip(kept, frames)]

    # leftover, best clips first: frames up to the target density, then resolution, then
    # frames up to max_fps
    def upgrade(i: int, n: int, lv: int) -> bool:
        t = cost(kept[i], n, ladder[lv])
        if sum(tokens) - tokens[i] + t > budget:
            return False
        frames[i], levels[i], tokens[i] = n, lv, t
        return True

    for step in ("target_fps", "resolution", "max_fps"):
        improved = True
        while improved:
            improved = False
            for i, c in enumerate(kept):  # kept is in score order
                if step == "resolution":
                    if levels[i] > 0 and upgrade(i, frames[i], levels[i] - 1):
                        improved = True
                    continue
                goal = _frames(c, o.target_fps if step == "target_fps" else o.max_fps, o, m)
                if frames[i] < goal and upgrade(i, min(goal, frames[i] + max(m, 1)), levels[i]):
                    improved = True
    seconds = sum(c.duration for c in kept)
    density = sum(frames) / seconds if seconds else 0.0
    if density < o.target_fps:
        notes.append(f"budget allows {density:.2f} frames/s (target {o.target_fps}) at the resolution floor or near it")
    planned = tuple(
        sorted(
            (PlannedClip(c.t0, c.t1, c.score, _timestamps(c, n), *ladder[lv], t)
             for c, n, lv, t in zip(kept, frames, levels, tokens)),
            key=lambda p: p.t0,
        )
    )
    return BudgetPlan(budget, model.name, planned, tuple(dropped), tuple(notes))


def plan_uniform_frames(duration: float, budget: int, model: TokenModel, source: tuple[int, int],
                        o: SelectOptions) -> BudgetPlan:
    """The uniform-frames baseline: as many frames as ``budget`` buys, evenly over the whole video
    at the resolution floor (one clip of the video's length, no frame-rate cap)."""
    spread = o.model_copy(update={"max_clips": 1, "max_fps": 1000.0, "target_fps": 1000.0})
    return plan_budget([Candidate(0.0, duration, 1.0)], budget, model, source, spread)


def plan_zoom(
    t0: float, t1: float, remaining: int, model: TokenModel, source: tuple[int, int], o: SelectOptions
) -> BudgetPlan:
    """A denser, higher-resolution plan inside ``[t0, t1]`` within the ``remaining`` budget
    (the agent's later turns look closer at one range)."""
    zoom = o.model_copy(update={"target_fps": o.zoom_target_fps, "max_fps": o.zoom_max_fps, "max_clips": 1})
    return plan_budget([Candidate(t0, t1, 1.0)], remaining, model, source, zoom)
