"""Ask benchmark: the agent with the offline defaults on every evaluation lecture, per set.

    .venv/bin/python bench/ask_bench.py [--set DIR ...] [--llm packaged:qwen2.5-0.5b]
                                        [--video long.mp4 --copies 7] [--json out.json]

Sets: ``../shared/eval/dev`` and every built set under ``devsets/out/`` (``bash devsets/build.sh
NAME``), or the ``--set`` folders (each with ``qa.jsonl`` and its video). Per set:

- multiple choice on the text-answerable items (``needs == "text"``): accuracy (an abstention
  counts as wrong), the share answered, accuracy among the answered, temporal hit (a cited
  span overlaps the gold span);
- items that need sight: the share abstained of those no detector class carries (all should be);
  of those a COCO class could carry (``seen`` in qa.jsonl), how many were answered right and how
  many wrong (an answer from a wrong class is the failure to watch);
- selective accuracy: correct among everything answered;
- open *when* questions (the when items asked without options): the first span's centre within
  2 s of the gold span and no longer than max(3x its length, 15 s);
- latency per question with the models loaded (p50 / p95);
- left out: sentences of the video's text the claim check took out as claims about answering
  (``keyclip/agent/claims.py``); each is printed, and on a clean lecture there should be none.

Pooled over the sets: the reliability table and expected calibration error of the calibrated
probability (``checks.probability``, every multiple-choice item that was not refused outright;
in-sample when the sets are the ones ``bench/calibrate.py`` fitted on - that script reports the
leave-one-set-out numbers). ``--json`` writes every item's
row with its grounding features (the input of ``bench/calibrate.py``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from rich.table import Table

from keyclip.agent.calibration import expected_calibration_error
from keyclip.agent.run import Asker
from keyclip.index.build import build_index
from keyclip.settings import Settings, with_llm_model

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev"
WHEN_TYPES = ("when_said", "when_shown")


def find_sets() -> list[Path]:
    sets = [DEV] if (DEV / "qa.jsonl").is_file() else []
    sets += sorted(p.parent for p in (ROOT / "devsets" / "out").glob("*/qa.jsonl"))
    return sets


def overlaps(spans, truth: list[list[float]]) -> bool:
    return any(a < d and c < b for a, b in spans for c, d in truth)


def open_when_ok(spans, gold: list[float], shift: float = 0.0) -> bool:
    """The first span's centre within 2 s of the gold span, and not longer than max(3x, 15 s)."""
    if not spans:
        return False
    a, b = spans[0]
    g0, g1 = gold[0] + shift, gold[1] + shift
    centre = (a + b) / 2
    distance = max(0.0, g0 - centre, centre - g1)
    return distance <= 2.0 and (b - a) <= max(3 * (g1 - g0), 15.0)


def needs(item: dict) -> str:
    return item.get("needs") or ("sight" if item["type"] == "visual" else "text")


def run_set(folder: Path, s: Settings, video: Path | None, copies: int) -> tuple[list[dict], float, list[str]]:
    items = [json.loads(line) for line in (folder / "qa.jsonl").read_text().splitlines() if line.strip()]
    video = video or folder / items[0]["video"]
    result = build_index(video, s)
    starts = [0.0]
    if copies > 1:
        starts = json.loads((folder / "long_ground_truth.json").read_text())["copy_starts"][:copies]
    rows = []
    t = time.perf_counter()
    with Asker(result.index_path, video, s) as asker:
        load_s = time.perf_counter() - t
        # sentences the claim check took out of this video's evidence (a clean lecture should have none)
        left_out = [f"{c.record.t0:.1f}s {c.record.kind}: {c.sentence!r} ({c.reason})" for c in asker.tools.evidence.claims]
        asker.ask("warm-up: when is the first slide shown?")
        for item in track(items, description=f"asking {folder.name}", console=Console(stderr=True)):
            answer = asker.ask(item["question"], item["options"])
            truth = [[a + k, b + k] for k in starts for a, b in [item["answer_span"]]]
            checks = answer.checks or {}
            row = {"set": folder.name, "id": item["id"], "type": item["type"], "needs": needs(item),
                   "seen": bool(item.get("seen")), "letter": answer.letter, "truth": item["answer"],
                   "correct": answer.letter == item["answer"], "answered": not answer.abstained,
                   "hit": overlaps(answer.spans, truth), "seconds": answer.seconds, "spans": answer.spans,
                   "confidence": answer.confidence, "probability": checks.get("probability"),
                   "best_option": checks.get("best_option"), "features": checks.get("features"),
                   "method": checks.get("method"), "reason": answer.abstain_reason}
            if item["type"] in WHEN_TYPES:
                free = asker.ask(item["question"])
                row["open_when"] = any(open_when_ok(free.spans, item["answer_span"], k) for k in starts)
                row["open_spans"] = free.spans[:1]
            rows.append(row)
    return rows, load_s, left_out


def _mean(xs) -> float:
    xs = list(xs)
    return float(np.mean(xs)) if xs else float("nan")


