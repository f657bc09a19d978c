"""Citation thumbnails, written once beside the index: the keyframe nearest a cited time, or for
a seen citation the crop of the largest box of the object it names.

Example:
    >>> keyframe_thumbnail(store, index_path, 391.5)         # doctest: +SKIP
    '/…/videos/ab12…/thumbs/57.jpg'
"""

from __future__ import annotations

import time
from pathlib import Path

from keyclip.agent.seen import seen_counts
from keyclip.index.store import IndexStore


def keyframe_thumbnail(store: IndexStore, index_path: Path, t: float) -> str | None:
    """A JPEG of the keyframe nearest ``t``, or None."""
    row = store.db.execute("SELECT id FROM keyframes ORDER BY abs(t - ?) LIMIT 1", (t,)).fetchone()
    if row is None:
        return None
    path = index_path.parent / "thumbs" / f"{row[0]}.jpg"
    if path.is_file():
        return str(path)
    jpeg = store.db.execute("SELECT jpeg FROM keyframes WHERE id = ?", (row[0],)).fetchone()[0]
    return _write_once(path, jpeg)


def seen_thumbnail(store: IndexStore, index_path: Path, cite: dict) -> str | None:
    """The crop of the largest box seen inside ``cite``'s span, of the label its text names
    first (seen records list labels, most first); None when the index kept no crop."""
    named = list(seen_counts(cite.get("text", "")))
    rows = [o for o in store.seen_objects() if o.first_t >= cite["t0"] - 0.05 and o.last_t <= cite["t1"] + 0.05]
    rows.sort(key=lambda o: (named.index(o.label) if o.label in named else len(named), -o.count))
    if not rows:
        return None
    o = rows[0]
    path = index_path.parent / "thumbs" / f"seen-{o.clip_id}-{o.label.replace(' ', '_')}.jpg"
    if path.is_file():
        return str(path)
    jpeg = store.seen_thumbnail(o.clip_id, o.label)
    return _write_once(path, jpeg) if jpeg else None


def _write_once(path: Path, data: bytes) -> str | None:
    tmp = path.with_suffix(f".{time.monotonic_ns()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:  # a full disk: no thumbnail, and no half-written file left behind
        tmp.unlink(missing_ok=True)
        return None
    return str(path)
