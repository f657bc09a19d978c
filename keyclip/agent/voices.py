"""The voices layer read for questions: how many different voices speak.

Voice ids come from the index's ``voices`` stage (voice prints of the sentences said, grouped);
turns too short to tell carry none. "The lecturer" is the voice that speaks longest.

Example:
    >>> voice_count(Evidence(store), "How many different voices are heard?").count   # doctest: +SKIP
    3
"""

from __future__ import annotations

import re
from collections import Counter

from keyclip.agent.counts import Count
from keyclip.agent.evidence import Evidence
from keyclip.console import clock
from keyclip.index.store import Record

_EXCEPT_MAIN = re.compile(r"\b(apart from|besides|other than|excluding|except(?: for)?|not counting|aside from)\s+"
                          r"(?:the\s+)?(lecturer|narrator|presenter|main speaker|speaker|teacher|professor)\b", re.I)


def voices_layer(ev: Evidence) -> tuple[list[tuple[float, float, int | None]], str]:
    """``(voice turns, "")`` or ``([], why there is no voices layer)``."""
    stage = ev.store.stages().get("voices")
    if stage is None:
        return [], "this index has no voices layer (index it again to add one)"
    if stage["info"].get("skipped"):
        return [], f"the voices were not told apart ({stage['info']['skipped']})"
    return ev.store.voices(), ""


def voice_count(ev: Evidence, question: str) -> Count:
    rows, why = voices_layer(ev)
    if why:
        return Count(None, [], "no voices layer", unsupported=f"counting voices needs the speakers told apart: {why}")
    talk: Counter = Counter()
    first: dict[int, tuple[float, float]] = {}
    for t0, t1, v in rows:
        if v is None:
            continue
        talk[v] += t1 - t0
        first.setdefault(v, (t0, t1))
    if not talk:
        return Count(None, [], "no voices layer", unsupported="no sentence was long enough to tell its voice")
    info = ev.store.stages()["voices"]["info"]
    unsure = [("sound close to two voices", span) for span in info.get("ambiguous") or []]
    unsure += [(f"sound like none of the {len(talk)} voices and are too short to tell whether they are "
                "another", span) for span in info.get("unmatched") or []]
    if unsure:
        what, (a, b) = unsure[0]
        return Count(None, [Record(-1, "speech", a, b, "a sentence whose voice is not certain")], "voices layer",
                          unsupported=(f"{len(unsure)} sentence(s) {what} (the first at {clock(a)}-{clock(b)}), so "
                                       "the number of different voices is not certain"))
    voices = sorted(first, key=lambda v: first[v][0])
    method = "distinct voices among the speech (voice prints of each segment, grouped)"
    if _EXCEPT_MAIN.search(question):
        main = talk.most_common(1)[0][0]
        voices = [v for v in voices if v != main]
        method += ", without the voice that speaks longest"
    speech = [r for r in ev.records if r.kind == "speech"]
    cited = [next((r for r in speech if r.t0 - 0.05 <= first[v][0] < r.t1), None)
             or Record(-1 - v, "speech", *first[v], f"voice {v + 1}") for v in voices]
    return Count(len(voices), cited, method)
