"""The ``classes`` stage: an image classifier's top labels for the keyframes of every scene that
is not a slide (footage, still images, talking heads), from the keyframes the index stores; no
decode. Off unless ``classify.model`` is set (weak evidence: it points where to look, it does
not answer)."""

from __future__ import annotations

import time

import cv2
import numpy as np

from keyclip.index.store import IndexStore
from keyclip.settings import Settings

PICTURE_KINDS = ("footage", "still image", "talking head")


def run_classes(store: IndexStore, s: Settings, fingerprint: str, progress, note, models) -> float:
    t = time.perf_counter()
    if not s.classify.model:
        store.write_frame_classes(fingerprint, 0.0, [], {"skipped": "no image classifier configured"})
        return 0.0
    classifier, why_not = models.classifier()
    if classifier is None:
        note(why_not)
        store.write_frame_classes(fingerprint, 0.0, [], {"skipped": why_not})
        return 0.0
    pictures = [(r.t0, r.t1) for r in store.scene_rows() if r.kind in PICTURE_KINDS]
    frames = [(kid, kt, jpeg) for kid, _, kt, jpeg in store.keyframes() if any(a <= kt < b for a, b in pictures)]
    progress.start("classes", len(frames))
    rows = []
    for n, (kid, kt, jpeg) in enumerate(frames, start=1):
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is not None:
            rows += [(kid, kt, label, score) for label, score in classifier.classify(image)]
        progress.update("classes", n)
    secs = time.perf_counter() - t
    store.write_frame_classes(fingerprint, secs, rows, {"model": classifier.name, "keyframes": len(frames)})
    progress.finish("classes", f"{len(frames)} keyframes")
    return secs
