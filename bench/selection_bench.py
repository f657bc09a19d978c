"""Selection benchmark: evidence recall of key clips vs uniform frames vs uniform clips.

    .venv/bin/python bench/selection_bench.py [--token-model qwen2-vl] [--budgets 2048 4096 8192 16384]

On the dev lecture (../shared/eval/dev/, indexed first if needed, in KEYCLIP_CACHE_DIR): for
every QA item, each method plans frames within the budget B for the target VLM's token model,
and the item counts as recalled when every one of its evidence spans holds at least one planned
frame ("all"; "any" = at least one span). Methods at equal budget:

- key clips + storyboard (what ``app.py select`` plans): key clips in 80 % of B, and a glimpse
  of each distinct scene at the resolution floor in the rest;
- key clips: hybrid text relevance per clip for the question and its options (sub-queries)
  -> F2C key clips -> budget plan, all of B;
- uniform frames: frames evenly spread over the whole video, as many as B allows;
- uniform clips: ``max_clips`` clips of 10 s evenly spread, planned like key clips.

Offline there is no image-text scorer, so relevance is text only; ``visual`` questions are
listed separately (text cannot find what was only seen).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from keyclip.backends.registry import make_embedder
from keyclip.index.build import build_index
from keyclip.index.store import IndexStore
from keyclip.selectors.budget import Candidate, plan_budget
from keyclip.selectors.keyclips import select_key_clips, uniform_clips
from keyclip.selectors.queries import sub_queries
from keyclip.selectors.relevance import clip_relevance, clip_signatures
from keyclip.selectors.storyboard import plan_with_storyboard, scene_signatures
from keyclip.selectors.token_models import token_model
from keyclip.settings import Settings

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev"
METHODS = ("key clips + storyboard", "key clips", "uniform frames", "uniform clips")
TEXT_TYPES = ("when_said", "when_shown", "what_said", "what_shown_text", "count", "order")


def covered(times: list[float], copies: list[list[list[float]]], mode: str) -> bool:
    """Recalled in some copy of the lecture: all of that copy's evidence spans (``all``) or
    any one of them (``any``) holds a planned frame."""
    for spans in copies:
        hits = [any(a <= t <= b for t in times) for a, b in spans]
        if (all(hits) if mode == "all" else any(hits)):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token-model", default="qwen2-vl")
    parser.add_argument("--budgets", type=int, nargs="+", default=[2048, 4096, 8192, 16384])
    parser.add_argument("--video", type=Path, help="another variant of the dev lecture (e.g. the 59-min one)")
    parser.add_argument("--copies", type=int, default=1, help="with --video: how many copies it holds")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console()
    if not DEV.is_dir():
        raise SystemExit(f"dev set not found at {DEV}")
    s = Settings()
    result = build_index(args.video or DEV / "hash_tables_lecture.mp4", s)
    store = IndexStore.open(result.index_path, readonly=True)
    media = store.meta("media")
    source = (media["video"]["width"], media["video"]["height"])
    duration = float(media["duration"])
    model = token_model(args.token_model)
    embedder = make_embedder(s)
    items = [json.loads(line) for line in (DEV / "qa.jsonl").read_text().splitlines() if line.strip()]
    o = s.select
    copy_starts = [0.0]
    if args.copies > 1:  # the long variant: each answer occurs once per copy, any copy counts
        copy_starts = json.loads((DEV / "long_ground_truth.json").read_text())["copy_starts"][: args.copies]
    relevances = {}
    signatures = None
    clips = store.clips()
    scenes = store.scenes()
    for item in items:
        rel = clip_relevance(store, sub_queries(item["question"], item.get("options")), embedder)
        starts = np.array([c.t0 for c in rel.clips])
        ends = np.array([c.t1 for c in rel.clips])
        if signatures is None:
            signatures = clip_signatures(store, list(rel.clips))
            scene_sigs = scene_signatures(scenes, clips, signatures)
        relevances[item["id"]] = select_key_clips(starts, ends, rel.scores, o, signatures=signatures)
    # rows: (method, budget) -> type -> [hits]
    recall: dict[tuple[str, int], dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    tokens: dict[tuple[str, int], list[int]] = defaultdict(list)
    for budget in args.budgets:
        frames_plan = plan_budget([Candidate(0.0, duration, 1.0)], budget, model, source,
                                  o.model_copy(update={"max_clips": 1, "max_fps": 1000.0, "target_fps": 1000.0}))
        clips_plan = plan_budget(uniform_clips(duration, o.max_clips, 10.0), budget, model, source, o)
        for item in items:
            spans = item.get("evidence_spans") or [item["answer_span"]]
            copies = [[[a + k, b + k] for a, b in spans] for k in copy_starts]
            key_plan = plan_budget(relevances[item["id"]], budget, model, source, o)
            story_plan = plan_with_storyboard(relevances[item["id"]], scenes, scene_sigs, budget, model, source, o)
            for method, plan in (("key clips + storyboard", story_plan), ("key clips", key_plan),
                                 ("uniform frames", frames_plan),
                                 ("uniform clips", clips_plan)):
                times = plan.timestamps()
                assert plan.total_tokens <= budget
                recall[(method, budget)][item["type"]].append((covered(times, copies, "all"),
                                                               covered(times, copies, "any")))
                tokens[(method, budget)].append(plan.total_tokens)
    table = Table("budget", "method", "text types (all)", "text types (any)", "visual (any)",
                  *[t for t in TEXT_TYPES], "mean tokens",
                  title=f"evidence recall on the dev QA ({len(items)} items), token model {model.name}")
    out = []
    for budget in args.budgets:
        for method in METHODS:
            per = recall[(method, budget)]
            text = [h for t in TEXT_TYPES for h in per[t]]
            row = {
                "budget": budget, "method": method,
                "text_all": float(np.mean([a for a, _ in text])), "text_any": float(np.mean([b for _, b in text])),
                "visual_any": float(np.mean([b for _, b in per["visual"]])) if per["visual"] else float("nan"),
                **{t: float(np.mean([a for a, _ in per[t]])) for t in TEXT_TYPES},
                "mean_tokens": float(np.mean(tokens[(method, budget)])),
            }
            out.append(row)
            table.add_row(str(budget), method, f"{row['text_all']:.2f}", f"{row['text_any']:.2f}",
                          f"{row['visual_any']:.2f}", *[f"{row[t]:.2f}" for t in TEXT_TYPES],
                          f"{row['mean_tokens']:.0f}")
    console.print(table)
    console.print("relevance signals: " + ", ".join(clip_relevance(store, ["x"], None).signals))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
