"""keyclip's own QA files (``qa.jsonl``, e.g. ``shared/eval/dev/qa.jsonl``), one JSON object per line:

- ``id``; ``video``: the video file, relative to the JSONL's folder (or to ``videos`` when given);
- ``question``; ``type``: the question type (``when_said``, ``what_shown_text``, ``count``, …);
- ``options``: ``["A. …", …]``; ``answer``: the correct letter; ``answer_text``: the answer in words;
- ``answer_span``: ``[start, end]``, the ground-truth evidence interval in seconds of the file;
- ``evidence_spans``: ``[[start, end], …]``, each piece of evidence separately;
- optional ``duration_group``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyclip.errors import InputError
from keyclip.eval.items import EvalItem
from keyclip.eval.readers import (
    ItemProblem,
    VideoIndex,
    answer_letter,
    each_item,
    field,
    load_records,
    make_item,
    normalize_options,
)


def read(annotations: Path, videos: Path | None = None, problems: list[ItemProblem] | None = None
         ) -> list[EvalItem]:
    """The questions of a keyclip QA JSONL file (or of ``qa.jsonl`` in the folder ``annotations``);
    items that cannot be read go to ``problems`` (or stop the read when it is None)."""
    if annotations.is_dir():
        annotations = annotations / "qa.jsonl"
    index = VideoIndex(videos if videos is not None else annotations.parent)

    def convert(n: int, row: dict, ident: str) -> EvalItem:
        where = f"{annotations}: item {ident}"
        video_name = str(field(row, annotations, n, "video"))
        options = normalize_options(row.get("options") or [], where)
        return make_item(
            annotations,
            ident,
            id=ident,
            benchmark="keyclip",
            video_id=Path(video_name).stem,
            video=index.find(video_name),
            question=str(field(row, annotations, n, "question")).strip(),
            options=options,
            answer=answer_letter(row.get("answer"), options, annotations, ident) if options else None,
            answer_text=str(row["answer_text"]) if row.get("answer_text") is not None else None,
            answer_span=_span(row.get("answer_span"), where) if row.get("answer_span") is not None else None,
            evidence_spans=_spans(row.get("evidence_spans"), where),
            question_type=str(row.get("type") or ""),
            duration_group=str(row.get("duration_group") or ""),
            source=row,
        )

    return each_item(annotations, load_records(annotations, "keyclip QA"),
                     lambda n, row: str(field(row, annotations, n, "id")), convert, problems)


def _spans(value: Any, where: str) -> list[tuple[float, float]]:
    """``[[start, end], …]``; None / missing is no spans."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: evidence_spans should be a list of [start, end], got {value!r}")
    return [_span(v, where) for v in value]


def _span(value: Any, where: str) -> tuple[float, float]:
    """``[start, end]`` in seconds, start <= end."""
    try:
        start, end = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: a span should be [start, end] in seconds, got {value!r}") from None
    if end < start:
        raise InputError(f"{where}: span {value!r} ends before it starts")
    return start, end
