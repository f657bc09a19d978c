"""MLVU dev set (Zhou et al. 2024, ``JUNJIE99/MLVU``; data on the Hub as ``MLVU/MVLU``).

Layout: ``MLVU/json/<n>_<task>.json`` (``1_plotQA.json``, ``2_needle.json``, ``3_ego.json``,
``4_count.json``, ``5_order.json``, ``6_anomaly_reco.json``, ``7_topic_reasoning.json``, and the
open-ended ``8_sub_scene.json`` / ``9_summary.json``) with the videos in ``MLVU/video/<n>_<task>/``.
Each JSON file is a list of:

- ``video``: the file name inside the task's video folder; ``duration``: its length in seconds;
- ``question``; ``candidates``: the option texts (absent for the open-ended tasks);
- ``answer``: the correct option's TEXT (the reference text for open-ended tasks);
- ``question_type``: ``plotQA`` | ``findNeedle`` | ``ego`` | ``count`` | ``order`` | ``anomaly_reco`` |
  ``topic_reasoning`` | ``subPlot`` | ``summary``; ``scoring_points`` for ``subPlot``.

The official choice benchmark (``choice_bench.py``) letters the candidates in order and finds the
answer's letter by text equality; so does this reader. Open-ended questions become items with no
options and ``answer=None`` (``answer_text`` holds the reference). MLVU gives no question ids: an
item's id is ``<json file stem>/<position in the file>``.

``annotations`` may be the ``json/`` folder (every ``*.json`` in it, in name order) or one file.
Default video folder: ``video/`` beside the ``json/`` folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from keyclip.errors import InputError
from keyclip.eval.items import EvalItem
from keyclip.eval.readers import (
    ItemProblem,
    VideoIndex,
    answer_letter,
    each_item,
    field,
    first_dir,
    load_records,
    make_item,
    normalize_options,
)


def read(annotations: Path, videos: Path | None = None, problems: list[ItemProblem] | None = None
         ) -> list[EvalItem]:
    """MLVU questions of ``annotations`` (the ``json/`` folder or one task file); items that cannot be
    read go to ``problems`` (or stop the read when it is None)."""
    if annotations.is_dir():
        files = sorted(p for p in annotations.glob("*.json") if p.is_file())
        if not files:
            raise InputError(f"no MLVU task files (*.json) in {annotations}")
        root = annotations.parent
    else:
        files = [annotations]
        root = annotations.parent.parent
    index = VideoIndex(videos if videos is not None else first_dir(root / "video", root / "videos"))
    items: list[EvalItem] = []
    for path in files:
        items.extend(_read_file(path, index, problems))
    return items


def _read_file(path: Path, index: VideoIndex, problems: list[ItemProblem] | None) -> list[EvalItem]:
    task = path.stem
    default_type = re.sub(r"^\d+_", "", task)

    def convert(n: int, row: dict, ident: str) -> EvalItem:
        video_name = str(field(row, path, n, "video")).strip()
        candidates = row.get("candidates")
        options = normalize_options(candidates, f"{path}: item {ident}") if candidates is not None else []
        answer = row.get("answer")
        return make_item(
            path,
            ident,
            id=ident,
            benchmark="mlvu",
            video_id=Path(video_name).stem,
            video=index.find(video_name, prefer_folder=task),
            question=str(field(row, path, n, "question")).strip(),
            options=options,
            answer=answer_letter(answer, options, path, ident, by_text=True) if options else None,
            answer_text=str(answer).strip() if answer is not None else None,
            question_type=str(row.get("question_type") or default_type),
            source=row,
        )

    return each_item(path, load_records(path, "MLVU"), lambda n, row: f"{task}/{n}", convert, problems)
