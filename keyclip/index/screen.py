"""What was on screen, structured: screen-text lines grouped into the blocks they appear and
vanish with (a slide, a caption, a page), and the lines that are boilerplate (a footer, a logo).

Example:
    >>> groups = screen_groups(store.ocr_spans())          # doctest: +SKIP
    >>> boilerplate(groups)                                 # doctest: +SKIP
    {'cs 201 data structures lecture 7'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


class Timed(Protocol):
    t0: float
    t1: float
    text: str


Span = tuple[float, float]


def span_key(item: Timed) -> Span:
    """Lines of one block share their span (to 0.1 s): they appear and vanish together."""
    return (round(item.t0, 1), round(item.t1, 1))


def screen_groups(lines: Iterable[Timed]) -> dict[Span, list]:
    """Screen-text lines grouped by the span they share, in the order given."""
    groups: dict[Span, list] = {}
    for line in lines:
        groups.setdefault(span_key(line), []).append(line)
    return groups


def _height(item) -> float | None:
    box = getattr(item, "box", None)
    if not box or None in box:
        return None
    return box[3] - box[1]


def boilerplate(groups: dict[Span, list], min_contexts: int = 3) -> set[str]:
    """Normalised lines that stay on while different content comes and goes (footers, logos).
    A slide shown again (or a whole lecture repeated) brings the same lines with the same
    neighbours: one context, so it makes nothing boilerplate. When lines carry boxes, a slide's
    title (its largest line) repeated over several slides ("Hash Tables", "Hash Tables (2)") is
    not boilerplate either: only text that outlasts a change of content, or small text repeated
    beside different content, is."""
    texts = {span: {normalise(x.text) for x in lines} for span, lines in groups.items()}
    titles: dict[Span, set[str]] = {}
    for span, lines in groups.items():
        heights = [h for h in (_height(x) for x in lines) if h is not None]
        if heights and len(lines) > 1:
            titles[span] = {normalise(x.text) for x in lines if (_height(x) or 0.0) >= 0.85 * max(heights)}
    contexts: dict[str, set[frozenset[str]]] = {}
    for (a, b), lines in texts.items():
        # content that came and went while these lines stayed; if nothing inside vanished before
        # them, what appeared inside was revealed on the same slide (bullets one by one)
        inside = [((c, d), others) for (c, d), others in texts.items() if a <= c and d <= b and (c, d) != (a, b)]
        changed = any(d < b - 0.5 for (_, d), _ in inside)
        within = [rest for _, others in inside for rest in [others - lines] if rest] if changed else []
        for line in lines:
            found = contexts.setdefault(line, set())
            if lines - {line} and line not in titles.get((a, b), ()):
                found.add(frozenset(lines - {line}))
            found.update(frozenset(x) for x in within)
    return {line for line, c in contexts.items() if len(c) >= min_contexts}


def spans_inside(span: Span, spans: Iterable[Span]) -> int:
    """How many other spans lie inside ``span`` (a block over several slides is a footer)."""
    return sum(1 for s in spans if s != span and span[0] <= s[0] and s[1] <= span[1])
