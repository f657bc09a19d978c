"""Video-MME (Fu et al. 2024): 900 YouTube videos, 2,700 four-option questions.

Annotations, as published on the Hub (``lmms-lab/Video-MME``, ``videomme/test-00000-of-00001.parquet``;
the same rows as JSON / JSONL also work), one row per question:

- ``video_id``: the benchmark's video number (``"001"``); ``videoID``: the YouTube id, which is the
  file stem of ``data/<videoID>.mp4`` and of ``subtitle/<videoID>.srt``;
- ``duration``: ``short`` | ``medium`` | ``long``; ``domain`` / ``sub_category``: the video's category;
- ``question_id`` (``"001-1"``), ``task_type`` (e.g. ``Counting Problem``), ``question``;
- ``options``: already lettered, ``["A. …", "B. …", "C. …", "D. …"]`` (a numpy array from parquet);
- ``answer``: the letter.

The Video-MME repository's own result format (``evaluation/output_test_template.json``) groups the
questions per video (``video_id``, ``duration_category``, ``video_category``, ``video_subcategory``,
``questions[]`` with ``question_id``, ``task_type``, ``question``, ``choices``, ``answer``); it is
read too (it has no ``videoID``, so its videos are looked up by ``video_id``).

Default folders: ``data/`` and ``subtitle/`` beside the annotation file or beside its folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def read(annotations: Path, videos: Path | None = None, subtitles: Path | None = None,
         problems: list[ItemProblem] | None = None) -> list[EvalItem]:
    """Video-MME questions of ``annotations`` (parquet, JSON or JSONL); items that cannot be read go
    to ``problems`` (or stop the read when it is None)."""
    rows = _flatten(load_records(annotations, "Video-MME"))
    here, up = annotations.parent, annotations.parent.parent
    index = VideoIndex(videos if videos is not None else first_dir(here / "data", up / "data", here / "videos"))
    subs_dir = subtitles if subtitles is not None else first_dir(here / "subtitle", up / "subtitle")

    def convert(n: int, row: dict, qid: str) -> EvalItem:
        stem = str(field(row, annotations, n, "videoID", "video_id", "video")).strip()
        options = normalize_options(field(row, annotations, n, "options", "choices"), f"{annotations}: item {qid}")
        srt_file = subs_dir / f"{stem}.srt" if subs_dir is not None else None
        return make_item(
            annotations,
            qid,
            id=qid,
            benchmark="videomme",
            video_id=stem,
            video=index.find(stem),
            question=str(field(row, annotations, n, "question")).strip(),
            options=options,
            answer=answer_letter(row.get("answer"), options, annotations, qid),
            question_type=str(row.get("task_type") or ""),
            duration_group=str(row.get("duration") or row.get("duration_category") or ""),
            subtitles=srt_file if srt_file is not None and srt_file.is_file() else None,
            source=row,
        )

    return each_item(annotations, rows, lambda n, row: str(field(row, annotations, n, "question_id", "id")),
                     convert, problems)


def _flatten(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-question rows; the repository's per-video objects (with ``questions[]``) are expanded."""
    flat = []
    for row in rows:
        if isinstance(row.get("questions"), list) and "question" not in row:
            video = {k: v for k, v in row.items() if k != "questions"}
            video.setdefault("duration", row.get("duration_category"))
            for q in row["questions"]:
                if isinstance(q, dict):
                    flat.append({**video, **q})
        else:
            flat.append(row)
    return flat
