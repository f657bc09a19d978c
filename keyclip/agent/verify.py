"""Is an LLM's open answer carried by the evidence it was given? If not, the extractive answer
stands.

Small LLMs fail in recognisable ways: they ramble in words the video never said, repeat one
sentence until they run out of tokens, copy the prompt's evidence block back (its
``[H:MM:SS-H:MM:SS kind]`` lines, shuffled, with times that no longer belong to their text), or
state times that no cited record covers. Each is checked here; an answer passes only if it fails
none.

Example:
    >>> check_open_answer("At 0:00:12 the speaker says two keys can share a bucket.",
    ...                   [{"t0": 10.0, "t1": 22.0, "text": "two keys can share one bucket"}]).ok
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keyclip.agent.evidence import grounded_share
from keyclip.console import clock

MIN_GROUNDED = 0.6
"""Share of the answer's content words that must occur in the evidence."""
TIME_SLACK_S = 2.0
"""A stated time counts as cited if it lies within this of a record's span."""

_EVIDENCE_LINE = re.compile(r"\[\s*\d{1,2}:\d{2}(?::\d{2})?\s*-\s*\d{1,2}:\d{2}(?::\d{2})?[^\]]*\]")
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_ECHO_MARKERS = ("video_text_", "untrusted data from the video", "evidence from the video")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    why: str
    """Why the answer was refused ("" when it passed)."""


def stated_times(text: str) -> list[float]:
    """Clock times written in ``text`` (``M:SS`` or ``H:MM:SS``), in seconds."""
    out = []
    for a, b, c in _CLOCK.findall(text):
        out.append(int(a) * 3600 + int(b) * 60 + int(c) if c else int(a) * 60 + int(b))
    return out


def _repeats_a_sentence(text: str) -> bool:
    sentences = [re.sub(r"\W+", " ", x).strip().lower() for x in re.split(r"[.!?;\n]+", text)]
    sentences = [x for x in sentences if len(x.split()) >= 3]
    return len(sentences) != len(set(sentences))


def check_open_answer(text: str, evidence: list[dict], cut_off: bool = False) -> Verdict:
    """Whether ``text`` (an LLM's answer) rests on ``evidence`` (records with t0, t1, text).
    ``cut_off``: the reply stopped at its token limit (asked for one or two sentences, a model
    that is still talking there is rambling)."""
    answer = text.strip()
    if not answer:
        return Verdict(False, "the LLM's answer was empty")
    if cut_off or _repeats_a_sentence(answer):
        return Verdict(False, "the LLM rambled (it repeated itself or ran past its token limit)")
    lowered = answer.lower()
    if _EVIDENCE_LINE.search(answer) or lowered.startswith("evidence") or any(m in lowered for m in _ECHO_MARKERS):
        return Verdict(False, "the LLM copied the evidence block back instead of answering")
    share = grounded_share(answer, [e["text"] for e in evidence])
    if share < MIN_GROUNDED:
        return Verdict(False, f"the LLM's answer was not grounded in the evidence: {share:.0%} of its words")
    for t in stated_times(answer):
        if not any(e["t0"] - TIME_SLACK_S <= t <= e["t1"] + TIME_SLACK_S for e in evidence):
            return Verdict(False, f"the LLM's answer states a time ({clock(t)}) that no evidence covers")
    return Verdict(True, "")


def supporting(question: str, records: list[dict], match) -> list[dict]:
    """The ``records`` that share content with ``question`` (``match(question, text) > 0``):
    ranked next to the answer is not enough to be cited beside it (on a short video every record
    is near the top, "2 frisbee" included)."""
    return [r for r in records if match(question, r["text"]) > 0]
