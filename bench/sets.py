"""The evaluation lectures the benchmarks run on: ``../shared/eval/dev`` (when present) and every
set built under ``devsets/out/`` (``bash devsets/build.sh NAME``), each a folder holding
``ground_truth.json`` beside its video."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev"


def lecture_sets() -> list[tuple[str, Path]]:
    """``(name, folder)`` of every set with a ground truth: ``dev`` first, then the built sets by name."""
    sets = [("dev", DEV)] if (DEV / "ground_truth.json").is_file() else []
    return sets + [(folder.name, folder) for folder in sorted((ROOT / "devsets" / "out").glob("*"))
                   if (folder / "ground_truth.json").is_file()]
