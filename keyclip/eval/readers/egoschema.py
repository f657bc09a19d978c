"""EgoSchema (Mangalam et al. 2023, ``egoschema/EgoSchema``): ~5,000 five-option questions on 3-minute Ego4D clips.

Annotations: ``questions.json``, a list of:

- ``q_uid``: the question id, which is also the video's name (``videos/<q_uid>.mp4``);
- ``question``; ``option 0`` … ``option 4``: the five option texts (with a space before the digit);
- ``google_drive_id``: where the clip can be downloaded (not used here).

The full set's answers are withheld (scored by the authors' server); the public ``subset_answers.json``
maps ``q_uid`` -> the 0-based correct option for the 500-question subset. Questions without a known
answer get ``answer=None``.

Default answer file: ``subset_answers.json`` beside ``questions.json`` when present. Default video
folder: ``videos/`` beside it (where the repository's ``download.py`` saves the clips).
"""

from __future__ import annotations

import json
from pathlib import Path

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


def read(annotations: Path, videos: Path | None = None, answers: Path | None = None,
         problems: list[ItemProblem] | None = None) -> list[EvalItem]:
    """EgoSchema questions of ``annotations`` (``questions.json``), answers from ``answers`` when known;
    items that cannot be read go to ``problems`` (or stop the read when it is None)."""
    here = annotations.parent
    if answers is None and (here / "subset_answers.json").is_file():
        answers = here / "subset_answers.json"
    known = read_answers(answers) if answers is not None else {}
    index = VideoIndex(videos if videos is not None else first_dir(here / "videos", here))

    def convert(n: int, row: dict, uid: str) -> EvalItem:
        texts = [row[f"option {i}"] for i in range(10) if row.get(f"option {i}") is not None]
        if not texts:
            raise InputError(f"{annotations}: item {uid} has no 'option 0' ... 'option 4' fields")
        options = normalize_options(texts, f"{annotations}: item {uid}")
        answer = known.get(uid)
        return make_item(
            annotations,
            uid,
            id=uid,
            benchmark="egoschema",
            video_id=uid,
            video=index.find(uid),
            question=str(field(row, annotations, n, "question")).strip(),
            options=options,
            answer=index_letter(answer, len(options), annotations, uid) if answer is not None else None,
            source=row,
        )

    return each_item(annotations, load_records(annotations, "EgoSchema"),
                     lambda n, row: str(field(row, annotations, n, "q_uid")).strip(), convert, problems)


def read_answers(path: Path) -> dict[str, int | str]:
    """``subset_answers.json``: ``{q_uid: correct option index}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise InputError(f"cannot read EgoSchema answers {path}: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path} is not valid JSON ({e}); expected EgoSchema answers {{q_uid: index}}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected EgoSchema answers as {{q_uid: index}}, got {type(data).__name__}")
    return {str(k): v for k, v in data.items()}
