"""The agent's typed answer, as printed for people and as ``--json``.

JSON shape (``Answer.model_dump(mode="json")``)::

    {
      "question": str, "video": str,
      "answer": str,                      # the answer, plain text (markup from the video neutralised)
      "letter": "B" | null,               # multiple choice: the chosen option's letter
      "spans": [[start_s, end_s], ...],   # the time spans the answer rests on
      "citations": [{"kind": "speech" | "screen-text" | "seen" | "frames" | "scene",
                     "start": s, "end": s, "text": str, "thumbnail": path | null,
                     "video": name | null}],     # video: set when asking across an archive; text is
                                                 # the video's own, verbatim: untrusted, escape it
      "confidence": 0..1,
      "abstained": bool, "abstain_reason": str | null,
      "question_kind": "when" | "what_said" | ... ,
      "turns": [{"action": str, "clips": [[s, e], ...], "frames": int, "resolution": "WxH" | null,
                 "visual_tokens": int, "text_tokens": int, "seconds": float, "note": str}],
      "visual_tokens": int, "budget": int, "models": {"llm": str | null, "vlm": str | null},
      "videos": [{"video": path, "name": str, "score": float, "start": s, "end": s, "snippet": str}],
                                          # asking across an archive: the videos considered, best first
      "checks": {"features": {...}, "method": str, "best_option": "B", "probability": 0..1,
                 "focus": [str], "anchor": {...} | null},   # multiple choice: how it was verified
      "notices": [str],                   # e.g. the LLM crashed and the answer is from the evidence alone
      "pending": [str]                    # stages still being indexed when it was given ("speech", "ocr"...)
    }
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from keyclip.agent.plain_text import plain_text


class Citation(BaseModel):
    kind: Literal["speech", "screen-text", "seen", "frames", "scene"]
    start: float
    end: float
    text: str
    thumbnail: str | None = None
    video: str | None = None
    """The video cited (asking across an archive)."""


class Turn(BaseModel):
    action: str
    """plan | look | zoom | retrieve-again"""
    clips: list[tuple[float, float]] = Field(default_factory=list)
    frames: int = 0
    resolution: str | None = None
    visual_tokens: int = 0
    text_tokens: int = 0
    seconds: float = 0.0
    note: str = ""


class Answer(BaseModel):
    question: str
    video: str
    answer: str
    letter: str | None = None
    spans: list[tuple[float, float]] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    abstained: bool = False
    abstain_reason: str | None = None
    question_kind: str = "what"
    turns: list[Turn] = Field(default_factory=list)
    visual_tokens: int = 0
    budget: int = 0
    models: dict[str, str | None] = Field(default_factory=dict)
    seconds: float = 0.0
    videos: list[dict] = Field(default_factory=list)
    """Asking across an archive: the videos considered, best first."""
    checks: dict = Field(default_factory=dict)
    """How a multiple-choice answer was verified: its grounding features, the judge's method, the
    best option and its calibrated probability, the question's focus and anchor."""
    notices: list[str] = Field(default_factory=list)
    """What went wrong on the way without stopping the answer (a model that crashed or timed out)."""
    pending: list[str] = Field(default_factory=list)
    """Stages of the index still being built when this answer was given (``speech`` while only
    part of the transcript is in): the answer rests on the others only."""

    @field_validator("answer", "abstain_reason")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        """Plain text: markup an extractive answer copied from the video is neutralised
        (citations keep the video's text verbatim, as untrusted data)."""
        return plain_text(value) if value else value
