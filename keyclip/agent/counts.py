"""What a *how many* question counts, as the index can count it."""

from __future__ import annotations

from dataclasses import dataclass

from keyclip.index.store import Record


@dataclass(frozen=True)
class Count:
    count: int | None
    """None: no layer of the index can carry the count (``unsupported`` says why)."""
    records: list[Record]
    """What was counted (one citation each)."""
    method: str
    unsupported: str = ""