def summarise(rows: list[dict]) -> dict:
    text = [r for r in rows if r["needs"] == "text"]
    sight = [r for r in rows if r["needs"] == "sight" and not r["seen"]]
    seen = [r for r in rows if r["needs"] == "sight" and r["seen"]]
    answered = [r for r in rows if r["answered"]]
    when = [r for r in rows if "open_when" in r]
    return {
        "items": len(rows), "text_items": len(text),
        "text_accuracy": _mean(r["correct"] for r in text),
        "text_answered": _mean(r["answered"] for r in text),
        "text_selective": _mean(r["correct"] for r in text if r["answered"]),
        "text_temporal_hit": _mean(r["hit"] for r in text),
        "sight_items": len(sight), "sight_abstained": _mean(not r["answered"] for r in sight),
        "seen_items": len(seen), "seen_correct": _mean(r["correct"] for r in seen),
        "seen_right": sum(r["correct"] for r in seen), "seen_wrong": sum(r["answered"] and not r["correct"] for r in seen),
        "selective_accuracy": _mean(r["correct"] for r in answered), "answered": len(answered),
        "open_when_items": len(when), "open_when": _mean(r["open_when"] for r in when),
        "p50_s": float(np.percentile([r["seconds"] for r in rows], 50)),
        "p95_s": float(np.percentile([r["seconds"] for r in rows], 95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", help="a set folder (qa.jsonl + video); repeatable")
    parser.add_argument("--video", type=Path, help="another variant of the (single) set's video, e.g. the 59-min one")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--llm", help="LLM model spec (default: the setting)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console()
    sets = args.set or find_sets()
    if not sets:
        raise SystemExit("no evaluation sets found (../shared/eval/dev, devsets/out/*; build one with devsets/build.sh)")
    s = Settings()
    if args.llm:
        s = s.model_copy(update={"llm": with_llm_model(s.llm, args.llm)})
    all_rows: list[dict] = []
    summaries = {}
    for folder in sets:
        rows, load_s, left_out = run_set(folder, s, args.video, args.copies)
        summaries[folder.name] = {**summarise(rows), "load_s": load_s, "left_out": left_out}
        all_rows += rows
    table = Table("set", "text MC acc.", "answered", "acc. answered", "temporal hit", "sight abstained",
                  "seen right / wrong", "selective acc.", "open when", "left out", "p50 s",
                  title=f"ask per set (LLM {s.llm.model}, no VLM)")
    for name, m in summaries.items():
        table.add_row(name, f"{m['text_accuracy']:.2f} ({m['text_items']})", f"{m['text_answered']:.2f}",
                      f"{m['text_selective']:.2f}", f"{m['text_temporal_hit']:.2f}",
                      f"{m['sight_abstained']:.2f} ({m['sight_items']})",
                      f"{m['seen_right']} / {m['seen_wrong']} ({m['seen_items']})",
                      f"{m['selective_accuracy']:.2f} ({m['answered']})",
                      f"{m['open_when']:.2f} ({m['open_when_items']})", str(len(m["left_out"])), f"{m['p50_s']:.2f}")
    console.print(table)
    per_type = Table("set", "type", "items", "accuracy", "answered", "temporal hit", title="per question type")
    for name in summaries:
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in all_rows:
            if r["set"] == name:
                groups[r["type"]].append(r)
        for t, rs in sorted(groups.items()):
            per_type.add_row(name, t, str(len(rs)), f"{_mean(r['correct'] for r in rs):.2f}",
                             f"{_mean(r['answered'] for r in rs):.2f}", f"{_mean(r['hit'] for r in rs):.2f}")
    console.print(per_type)
    # answers refused outright (an anchor not found, a count no layer can make) never use p
    scored = [r for r in all_rows if r["probability"] is not None
              and (r["answered"] or "probability" in (r["reason"] or ""))]
    ece, reliability = expected_calibration_error([r["probability"] for r in scored],
                                                  [int(r["best_option"] == r["truth"]) for r in scored])
    rel = Table("confidence bin", "items", "mean confidence", "accuracy",
                title=f"reliability of p(right), pooled over {len(summaries)} sets: ECE {ece:.3f}")
    for b in reliability:
        rel.add_row(b["bin"], str(b["items"]), f"{b['confidence']:.2f}", f"{b['accuracy']:.2f}")
    console.print(rel)
    for name in summaries:
        wrong = [f"{r['id']} ({r['type']}: {r['letter']} vs {r['truth']})" for r in all_rows
                 if r["set"] == name and r["answered"] and not r["correct"]]
        console.print(f"{name}: answered wrong: " + (", ".join(wrong) or "none"))
        for line in summaries[name]["left_out"]:
            console.print(f"{name}: left out as a claim: {line}", markup=False)
    if args.json:
        args.json.write_text(json.dumps({"summary": summaries, "ece": ece, "reliability": reliability,
                                         "items": all_rows}, indent=2))


if __name__ == "__main__":
    main()
