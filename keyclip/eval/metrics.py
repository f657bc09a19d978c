"""Scores of one answer and summaries of many.

Per answer: ``correct`` (the letter equals the benchmark's; an abstention is wrong; None when the
benchmark withholds the answer), ``hit`` (the centre of the first predicted span lies inside the
answer span or one of the evidence spans) and ``iou`` (first predicted span vs the answer span),
both None when the item has no span.

Per configuration: multiple-choice accuracy (overall, per duration group, per question type),
temporal hit rate, mean IoU, abstention rate, visual and text tokens, latency p50/p95. Per run:
index time per video-hour (the stage times recorded in each index when it was built).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from keyclip.eval.items import EvalItem


def score_row(item: EvalItem, pred) -> dict:
    correct = None if item.answer is None else (not pred.abstained and pred.letter == item.answer)
    hit = iou = None
    truth = [item.answer_span] if item.answer_span else []
    truth += [tuple(s) for s in item.evidence_spans]
    if truth:
        if pred.spans:
            a, b = pred.spans[0]
            mid = (a + b) / 2
            hit = any(s <= mid <= e for s, e in truth)
            if item.answer_span:
                s, e = item.answer_span
                inter = max(0.0, min(b, e) - max(a, s))
                union = max(b, e) - min(a, s)
                iou = inter / union if union > 0 else float(a == s and b == e)
        else:
            hit, iou = False, (0.0 if item.answer_span else None)
    return {"correct": correct, "hit": hit, "iou": iou}


def _mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return float(np.mean(values)) if values else None


def summarise(rows: list[dict]) -> list[dict]:
    """One summary per configuration (rows grouped by ``config``), in the rows' config order."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["config"]].append(row)
    out = []
    for key, rs in groups.items():
        seconds = [r["seconds"] for r in rs]
        by_duration: dict[str, list] = defaultdict(list)
        by_type: dict[str, list] = defaultdict(list)
        for r in rs:
            if r["correct"] is not None:
                by_duration[str(r.get("duration_group") or "-")].append(r["correct"])
                by_type[str(r.get("question_type") or "-")].append(r["correct"])
        out.append({
            "config": key, "method": rs[0]["method"], "budget": rs[0]["budget"], "evidence": rs[0]["evidence"],
            "speech": rs[0].get("speech", "asr"),
            "items": len(rs),
            "scored": sum(1 for r in rs if r["correct"] is not None),
            "accuracy": _mean([r["correct"] for r in rs]),
            "temporal_hit": _mean([r["hit"] for r in rs]),
            "mean_iou": _mean([r["iou"] for r in rs]),
            "abstained": _mean([r["abstained"] for r in rs]),
            "visual_tokens": _mean([r["visual_tokens"] for r in rs]),
            "text_tokens": _mean([r["text_tokens"] for r in rs]),
            "p50_s": float(np.percentile(seconds, 50)) if seconds else None,
            "p95_s": float(np.percentile(seconds, 95)) if seconds else None,
            "by_duration": {k: _mean(v) for k, v in sorted(by_duration.items())},
            "by_type": {k: _mean(v) for k, v in sorted(by_type.items())},
        })
    return out


def index_cost(index_rows: list[dict]) -> dict:
    """What indexing cost per video-hour: the wall time of the builds this run did (cold), and
    for every video the sum of its stage times as stored in its index (speech runs beside the
    visual pass, so that sum is more than the wall time)."""
    latest, cold = {}, {}
    own = [r for r in index_rows if r.get("speech", "asr") == "asr"]  # a subtitle index re-uses its visual stages
    for row in own or index_rows:
        latest[row["content_hash"]] = row
        if not row["cache_hit"]:
            cold[row["content_hash"]] = row
    hours = sum(r["duration"] for r in latest.values()) / 3600
    stage_s = sum(sum(r["stage_seconds"].values()) for r in latest.values())
    cold_hours = sum(r["duration"] for r in cold.values()) / 3600
    cold_s = sum(r["seconds_this_run"] for r in cold.values())
    return {"videos": len(latest), "video_hours": round(hours, 4),
            "stage_seconds_per_video_hour": round(stage_s / hours, 1) if hours else None,
            "built_this_run": len(cold),
            "wall_seconds_per_video_hour": round(cold_s / cold_hours, 1) if cold_hours else None}
