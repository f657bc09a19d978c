"""LongVideoBench (Wu et al. 2024, ``longvideobench/LongVideoBench``): 6,678 referring-reasoning questions.

Annotations: ``lvb_val.json`` / ``lvb_test_wo_gt.json`` (or the Hub's ``validation-*.parquet``), a list of:

- ``id``: the question id; ``video_id``; ``video_path``: the file under ``videos/``;
- ``question``; ``candidates``: the option texts (the parquet has ``option0`` … ``option4`` instead,
  ``"N/A"`` for an unused slot); ``correct_choice``: the 0-based correct index (absent in the test set);
- ``duration_group``: the length bucket in seconds (15, 60, 600, 3600); ``duration``: the clip's length;
- ``question_category`` (e.g. ``SSS``, ``T3O``) and ``topic_category``;
- ``subtitle_path``: the file under ``subtitles/``; ``starting_timestamp_for_subtitles``: see below.

Subtitle times: each clip is cut from a longer source video and its subtitle JSON keeps the source's
times. The official loader (``longvideobench_dataset.py``, ``insert_subtitles_into_frames``) does
``start -= starting_timestamp_for_subtitles`` before comparing with frame times, i.e.
file time = subtitle time - starting_timestamp_for_subtitles. So ``subtitle_offset`` (seconds to ADD
to subtitle times) is ``-starting_timestamp_for_subtitles``.

Default folders: ``videos/`` and ``subtitles/`` beside the annotation file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from keyclip.errors import InputError
from keyclip.eval.items import EvalItem
from keyclip.eval.readers import (
    ItemProblem,
    VideoIndex,
    each_item,
    field,
    first_dir,
    index_letter,
    load_records,
    make_item,
    normalize_options,
)


def read(annotations: Path, videos: Path | None = None, subtitles: Path | None = None,
         problems: list[ItemProblem] | None = None) -> list[EvalItem]:
    """LongVideoBench questions of ``annotations`` (JSON, JSONL or parquet); items that cannot be read
    go to ``problems`` (or stop the read when it is None). An item keeps as many options as it has
    (a few have 3): they are never padded."""
    here = annotations.parent
    index = VideoIndex(videos if videos is not None else first_dir(here / "videos", here))
    subs_dir = subtitles if subtitles is not None else first_dir(here / "subtitles")

    def convert(n: int, row: dict, ident: str) -> EvalItem:
        where = f"{annotations}: item {ident}"
        if row.get("candidates") is not None:
            texts = row["candidates"]
        else:
            texts = [row[f"option{i}"] for i in range(10) if row.get(f"option{i}") not in (None, "N/A")]
        options = normalize_options(texts, where)
        choice = row.get("correct_choice")
        answer = None if _missing(choice) or choice == -1 else index_letter(choice, len(options), annotations, ident)
        sub_name = str(row.get("subtitle_path") or "")
        sub_file = subs_dir / sub_name if subs_dir is not None and sub_name else None
        start = _seconds(row.get("starting_timestamp_for_subtitles"), f"{where}: starting_timestamp_for_subtitles")
        group = row.get("duration_group")
        group = "" if _missing(group) else f"{group:g}" if isinstance(group, int | float) else str(group)
        return make_item(
            annotations,
            ident,
            id=ident,
            benchmark="longvideobench",
            video_id=str(field(row, annotations, n, "video_id")),
            video=index.find(str(row.get("video_path") or row["video_id"])),
            question=str(field(row, annotations, n, "question")).strip(),
            options=options,
            answer=answer,
            question_type=str(row.get("question_category") or ""),
            duration_group=group,
            subtitles=sub_file if sub_file is not None and sub_file.is_file() else None,
            subtitle_offset=-start if start else 0.0,
            source=row,
        )

    return each_item(annotations, load_records(annotations, "LongVideoBench"),
                     lambda n, row: str(field(row, annotations, n, "id")), convert, problems)


def _missing(value: Any) -> bool:
    """None or NaN (a null cell of a parquet number column)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _seconds(value: Any, where: str) -> float:
    """A number of seconds (0 when missing); InputError if it is not a number."""
    if _missing(value) or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where} should be seconds, got {value!r}") from None
