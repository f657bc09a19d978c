"""On-screen text: OCR engines and the tracker that turns OCR'd frames into time spans.

The tracker looks at a frame every ``interval_s`` seconds; it runs OCR only when the frame
changed since the last OCR'd one (a static slide is read once), and merges the same line seen
on consecutive reads into one span ``(t0, t1, text, box, confidence)``. When the change is
confined to one band of rows (a bullet revealed under the ones already read), only that band
is read again and the lines outside it are kept (:func:`changed_band`). Span edges are then
snapped to scene cuts, where slides change.

Example:
    >>> engine = RapidOCREngine(threads=2)                    # doctest: +SKIP
    >>> tracker = ScreenTextTracker(engine, OCROptions())     # doctest: +SKIP
    >>> for frame in stream_frames("talk.mp4"): tracker.add(frame)  # doctest: +SKIP
    >>> spans = tracker.finish(duration, cuts)                 # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import difflib
import importlib.metadata
import logging
import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from keyclip.errors import ModelMissingError
from keyclip.media.frames import DecodedFrame
from keyclip.settings import OCROptions

_DIFF_WIDTH = 160
_PIXEL_CHANGE = 24
"""Grey levels by which a pixel of the 160-px comparison image must change to count as changed."""
_BAND_PAD = 0.03
"""Margin added above and below a changed band, as a fraction of the frame's height."""
_MIN_BAND_PX = 32


@dataclass(frozen=True)
class TextLine:
    text: str
    box: tuple[float, float, float, float]
    """x0, y0, x1, y1 as fractions of the frame's width and height."""
    confidence: float


@dataclass
class OCRSpan:
    t0: float
    t1: float
    text: str
    box: tuple[float, float, float, float]
    confidence: float
    reads: int = 1


class OCREngine(Protocol):
    name: str
    version: str

    def read(self, image_bgr: np.ndarray) -> list[TextLine]: ...


def _normalise_box(points: np.ndarray, width: int, height: int) -> tuple[float, float, float, float]:
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return (
        round(max(0.0, x0 / width), 4),
        round(max(0.0, y0 / height), 4),
        round(min(1.0, x1 / width), 4),
        round(min(1.0, y1 / height), 4),
    )


class RapidOCREngine:
    """PaddleOCR's PP-OCR models as ONNX, as shipped inside the ``rapidocr`` wheel."""

    name = "rapidocr"

    def __init__(self, threads: int = 0, side: int | None = None, angle_classifier: bool = False):
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - rapidocr is a core dependency
            raise ModelMissingError("OCR: rapidocr is not installed (pip install rapidocr onnxruntime)") from exc
        params: dict = {"Global.log_level": "error", "Global.use_cls": angle_classifier}
        if side:  # detect text at the frame's own size (never scaled up: see OCROptions.width)
            params |= {"Det.limit_type": "max", "Det.limit_side_len": side}
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        self._engine = RapidOCR(params=params)
        # rapidocr warns on every frame without text; that is normal here
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self.version = f"rapidocr-{importlib.metadata.version('rapidocr')}"

    def read(self, image_bgr: np.ndarray) -> list[TextLine]:
        result = self._engine(image_bgr)
        if result is None or result.txts is None:
            return []
        h, w = image_bgr.shape[:2]
        return [
            TextLine(text=str(t), box=_normalise_box(b, w, h), confidence=float(s))
            for t, s, b in zip(result.txts, result.scores, result.boxes, strict=False)
        ]


class PaddleOCREngine:
    """PaddleOCR 3.x pipelines, for users who installed ``paddleocr`` and its models."""

    name = "paddleocr"

    def __init__(self, det_dir: str | None = None, rec_dir: str | None = None):
        try:
            import paddleocr
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise ModelMissingError(
                "OCR backend 'paddleocr' is not installed: pip install 'keyclip[paddle]', "
                "or use the default rapidocr backend"
            ) from exc
        if not (det_dir and rec_dir):
            raise ModelMissingError(
                "OCR backend 'paddleocr' needs local model folders: set KEYCLIP_OCR__PADDLE_DET_DIR and "
                "KEYCLIP_OCR__PADDLE_REC_DIR (keyclip never downloads weights at run time)"
            )
        self._engine = PaddleOCR(
            text_detection_model_dir=det_dir,
            text_recognition_model_dir=rec_dir,
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
        )
        self.version = f"paddleocr-{paddleocr.__version__}"

    def read(self, image_bgr: np.ndarray) -> list[TextLine]:  # pragma: no cover - needs paddle
        h, w = image_bgr.shape[:2]
        lines: list[TextLine] = []
        for res in self._engine.predict(image_bgr):
            for text, score, poly in zip(res["rec_texts"], res["rec_scores"], res["rec_polys"], strict=False):
                lines.append(TextLine(str(text), _normalise_box(poly, w, h), float(score)))
        return lines


def changed_band(before: np.ndarray, after: np.ndarray, lines: list[TextLine], band_max: float) -> tuple[float, float] | None:
    """The rows ``(y0, y1)`` (fractions of the height) outside which ``after`` equals ``before``,
    widened by a margin and to every line of ``lines`` (read on ``before``) they cut through; or
    ``None`` when that band is taller than ``band_max`` of the frame or the change is diffuse (a
    fade), so the whole frame must be read."""
    if band_max <= 0 or before.shape != after.shape:
        return None
    rows = np.flatnonzero((np.abs(after - before) > _PIXEL_CHANGE).sum(axis=1) >= 2)
    if rows.size == 0:
        return None
    h = before.shape[0]
    y0, y1 = rows[0] / h - _BAND_PAD, (rows[-1] + 1) / h + _BAND_PAD
    widened = True
    while widened:  # a line the band cuts through is read whole
        widened = False
        for line in lines:
            top, bottom = line.box[1], line.box[3]
            if top < y1 and bottom > y0 and (top < y0 or bottom > y1):
                y0, y1, widened = min(y0, top - _BAND_PAD), max(y1, bottom + _BAND_PAD), True
    y0, y1 = max(0.0, y0), min(1.0, y1)
    return (y0, y1) if y1 - y0 <= band_max else None


