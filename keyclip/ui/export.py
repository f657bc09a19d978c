"""A chat's conversation as a file to keep: Markdown with times (each question, its answer, the
spans and the evidence) or JSON (each answer as ``app.py ask --json`` gives it).

Example:
    >>> conversation_markdown("lecture.mp4", 750.0, [("When is entropy defined?", answer)])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from keyclip.agent.result import Answer
from keyclip.ui.render import KIND_LABELS, for_people, page_clock

_MARKUP = re.compile(r"([\\`*_\[\]<>!#|])")


def _text(text: str) -> str:
    """Text from the video as Markdown text: its markup characters escaped, so a viewer shows
    them instead of making links or images of them."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _span(a: float, b: float, duration: float | None) -> str:
    return f"{page_clock(a, duration)}–{page_clock(b, duration)}"


def conversation_markdown(video: str, duration: float | None, turns: list[tuple[str, Answer]]) -> str:
    out = [f"# Questions about {_text(video)}", ""]
    for question, answer in turns:
        out += [f"## {_text(question)}", ""]
        if answer.abstained:
            out.append("*No answer from this video.*")
        out += [_text(for_people(answer.answer) if answer.abstained else answer.answer), ""]
        if answer.spans:
            out += ["Spans: " + ", ".join(_span(a, b, duration) for a, b in answer.spans), ""]
        for c in answer.citations:
            label = KIND_LABELS.get(c.kind, c.kind)
            out.append(f"- {_span(c.start, c.end, duration)} ({label}): {_text(c.text)}")
        if answer.citations:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def conversation_json(video: str, duration: float | None, turns: list[tuple[str, Answer]]) -> str:
    """Every answer in full, without the server's paths (the video by its name, no thumbnail
    files)."""
    out = []
    for question, answer in turns:
        dump = answer.model_dump(mode="json")
        dump["video"] = video
        for c in dump.get("citations", []):
            c.pop("thumbnail", None)
            if c.get("video"):
                c["video"] = Path(c["video"]).name
        out.append({"question": question, "answer": dump})
    return json.dumps({"video": video, "duration": duration, "turns": out}, indent=2, ensure_ascii=False)
