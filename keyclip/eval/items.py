"""One evaluation question, whatever benchmark it comes from.

Every reader (``keyclip.eval.readers``) turns a benchmark's annotation files into ``EvalItem``s
with the options written ``"A. …"`` and the answer as a letter, so runs and metrics never see a
benchmark's own format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

LETTERS = "ABCDEFGHIJ"


class EvalItem(BaseModel):
    id: str
    """Unique within the benchmark (the benchmark's own question id when it has one)."""
    benchmark: str
    """videomme | mlvu | longvideobench | egoschema | keyclip"""
    video_id: str
    """The benchmark's name for the video (file stem or id)."""
    video: Path | None = None
    """The video file on disk; None when it is missing (the item is reported and skipped)."""
    question: str
    options: list[str] = Field(default_factory=list)
    """``["A. …", "B. …", …]``; empty for an open question."""
    answer: str | None = None
    """The correct letter; None when the benchmark withholds it (EgoSchema's full set)."""
    answer_text: str | None = None
    answer_span: tuple[float, float] | None = None
    """Ground-truth time span (seconds from the start of the file) where the benchmark gives one."""
    evidence_spans: list[tuple[float, float]] = Field(default_factory=list)
    question_type: str = ""
    """The benchmark's task / question type."""
    duration_group: str = ""
    """short | medium | long (Video-MME), LongVideoBench's group in seconds, or keyclip's own."""
    subtitles: Path | None = None
    """A subtitle file for the video, when the benchmark ships one."""
    subtitle_offset: float = 0.0
    """Seconds to add to subtitle times to get file times (LongVideoBench starts subtitles late)."""
    source: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The benchmark's own fields of this question, as read (its submission file is written from them)."""


def letter_options(texts: list[str]) -> list[str]:
    """``["red", "blue"]`` -> ``["A. red", "B. blue"]``."""
    return [f"{LETTERS[i]}. {t.strip()}" for i, t in enumerate(texts)]
