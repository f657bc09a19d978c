"""Sub-queries for relevance scoring: the question itself plus each answer option that names
something to look for (QuoTA-style option-aware scoring). Options that are only times
("5:59-6:07") or numbers are dropped: they name nothing the index could match.

The agent (its plan node) may replace this with an LLM decomposition; this is the rule-based
form it falls back to.

Example:
    >>> sub_queries("Which comes first?", ["A. separate chaining", "B. 1:05-1:12", "C. 3"])
    ['Which comes first?', 'separate chaining']
"""

from __future__ import annotations

import re

_LETTER = re.compile(r"^\s*\(?[A-Ha-h][).:]\s+")
_ONLY_TIMES_OR_NUMBERS = re.compile(r"^[\s\d:.\-–,]+$")


def option_text(option: str) -> str:
    """'B. open addressing' -> 'open addressing'."""
    return _LETTER.sub("", option).strip()


def sub_queries(question: str, options: list[str] | None = None) -> list[str]:
    out = [question.strip()]
    for option in options or []:
        text = option_text(option)
        if text and not _ONLY_TIMES_OR_NUMBERS.match(text) and text not in out:
            out.append(text)
    return out
