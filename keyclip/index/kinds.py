"""The ``kinds`` stage: each scene's kind from what the index already holds.

Reads the scenes' picture measures (taken during the decode), the on-screen text lines and the
detections inside each scene; decodes nothing, so it reruns in milliseconds when OCR or the
detector changes.
"""

from __future__ import annotations

import time
from collections import Counter

from keyclip.index.store import IndexStore
from keyclip.tools.scene_kinds import TALKING_BOX, scene_kind


def run_kinds(store: IndexStore, fingerprint: str) -> float:
    t = time.perf_counter()
    rows = store.scene_rows()
    spans = store.ocr_spans()
    objects = store.stages().get("objects", {}).get("info", {})
    checked = objects.get("checked_t") or []
    people = store.db.execute(
        "SELECT t, MAX((x1 - x0) * (y1 - y0)) FROM detections WHERE label = 'person' GROUP BY t").fetchall()
    large = {round(t, 2) for t, area in people if area >= TALKING_BOX}
    kinds = []
    for row in rows:
        # a line belongs to the scene where most of its span lies
        lines = sum(1 for sp in spans if min(sp.t1, row.t1) - max(sp.t0, row.t0) > 0.5 * max(sp.t1 - sp.t0, 1e-6))
        inside = [round(c, 2) for c in checked if row.t0 <= c < row.t1]
        share = sum(c in large for c in inside) / len(inside) if inside else 0.0
        kinds.append(scene_kind(row.features, lines, share))
    store.write_kinds(fingerprint, kinds, {"kinds": dict(Counter(k for k, _ in kinds))})
    return time.perf_counter() - t
