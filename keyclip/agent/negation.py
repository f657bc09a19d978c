"""Does the evidence deny what an option says? A speaker who says "a vaccine does not contain
the live disease" shares every content word with the option "it contains the live disease";
word overlap alone picks the denied claim. Here the evidence is split into clauses, the clause
that holds the option is found, and a negation in that clause (and not in the option) counts
against it. What follows "rather than" / "instead of" is denied too.

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
_CLAUSE_BREAK = re.compile(r"[.;:!?]+\s*|,\s*(?=(?:but|while|whereas|yet|so|and|it|they|this|that|which)\b)|"
                           r"\s+(?=(?:but|however|whereas|instead|rather)\b)", re.I)
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
    if not parts:
        return False
    scored = [(match(option, text), negated) for text, negated in parts]
    best = max(s for s, _ in scored)
    if best < MIN_MATCH:
        return False
    # the clause that holds the option best decides; a tie with an asserted clause is not a denial
    return all(negated for s, negated in scored if s >= best - 1e-9)
