"""What a question asks: its type, its answer options, the times and quoted phrases it names,
and whether answering it needs eyes. Rules first (fast, predictable); the planner may ask the
LLM instead when ``agent.llm_plan`` is set.

Example:
    >>> q = parse_question("When does the lecturer define entropy? A. 0:10-0:20 B. 1:00-1:10")
    >>> q.kind, [o.letter for o in q.options], q.options[1].span
    ('when', ['A', 'B'], (60.0, 70.0))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("when", "what_said", "what_shown", "visual", "count", "order", "who", "why", "summary", "what")

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:\.\d+)?"
_SPAN = re.compile(rf"^\s*({_TIME})\s*[-–—to]+\s*({_TIME})\s*$")
_AT_TIME = re.compile(rf"\b(?:at|around|near|by)\s+({_TIME})\b")
_OPTION_LINE = re.compile(r"^\s*\(?([A-Ha-h])[).:]\s+(.+?)\s*$")
_INLINE_OPTIONS = re.compile(r"(?:^|\s)\(?([A-H])[).:]\s+")
_QUOTED = re.compile(r"(?:(?<=[\s(:])|^)[\"“‘']([^\"“”‘’']{2,80})[\"”’'](?=[\s?.,!;:)]|$)")

_VISUAL = re.compile(
    r"\b(colou?rs?|wearing|wears|dressed|vehicles?|cars?|parked|animals?|weather|sky|looks? like|"
    r"appearance|background|foreground|scenery|landscape|building|furniture|gestures?|facial|"
    r"holding|what (?:is|was) (?:on screen|visible|shown in the (?:clip|footage|picture))|"
    r"what (?:can be seen|do(?:es)? (?:we|you) see)|(?:footage|clip|picture|image|video) (?:of|showing))\b",
    re.I,
)
_TEXTUAL = re.compile(r"\b(slide|title|written|text|caption|says?|said|spoken|mention|words?|bullet)", re.I)


@dataclass(frozen=True)
class Option:
    letter: str
    text: str
    span: tuple[float, float] | None = None
    """When the option is a time range."""


@dataclass(frozen=True)
class Question:
    text: str
    """The question without inline options."""
    kind: str
    options: tuple[Option, ...] = ()
    times: tuple[float, ...] = ()
    """Times the question names ("the slide shown at 1:31")."""
    quoted: tuple[str, ...] = ()
    needs_sight: bool = False
    sub_queries: tuple[str, ...] = field(default=())


def seconds(text: str) -> float:
    """'1:02:03' -> 3723.0; '7:02' -> 422.0."""
    value = 0.0
    for part in text.split(":"):
        value = value * 60 + float(part)
    return value


def parse_options(lines: list[str]) -> tuple[Option, ...]:
    out = []
    for i, raw in enumerate(lines):
        m = _OPTION_LINE.match(raw)
        letter, text = (m.group(1).upper(), m.group(2)) if m else (chr(ord("A") + i), raw.strip())
        span = _SPAN.match(text)
        out.append(Option(letter, text, (seconds(span.group(1)), seconds(span.group(2))) if span else None))
    return tuple(out)


def split_inline_options(question: str) -> tuple[str, list[str]]:
    """'Which? A. x B. y' or a question with one option per line -> ('Which?', ['A. x', 'B. y'])."""
    lines = [x for x in question.splitlines() if x.strip()]
    if len(lines) > 2 and all(_OPTION_LINE.match(x) for x in lines[1:]):
        return lines[0].strip(), [x.strip() for x in lines[1:]]
    marks = list(_INLINE_OPTIONS.finditer(question))
    letters = [m.group(1) for m in marks]
    if len(marks) >= 2 and letters == [chr(ord("A") + i) for i in range(len(marks))]:
        head = question[: marks[0].start()].strip()
        bounds = [m.start() for m in marks] + [len(question)]
        return head, [question[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return question.strip(), []


def classify(text: str, options: tuple[Option, ...]) -> str:
    t = text.lower().strip()
    if re.match(r"^(when|at what (time|point)|what time|how long into)\b", t) or (
        options and all(o.span for o in options)):
        return "when"
    if re.match(r"^(how often|count)\b", t) or re.search(r"\bhow many\b", t) or "number of" in t:
        return "count"
    if re.match(r"^(which|in (which|what)|what)", t) and (
            re.search(r"\b(order|sequence)\b", t)
            or (re.search(r"\b(first|before|after|earlier|later)\b", t) and re.search(r"\bor\b", t))):
        return "order"  # comparing items ("which comes first: X or Y?"), not "the first point on the slide"
    if re.search(r"\b(summari[sz]e|summary|overview|main (points|topics|ideas)|key points|"
                 r"what (is|are) (this|the) (video|lecture|recording|talk|clip|presentation|film|session)s? about)\b", t):
        return "summary"
    if _VISUAL.search(t) and not _TEXTUAL.search(t):
        return "visual"
    if re.search(r"\b(slide|on screen|title|written|displayed|caption|listed)\b", t):
        return "what_shown"
    if re.search(r"\b(say|says|said|mention|mentions|explain|explains|describe|according to|spoken|tell|claims?)\b", t):
        return "what_said"
    if t.startswith("who"):
        return "who"
    if t.startswith("why"):
        return "why"
    return "what"


def quoted_phrases(text: str) -> tuple[str, ...]:
    """Phrases in quotes ("the slide titled 'Load Factor'"), not apostrophes ("Java's")."""
    return tuple(m.group(1).strip() for m in _QUOTED.finditer(text))


def parse_question(question: str, options: list[str] | None = None) -> Question:
    """Everything the rules can tell about ``question`` (with ``options``, or options written in it)."""
    text, inline = split_inline_options(question)
    opts = parse_options(list(options) if options else inline)
    kind = classify(text, opts)
    times = tuple(seconds(m.group(1)) for m in _AT_TIME.finditer(text))
    quoted = quoted_phrases(text)
    needs_sight = kind == "visual"
    return Question(text, kind, opts, times, quoted, needs_sight)