def read_band(engine: OCREngine, image_bgr: np.ndarray, band: tuple[float, float]) -> list[TextLine]:
    """OCR of the rows ``band`` of ``image_bgr``, boxes as fractions of the whole image."""
    h = image_bgr.shape[0]
    top = max(0, int(band[0] * h))
    bottom = min(h, max(int(np.ceil(band[1] * h)), top + _MIN_BAND_PX))
    top = max(0, min(top, bottom - _MIN_BAND_PX))
    part = bottom - top
    return [
        TextLine(line.text, (line.box[0], round((top + line.box[1] * part) / h, 4), line.box[2],
                             round((top + line.box[3] * part) / h, 4)), line.confidence)
        for line in engine.read(image_bgr[top:bottom])
    ]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class _Open:
    span: OCRSpan
    key: str
    seen_before: float
    """Time of the sample before the first read (the true start lies after it)."""
    last_seen: float


@dataclass
class ScreenTextTracker:
    """Turns a frame stream into merged on-screen text spans (see module docstring)."""

    engine: OCREngine
    options: OCROptions
    reads: int = 0
    band_reads: int = 0
    """Reads of a changed band only (counted in ``reads`` too)."""
    samples: int = 0
    _open: list[_Open] = field(default_factory=list)
    _closed: list[tuple[OCRSpan, float, float]] = field(default_factory=list)
    _last_read_gray: np.ndarray | None = None
    _lines: list[TextLine] = field(default_factory=list)
    """What is on screen as of the last read (kept outside a band read again)."""
    _next_sample_t: float = 0.0
    _prev_sample_t: float = 0.0

    def add(self, frame: DecodedFrame) -> None:
        if frame.t < self._next_sample_t:
            return
        self._next_sample_t = frame.t + self.options.interval_s
        self.samples += 1
        gray = frame.gray(_DIFF_WIDTH).astype(np.int16)
        changed = self._last_read_gray is None or self._last_read_gray.shape != gray.shape
        if not changed:
            diff = np.abs(gray - self._last_read_gray)
            changed = (float(diff.mean()) > self.options.change_threshold
                       or float((diff > _PIXEL_CHANGE).mean()) > self.options.change_pixels)
        if changed:
            band = None if self._last_read_gray is None else changed_band(
                self._last_read_gray, gray, self._lines, self.options.band_max)
            self._last_read_gray = gray
            self.reads += 1
            image = frame.bgr(self.options.width)
            if band is None:
                read, kept = self.engine.read(image), []
            else:
                self.band_reads += 1
                read = read_band(self.engine, image, band)
                kept = [x for x in self._lines if x.box[3] <= band[0] or x.box[1] >= band[1]]
            lines = kept + [
                line for line in read if line.confidence >= self.options.min_confidence and line.text.strip()
            ]
            self._lines = lines
            self._update(frame.t, lines)
        else:
            for o in self._open:
                o.last_seen = frame.t
        self._prev_sample_t = frame.t

    def _update(self, t: float, lines: list[TextLine]) -> None:
        still_open: list[_Open] = []
        unmatched = list(self._open)
        for line in lines:
            key = _norm(line.text)
            match = next((o for o in unmatched if o.key == key), None)
            if match is None:
                match = max(
                    (o for o in unmatched if difflib.SequenceMatcher(None, o.key, key).ratio() >= self.options.merge_similarity),
                    key=lambda o: difflib.SequenceMatcher(None, o.key, key).ratio(),
                    default=None,
                )
            if match is not None:
                unmatched.remove(match)
                match.last_seen = t
                match.span.reads += 1
                if line.confidence > match.span.confidence:  # keep the most confident reading
                    match.span.text, match.span.box, match.span.confidence = line.text, line.box, line.confidence
                    match.key = key
                still_open.append(match)
            else:
                span = OCRSpan(t, t, line.text, line.box, line.confidence)
                still_open.append(_Open(span, key, seen_before=self._prev_sample_t if self.samples > 1 else 0.0, last_seen=t))
        for gone in unmatched:  # absent now: it ended between its last sighting and t
            self._closed.append((gone.span, gone.seen_before, gone.last_seen))
            gone.span.t1 = t
        self._open = still_open

    def finish(self, duration: float, cuts: list[float]) -> list[OCRSpan]:
        """Close open spans at ``duration`` and snap span edges to the nearest scene cuts."""
        for o in self._open:
            o.span.t1 = duration
            self._closed.append((o.span, o.seen_before, duration))
        self._open = []
        cuts = sorted(cuts)
        spans: list[OCRSpan] = []
        for span, seen_before, last_seen in self._closed:
            # start: the text appeared after `seen_before`; a cut in (seen_before, t0] is when
            i = bisect.bisect_right(cuts, span.t0)
            if i and cuts[i - 1] > seen_before:
                span.t0 = cuts[i - 1]
            # end: it vanished in (last_seen, t1]; a cut there is when
            j = bisect.bisect_right(cuts, last_seen)
            if j < len(cuts) and cuts[j] <= span.t1:
                span.t1 = cuts[j]
            span.t0, span.t1 = round(span.t0, 3), round(min(span.t1, duration), 3)
            spans.append(span)
        spans.sort(key=lambda s: (s.t0, s.box[1], s.box[0]))
        return spans
