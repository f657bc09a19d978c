"""Which option a model's reply picks, however it is worded.

Example:
    >>> parse_letter("The answer is (B).", "ABCD")
    'B'
    >>> parse_letter("C. Separate chaining", "ABCD")
    'C'
    >>> parse_letter("I think it is a red car", "ABCD", ["A. red car", "B. blue van"])
    'A'
"""

from __future__ import annotations

import re

_WORDS = r"(?i:the\s+)?(?i:(?:correct|right|best|final)\s+)?"
# explicit forms, most telling first; a letter is upper-case unless it stands in parentheses
_PATTERNS = (
    r"^\s*\(?([A-J])\)?\s*[.!]?\s*$",                                             # "B", "(B)", "B."
    rf"{_WORDS}(?i:answer|choice)\s*(?i:is|would be|should be|:)?\s*[:\-]?\s*(?:\(([A-Ja-j])\)|([A-J])\b)",
    r"^\s*(?:\(([A-Ja-j])\)|([A-J])[).:\]])",                                        # "B. text", "(b) text"
    r"(?i:option)\s+(?i:is\s+|would be\s+)?(?:\(([A-Ja-j])\)|([A-J])\b)",             # "option D", "option is C"
    r"\(([A-J])\)",                                                                   # "... (B) ..."
    r"(?:^|\s)([A-J])(?:\s*$|[.,;!)])",                                               # "..., B." alone
)


def _letter(m: re.Match) -> str:
    return next(g for g in m.groups() if g).upper()


def parse_letter(reply: str | None, letters: str, options: list[str] | None = None) -> str | None:
    """The option letter ``reply`` chooses among ``letters``, or None.

    Tries explicit forms first ("The answer is (B)", "B. …", "option D", "(B)"), taking the last
    "answer is" a reply gives (it may discuss other options first); then, with ``options``, the
    option whose text the reply contains (the longest match wins).
    """
    if not reply:
        return None
    text = reply.strip().replace("*", "")
    for k, pattern in enumerate(_PATTERNS):
        found = [_letter(m) for m in re.finditer(pattern, text)]
        found = [f for f in found if f in letters]
        if found:
            return found[-1] if k == 1 else found[0]
    if options:
        lowered = text.lower()
        best = None
        for opt in options:
            m = re.match(r"^\s*([A-J])[.)]\s*(.+)$", opt)
            if not m or m.group(1) not in letters:
                continue
            body = m.group(2).strip().lower()
            if len(body) >= 3 and body in lowered and (best is None or len(body) > best[1]):
                best = (m.group(1), len(body))
        if best:
            return best[0]
    return None
