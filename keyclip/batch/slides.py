"""Distinct slides (on-screen text blocks) of one indexed video, with the spans they were shown.

A slide is the set of screen-text lines that appear and vanish together, boilerplate (footers,
logos, page numbers) left out; the same slide shown again is one slide with two spans. Its title
is its line in the largest type (the topmost among equals).

Example:
    >>> slides = distinct_slides(store.ocr_spans())        # doctest: +SKIP
    >>> slides[0].title, slides[0].spans                    # doctest: +SKIP
    ('How Hash Tables Work', [(0.0, 25.3)])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from keyclip.index.screen import boilerplate, normalise, screen_groups
from keyclip.tools.ocr import OCRSpan

_PAGE_NUMBER = re.compile(r"^\s*\d+\s*(/|of)\s*\d+\s*$", re.I)


@dataclass
class Slide:
    title: str
    lines: list[str]
    spans: list[tuple[float, float]] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.spans[0][0]

    def to_dict(self) -> dict:
        return {"title": self.title, "lines": self.lines, "start": round(self.start, 3),
                "end": round(self.spans[0][1], 3),
                "shown": [[round(a, 3), round(b, 3)] for a, b in self.spans]}


def _title(lines: list[OCRSpan]) -> OCRSpan:
    def height(x: OCRSpan) -> float:
        return (x.box[3] - x.box[1]) if x.box and None not in x.box else 0.0

    tallest = max(height(x) for x in lines)
    big = [x for x in lines if height(x) >= 0.85 * tallest]
    return min(big, key=lambda x: x.box[1] if x.box and x.box[1] is not None else 0.0)


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a or b) and len(a & b) / max(1, len(a | b)) >= 0.6


def distinct_slides(spans: list[OCRSpan], min_seconds: float = 1.0) -> list[Slide]:
    """Slides in order of first appearance. Blocks on screen for less than ``min_seconds`` or
    with fewer than four letters (OCR noise in footage) are left out. Lines revealed one after
    another (bullets appearing while the title stays) join the block they vanish with; a block
    that holds two or more others, one of which vanishes before it (a footer), is not a slide."""
    groups = screen_groups(spans)
    keys = sorted(groups, key=lambda k: (k[0], -k[1]))
    skip = boilerplate(groups)
    slides: list[Slide] = []
    words: list[set[str]] = []
    consumed: set = set()
    for key in keys:
        if key in consumed:
            continue
        nested = [k for k in keys if k != key and key[0] <= k[0] and k[1] <= key[1] and k not in consumed]
        revealed = [k for k in nested if abs(k[1] - key[1]) <= 0.5]  # vanish together with this block
        if (len(nested) >= 2 and len(revealed) < len(nested)) or key[1] - key[0] < min_seconds:
            continue  # it outlasts a change of content: a footer, not a slide
        if len(revealed) < len(nested):
            revealed = []
        consumed.update(revealed)
        members = [x for k in (key, *revealed) for x in groups[k]]
        lines = [x for x in members
                 if normalise(x.text) and normalise(x.text) not in skip and not _PAGE_NUMBER.match(x.text)]
        if sum(ch.isalpha() for x in lines for ch in x.text) < 4:  # "A", "SY": OCR noise in footage
            continue
        mine = {normalise(x.text) for x in lines}
        same = next((i for i, w in enumerate(words) if _similar(mine, w)), None)
        if same is not None:
            slides[same].spans.append((key[0], key[1]))
            continue
        title = _title(lines)
        ordered = sorted(lines, key=lambda x: (x.box[1] if x.box and x.box[1] is not None else 0.0))
        slides.append(Slide(title.text.strip(), [x.text.strip() for x in ordered], [(key[0], key[1])]))
        words.append(mine)
    return slides
