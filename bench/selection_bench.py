"""Selection benchmark: evidence recall of key clips vs uniform frames vs uniform clips, per set.

    .venv/bin/python bench/selection_bench.py [--token-model qwen2-vl] [--budgets 1024 2048 4096 8192 16384]
    .venv/bin/python bench/selection_bench.py --video long.mp4 --copies 7      # the 59-min dev variant
    .venv/bin/python bench/selection_bench.py --video seta_long.mp4 --copies 7 --set seta

On every evaluation lecture (``../shared/eval/dev`` and ``devsets/out/*``, each indexed first if
needed, in KEYCLIP_CACHE_DIR): for every QA item, each method plans frames within the budget B
for the target VLM's token model, and the item counts as recalled when every one of its evidence
spans holds at least one planned frame ("all"; "any" = at least one span). Methods at equal budget:

- keyclip (stratified): exactly what ``app.py select`` and the eval's ``keyclips`` method plan
  (``select_for_question`` with the default ``select.frames = "stratified"``: relevance over the
  question's sub-queries and options, one frame per equal stretch on its most relevant moment);
- key clips + storyboard: the same with ``select.frames = "key_clips"`` (F2C key clips, the
  storyboard of distinct scenes in what the clips leave; the default until 2026-12-04);
- key clips only: the same key clips given the whole budget, no storyboard;
- uniform frames: frames evenly spread over the whole video, as many as B allows (the eval's
  ``uniform`` method);
- uniform clips: ``max_clips`` clips of 10 s evenly spread, planned like key clips.

Offline there is no image-text scorer, so relevance is text only; ``visual`` questions are
listed separately (text cannot find what was only seen).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.sets import lecture_sets  # noqa: E402
from keyclip.backends.registry import make_embedder  # noqa: E402
from keyclip.index.build import build_index  # noqa: E402
from keyclip.index.store import IndexStore  # noqa: E402
from keyclip.selectors.budget import plan_budget, plan_uniform_frames  # noqa: E402
from keyclip.selectors.keyclips import uniform_clips  # noqa: E402
from keyclip.selectors.plan import select_for_question, source_size  # noqa: E402
from keyclip.selectors.token_models import token_model  # noqa: E402
from keyclip.settings import Settings  # noqa: E402

METHODS = ("keyclip (stratified)", "key clips + storyboard", "key clips only", "uniform frames", "uniform clips")
COUNTED = ("count", "order")


def covered(times: list[float], copies: list[list[list[float]]], mode: str) -> bool:
    """Recalled in some copy of the lecture: all of that copy's evidence spans (``all``) or
    any one of them (``any``) holds a planned frame."""
    for spans in copies:
        hits = [any(a <= t <= b for t in times) for a, b in spans]
        if (all(hits) if mode == "all" else any(hits)):
            return True
    return False


def set_rows(name: str, video: Path, items: list[dict], copy_starts: list[float], budgets: list[int],
             s: Settings, model, embedder) -> list[dict]:
    """One row per (budget, method) for one lecture."""
    store = IndexStore.open(build_index(video, s).index_path, readonly=True)
    try:
        duration = float(store.meta("media")["duration"])
        source = source_size(store)
        o = s.select
        key_clips = s.model_copy(update={"select": o.model_copy(update={"frames": "key_clips"})})
        recall: dict[tuple[str, int], dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
        tokens: dict[tuple[str, int], list[int]] = defaultdict(list)
        for budget in budgets:
            frames_plan = plan_uniform_frames(duration, budget, model, source, o)
            clips_plan = plan_budget(uniform_clips(duration, o.max_clips, 10.0), budget, model, source, o)
            for item in items:
                spans = item.get("evidence_spans") or [item["answer_span"]]
                copies = [[[a + k, b + k] for a, b in spans] for k in copy_starts]
                options = [x.split(". ", 1)[-1] for x in item.get("options") or []]
                chosen = select_for_question(store, item["question"], options, s, embedder, budget=budget)
                storyboard = select_for_question(store, item["question"], options, key_clips, embedder, budget=budget)
                key_only = plan_budget(list(chosen.key_clips), budget, model, source, o)
                for method, plan in (("keyclip (stratified)", chosen.plan), ("key clips + storyboard", storyboard.plan),
                                     ("key clips only", key_only),
                                     ("uniform frames", frames_plan), ("uniform clips", clips_plan)):
                    times = plan.timestamps()
                    assert plan.total_tokens <= budget
                    recall[(method, budget)][item["type"]].append((covered(times, copies, "all"),
                                                                   covered(times, copies, "any")))
                    tokens[(method, budget)].append(plan.total_tokens)
    finally:
        store.close()
    rows = []
    for budget in budgets:
        for method in METHODS:
            per = recall[(method, budget)]
            text = [h for t, hs in per.items() if t != "visual" for h in hs]
            rows.append({
                "set": name, "budget": budget, "method": method, "items": len(items),
                "text_all": float(np.mean([a for a, _ in text])), "text_any": float(np.mean([b for _, b in text])),
                "visual_any": float(np.mean([b for _, b in per["visual"]])) if per["visual"] else float("nan"),
                **{t: float(np.mean([a for a, _ in per[t]])) if per[t] else float("nan") for t in COUNTED},
                "mean_tokens": float(np.mean(tokens[(method, budget)])),
            })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token-model", default="qwen2-vl")
    parser.add_argument("--budgets", type=int, nargs="+", default=[1024, 2048, 4096, 8192, 16384])
    parser.add_argument("--video", type=Path, help="a variant of the dev lecture (e.g. the 59-min one) instead "
                                                   "of every set")
    parser.add_argument("--copies", type=int, default=1, help="with --video: how many copies it holds")
    parser.add_argument("--set", default="dev", help="with --video: the set it was built from (its qa.jsonl and "
                                                     "long_ground_truth.json)")
    parser.add_argument("--sets", nargs="+", help="only these sets (dev, seta, …)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console()
    s = Settings()
    model = token_model(args.token_model)
    embedder = make_embedder(s)
    runs = []
    if args.video:
        folder = dict(lecture_sets()).get(args.set)
        if folder is None:
            raise SystemExit(f"set {args.set!r} not found (../shared/eval/dev, devsets/out/*)")
        starts = [0.0]
        if args.copies > 1:  # the long variant: each answer occurs once per copy, any copy counts
            starts = json.loads((folder / "long_ground_truth.json").read_text())["copy_starts"][: args.copies]
        runs.append((f"{args.set} x{args.copies}" if args.copies > 1 else args.video.stem, args.video, folder, starts))
    else:
        for name, folder in lecture_sets():
            if args.sets and name not in args.sets:
                continue
            qa = [json.loads(line) for line in (folder / "qa.jsonl").read_text().splitlines() if line.strip()]
            runs.append((name, folder / qa[0]["video"], folder, [0.0]))
    if not runs:
        raise SystemExit("no evaluation lecture found (../shared/eval/dev, devsets/out/*)")
    out = []
    for name, video, folder, starts in runs:
        items = [json.loads(line) for line in (folder / "qa.jsonl").read_text().splitlines() if line.strip()]
        rows = set_rows(name, video, items, starts, args.budgets, s, model, embedder)
        out += rows
        table = Table("budget", "method", "text (all)", "text (any)", "visual (any)", *COUNTED, "mean tokens",
                      title=f"{name}: evidence recall ({len(items)} items), token model {model.name}")
        for r in rows:
            table.add_row(str(r["budget"]), r["method"], f"{r['text_all']:.2f}", f"{r['text_any']:.2f}",
                          f"{r['visual_any']:.2f}", *[f"{r[t]:.2f}" for t in COUNTED], f"{r['mean_tokens']:.0f}")
        console.print(table)
    summary = Table("set", *[str(b) for b in args.budgets],
                    title="keyclip (stratified) vs uniform frames, text (all): keyclip / uniform")
    for name in dict.fromkeys(r["set"] for r in out):
        cells = []
        for b in args.budgets:
            key = next(r for r in out if r["set"] == name and r["budget"] == b and r["method"] == METHODS[0])
            uni = next(r for r in out if r["set"] == name and r["budget"] == b and r["method"] == "uniform frames")
            mark = ">" if key["text_all"] > uni["text_all"] else "=" if key["text_all"] == uni["text_all"] else "<"
            cells.append(f"{key['text_all']:.2f} {mark} {uni['text_all']:.2f}")
        summary.add_row(name, *cells)
    console.print(summary)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
