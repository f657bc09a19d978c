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

_PATTERNS = (
    r"^\s*\(?([A-J])\)?\s*$",                                    # "B", "(B)"
    r"^\s*\(?([A-J])[).:\]]",                                     # "B. text", "(B) text", "B: text"
    r"(?:answer|option|choice)\s*(?:is|would be|:)?\s*[:\-]?\s*\(?\**([A-J])\b",  # "The answer is (B)"
    r"\(([A-J])\)",                                                # "... (B) ..."
    r"\b([A-J])\s*[).:]\s",                                       # "... B) text"
    r"(?:^|\s)([A-J])(?:\s*$|[.,;!])",                            # "..., B." at a word boundary
)


def parse_letter(reply: str | None, letters: str, options: list[str] | None = None) -> str | None:
    """The option letter ``reply`` chooses among ``letters``, or None.

    Tries explicit letter forms first, then (with ``options``) the option whose text the reply
    contains (the longest match wins). Lower-case letters count only in the explicit forms
    ``(b)`` / ``b.`` at the start.
    """
    if not reply:
        return None
    text = reply.strip().replace("*", "")
    for pattern in _PATTERNS:
        for m in re.finditer(pattern, text, flags=re.I if pattern.startswith(r"(?:answer") else 0):
            letter = m.group(1).upper()
            if letter in letters:
                return letter
    m = re.match(r"^\s*\(?([a-j])[).:]", text)
    if m and m.group(1).upper() in letters:
        return m.group(1).upper()
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
