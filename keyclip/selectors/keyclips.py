"""Key clips (after F2C, "From Frames to Clips"): short, coherent spans around relevance peaks,
plus the uniform baselines they are compared with.

Selection from per-clip scores:

1. anchors: local score peaks at least ``anchor_threshold`` x the best score, strongest first,
   with temporal non-maximum suppression (no two anchors within ``nms_s``);
2. growth: each anchor grows over neighbouring clips while they score at least
   ``grow_ratio`` x the anchor, up to ``max_span_s`` - so a key clip is as long as relevance
   stays high;
3. diversity: a grown span is trimmed where it overlaps spans already chosen (no frame is
   planned twice), and skipped if it mostly overlaps one (IoU > 0.5), if little is left, or -
   given clip signatures (what each clip says and shows) - if its content is a near-duplicate
   (Jaccard >= ``duplicate_jaccard``) of a chosen one, e.g. the same slide shown again;
4. coverage mode (global questions: "summarise", "how many times"): the video is cut into
   ``max_clips`` equal parts and each part contributes its best anchor, so clips spread over
   the whole video.

Example:
    >>> spans = select_key_clips(starts, ends, scores, SelectOptions())   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from keyclip.selectors.budget import Candidate
from keyclip.settings import SelectOptions


def _iou(a: Candidate, b: Candidate) -> float:
    inter = max(0.0, min(a.t1, b.t1) - max(a.t0, b.t0))
    union = max(a.t1, b.t1) - min(a.t0, b.t0)
    return inter / union if union > 0 else 0.0


def _peaks(scores: np.ndarray, threshold: float) -> list[int]:
    n = len(scores)
    out = []
    for i in range(n):
        left = scores[i - 1] if i > 0 else -np.inf
        right = scores[i + 1] if i < n - 1 else -np.inf
        if scores[i] > 0 and scores[i] >= threshold and scores[i] >= left and scores[i] >= right:
            out.append(i)
    return out


def _grow(i: int, starts: np.ndarray, ends: np.ndarray, scores: np.ndarray, o: SelectOptions) -> Candidate:
    lo = hi = i
    floor = o.grow_ratio * scores[i]
    while True:
        grew = False
        left_ok = lo > 0 and scores[lo - 1] >= floor and ends[hi] - starts[lo - 1] <= o.max_span_s
        right_ok = hi < len(scores) - 1 and scores[hi + 1] >= floor and ends[hi + 1] - starts[lo] <= o.max_span_s
        if left_ok and (not right_ok or scores[lo - 1] >= scores[hi + 1]):  # better neighbour first
            lo -= 1
            grew = True
        elif right_ok:
            hi += 1
            grew = True
        if not grew:
            break
    return Candidate(float(starts[lo]), float(ends[hi]), float(scores[i]))


def _trim(c: Candidate, chosen: list[Candidate], anchor: float, min_s: float = 1.0) -> Candidate | None:
    """``c`` without the parts chosen spans already cover (keeping the side of its anchor)."""
    t0, t1 = c.t0, c.t1
    for d in chosen:
        if d.t1 <= t0 or d.t0 >= t1:
            continue
        if d.t0 <= anchor <= d.t1:
            return None
        if d.t1 <= anchor:
            t0 = max(t0, d.t1)
        else:
            t1 = min(t1, d.t0)
    return Candidate(t0, t1, c.score) if t1 - t0 >= min_s else None


def _signature(c: Candidate, starts: np.ndarray, ends: np.ndarray, signatures) -> frozenset[str]:
    inside = [i for i in range(len(starts)) if starts[i] < c.t1 and ends[i] > c.t0]
    return frozenset().union(*(signatures[i] for i in inside)) if inside else frozenset()


def near_duplicate(a: frozenset[str], b: frozenset[str], threshold: float = 0.7) -> bool:
    """Two word sets (what a clip or a record says and shows) this similar (Jaccard) are the same
    content, e.g. a slide shown again."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


def select_key_clips(
    starts: np.ndarray,
    ends: np.ndarray,
    scores: np.ndarray,
    o: SelectOptions,
    coverage: bool = False,
    signatures: list[frozenset[str]] | None = None,
    duplicate_jaccard: float = 0.7,
) -> list[Candidate]:
    """Key clips from per-clip scores (clips in time order); strongest first.

    Args:
        signatures: per clip, what it says and shows (``relevance.clip_signatures``); enables
            near-duplicate suppression.
    """
    if len(scores) == 0 or float(np.max(scores)) <= 0:
        return []
    threshold = o.anchor_threshold * float(np.max(scores))
    peaks = sorted(_peaks(scores, 0.0 if coverage else threshold), key=lambda i: (-scores[i], starts[i]))
    chosen: list[Candidate] = []
    anchors: list[float] = []
    if coverage:
        edges = np.linspace(float(starts[0]), float(ends[-1]), o.max_clips + 1)
        for a, b in zip(edges, edges[1:]):
            inside = [i for i in peaks if a <= starts[i] < b]
            if inside:
                c = _grow(inside[0], starts, ends, scores, o)
                if not any(_iou(c, d) > 0.5 for d in chosen):
                    chosen.append(c)
        return sorted(chosen, key=lambda c: (-c.score, c.t0))
    chosen_sigs: list[frozenset[str]] = []
    for i in peaks:
        mid = (starts[i] + ends[i]) / 2
        if any(abs(mid - a) < o.nms_s for a in anchors):
            continue
        c = _grow(i, starts, ends, scores, o)
        if any(_iou(c, d) > 0.5 for d in chosen):
            continue
        c = _trim(c, chosen, mid)
        if c is None:
            continue
        if signatures is not None:
            sig = _signature(c, starts, ends, signatures)
            if any(near_duplicate(sig, other, duplicate_jaccard) for other in chosen_sigs):
                continue
            chosen_sigs.append(sig)
        anchors.append(mid)
        chosen.append(c)
        if len(chosen) >= o.max_clips:
            break
    return chosen


def uniform_clips(duration: float, n: int, clip_s: float) -> list[Candidate]:
    """Baseline: ``n`` clips of ``clip_s`` seconds centred on evenly spaced points."""
    out = []
    for k in range(n):
        mid = duration * (k + 0.5) / n
        t0 = max(0.0, mid - clip_s / 2)
        out.append(Candidate(t0, min(duration, t0 + clip_s), 1.0))
    return out


def uniform_frame_times(duration: float, n: int) -> list[float]:
    """Baseline: ``n`` frames evenly spaced over the video."""
    return [round(duration * (k + 0.5) / n, 3) for k in range(n)]
