"""Ask benchmark: the agent with the offline defaults on the dev QA.

    .venv/bin/python bench/ask_bench.py [--video long.mp4 --copies 7] [--llm packaged:qwen2.5-0.5b]
                                        [--llm-answer always]

For every QA item of ../shared/eval/dev/qa.jsonl (options passed as given): multiple-choice
accuracy and temporal hit (a predicted span overlaps the ground-truth answer span; in the long
variant the span of any copy counts) per question type, the abstention rate on ``visual``
items, and latency per question on a cached index with the models loaded once (p50 / p95), plus
the one-off cost of loading them. ``--llm-answer always`` makes the LLM pick the letter from the
fenced evidence (to measure an LLM's own multiple-choice quality).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from keyclip.agent.run import Asker
from keyclip.index.build import build_index
from keyclip.settings import Settings, with_llm_model

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev"
TEXT_TYPES = ("when_said", "when_shown", "what_said", "what_shown_text", "count", "order")


def overlaps(spans, truth: list[list[float]]) -> bool:
    return any(a < d and c < b for a, b in spans for c, d in truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, help="another variant of the dev lecture (e.g. the 59-min one)")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--llm", help="LLM model spec (default: the setting)")
    parser.add_argument("--llm-answer", choices=["never", "open", "always"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    console = Console()
    if not DEV.is_dir():
        raise SystemExit(f"dev set not found at {DEV}")
    s = Settings()
    if args.llm:
        s = s.model_copy(update={"llm": with_llm_model(s.llm, args.llm)})
    if args.llm_answer:
        s = s.model_copy(update={"agent": s.agent.model_copy(update={"llm_answer": args.llm_answer})})
    video = args.video or DEV / "hash_tables_lecture.mp4"
    result = build_index(video, s)
    copy_starts = [0.0]
    if args.copies > 1:
        copy_starts = json.loads((DEV / "long_ground_truth.json").read_text())["copy_starts"][: args.copies]
    items = [json.loads(line) for line in (DEV / "qa.jsonl").read_text().splitlines() if line.strip()]
    start = time.perf_counter()
    asker = Asker(result.index_path, video, s)
    load_s = time.perf_counter() - start
    per_type: dict[str, list[dict]] = defaultdict(list)
    rows = []
    from rich.progress import track

    with asker:
        asker.ask("warm-up: what is this lecture about?")
        for item in track(items, description="asking", console=Console(stderr=True)):
            answer = asker.ask(item["question"], item["options"])
            truth = [[a + k, b + k] for k in copy_starts for a, b in [item["answer_span"]]]
            row = {"id": item["id"], "type": item["type"], "letter": answer.letter, "truth": item["answer"],
                   "correct": answer.letter == item["answer"], "hit": overlaps(answer.spans, truth),
                   "abstained": answer.abstained, "seconds": answer.seconds, "spans": answer.spans}
            per_type[item["type"]].append(row)
            rows.append(row)
    table = Table("type", "items", "multiple-choice accuracy", "temporal hit", "abstained",
                  title=f"ask on the dev QA ({video.name}), LLM {asker.tools.llm.name if asker.tools.llm else 'none'}, "
                        f"VLM {asker.tools.vlm.name if asker.tools.vlm else 'none'}")
    for t in (*TEXT_TYPES, "visual"):
        r = per_type.get(t, [])
        if r:
            table.add_row(t, str(len(r)), f"{np.mean([x['correct'] for x in r]):.2f}",
                          f"{np.mean([x['hit'] for x in r]):.2f}", f"{np.mean([x['abstained'] for x in r]):.2f}")
    text_rows = [x for x in rows if x["type"] in TEXT_TYPES]
    summary = {
        "video": video.name, "items": len(rows),
        "text_accuracy": float(np.mean([x["correct"] for x in text_rows])),
        "text_temporal_hit": float(np.mean([x["hit"] for x in text_rows])),
        "visual_abstention": float(np.mean([x["abstained"] for x in per_type.get("visual", [])] or [np.nan])),
        "p50_s": float(np.percentile([x["seconds"] for x in rows], 50)),
        "p95_s": float(np.percentile([x["seconds"] for x in rows], 95)),
        "load_s": load_s,
    }
    table.add_row("text types", str(len(text_rows)), f"[bold]{summary['text_accuracy']:.2f}[/]",
                  f"[bold]{summary['text_temporal_hit']:.2f}[/]", "")
    console.print(table)
    console.print(f"latency per question (cached index, models loaded): p50 {summary['p50_s']:.2f} s, "
                  f"p95 {summary['p95_s']:.2f} s; loading the models once: {load_s:.1f} s")
    misses = [f"{x['id']} ({x['type']}: {x['letter']} vs {x['truth']})" for x in text_rows if not x["correct"]]
    console.print("wrong: " + (", ".join(misses) or "none"))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "items": rows}, indent=2))


if __name__ == "__main__":
    main()
