"""Does the evidence deny what an option says? A speaker who says "a vaccine does not contain
the live disease" shares every content word with the option "it contains the live disease";
word overlap alone picks the denied claim. Here the evidence is split into clauses, the clause
that holds the option is found, and a negation in that clause (and not in the option) counts
against it; an option spread over several negated clauses is denied too. What follows "rather
than" / "instead of" is denied.

Example:
    >>> from keyclip.agent.negation import denies
    >>> overlap = lambda a, b: len(set(a.lower().split()) & set(b.lower().split())) / len(a.split())
    >>> denies("a fridge creates cold", "A fridge does not create cold, it moves heat out.", overlap)
    True
    >>> denies("it moves heat out", "A fridge does not create cold, it moves heat out.", overlap)
    False
"""

from __future__ import annotations

import re
from collections.abc import Callable

NEGATION = re.compile(
    r"\b(?:not|never|no|nor|neither|no longer|cannot|without|myth|misconception)\b|n't\b", re.I)
"""A negation cue inside a clause."""
_DENIED_TAIL = re.compile(r"\b(?:rather than|instead of|as opposed to|contrary to)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[.;:!?,]+\s*|\s+(?=(?:but|however|whereas|instead|rather|yet)\b)", re.I)
"""A negation's scope runs to the next punctuation mark or contrast word (the usual heuristic;
speech recognition punctuates clauses, not lists)."""
MIN_MATCH = 0.5
"""The option must be mostly inside one clause for that clause's polarity to decide."""


def clauses(text: str) -> list[tuple[str, bool]]:
    """``text`` split into clauses, each with whether it is negated."""
    out: list[tuple[str, bool]] = []
    for part in _CLAUSE_BREAK.split(text):
        part = part.strip(" ,")
        if not part:
            continue
        m = _DENIED_TAIL.search(part)
        if m:  # "moves heat rather than creating cold": the tail is denied, the head asserted
            head, tail = part[: m.start()].strip(" ,"), part[m.end():].strip(" ,")
            if head:
                out.append((head, bool(NEGATION.search(head))))
            if tail:
                out.append((tail, True))
            continue
        out.append((part, bool(NEGATION.search(part))))
    return out


def denies(option: str, evidence: str, match: Callable[[str, str], float]) -> bool:
    """True when the clause of ``evidence`` that holds most of ``option`` negates it (and the
    option itself is not phrased as a negation). ``match(phrase, text)`` in [0, 1]."""
    if NEGATION.search(option):
        return False
    parts = clauses(evidence)
    denied = " ".join(text for text, negated in parts if negated)
    if not denied:
        return False
    asserted = " ".join(text for text, negated in parts if not negated)
    # the negated clauses together hold the option ("does not create cold, and there is no cold
    # substance pumped in"), better than what the evidence asserts
    held = match(option, denied)
    return held >= MIN_MATCH and held > (match(option, asserted) if asserted else 0.0) + 1e-9
