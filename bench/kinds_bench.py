"""Scene-kinds bench: the index's scene kinds against each lecture set's segment kinds.

    python bench/kinds_bench.py [--json]

For every set found (``../shared/eval/dev`` and ``devsets/out/*``) the video is indexed with the
defaults (cached); each ground-truth segment is right when the scene covering its middle has a
kind that segment kind can be (a slide is a ``slide``; footage is ``footage`` or ``talking
head``; a still image with a needle is a ``still image``). Per set: segments right, and every
miss with the measures the kind was told from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import lecture_sets  # noqa: E402
from keyclip.index.build import build_index  # noqa: E402
from keyclip.index.store import IndexStore  # noqa: E402
from keyclip.settings import Settings  # noqa: E402

MAY_BE = {"slide": {"slide"}, "footage": {"footage", "talking head"}, "needle": {"still image"}}


def run_set(folder: Path, s: Settings) -> dict:
    gt = json.loads((folder / "ground_truth.json").read_text())
    store = IndexStore.open(build_index(folder / gt["video"], s).index_path, readonly=True)
    rows = store.scene_rows()
    store.close()
    misses, kinds = [], {}
    for seg in gt["segments"]:
        mid = (seg["start"] + seg["end"]) / 2
        row = next((r for r in rows if r.t0 <= mid < r.t1), None)
        kind = row.kind if row else None
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind not in MAY_BE[seg["kind"]]:
            misses.append({"segment": seg["id"], "truth": seg["kind"], "kind": kind,
                           "why": (row.features.get("why") if row else "no scene")})
    return {"set": folder.name, "segments": len(gt["segments"]), "right": len(gt["segments"]) - len(misses),
            "kinds": kinds, "misses": misses}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [run_set(folder, Settings()) for _, folder in lecture_sets()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("| set | segments right | kinds found | misses |")
    print("|---|---|---|---|")
    for r in rows:
        misses = "; ".join(f"{m['segment']} ({m['truth']}) as {m['kind']}: {m['why']}" for m in r["misses"]) or "-"
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r["kinds"].items(), key=lambda kv: -kv[1]))
        print(f"| {r['set']} | {r['right']}/{r['segments']} ({r['right'] / r['segments']:.0%}) | {kinds} | {misses} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
