"""Keyframes: small JPEG thumbnails sampled from the shared stream, chosen per clip.

While decoding, a candidate thumbnail is kept every ``thumb_interval_s``; once clips are known,
each clip keeps up to ``keyframes_per_clip`` candidates spread evenly inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2

from keyclip.media.frames import DecodedFrame
from keyclip.settings import ClipOptions
from keyclip.tools.scenes import Span


@dataclass(frozen=True)
class Thumbnail:
    t: float
    width: int
    height: int
    jpeg: bytes


@dataclass
class ThumbnailSampler:
    options: ClipOptions
    quality: int = 80
    thumbs: list[Thumbnail] = field(default_factory=list)
    _next_t: float = 0.0

    def add(self, frame: DecodedFrame) -> None:
        if frame.t < self._next_t:
            return
        self._next_t = frame.t + self.options.thumb_interval_s
        image = frame.bgr(self.options.thumb_width)
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if ok:
            self.thumbs.append(Thumbnail(round(frame.t, 3), image.shape[1], image.shape[0], buf.tobytes()))

    def choose(self, clips: list[tuple[int, Span]]) -> list[tuple[int, Thumbnail]]:
        """``(clip_index, thumbnail)`` pairs: up to k per clip, evenly spread over the clip."""
        chosen: list[tuple[int, Thumbnail]] = []
        k = self.options.keyframes_per_clip
        j = 0
        for ci, (_, span) in enumerate(clips):
            while j < len(self.thumbs) and self.thumbs[j].t < span.t0:
                j += 1
            inside = []
            m = j
            while m < len(self.thumbs) and self.thumbs[m].t < span.t1:
                inside.append(self.thumbs[m])
                m += 1
            if not inside and j > 0:  # clip shorter than the sampling step: nearest earlier one
                inside = [self.thumbs[j - 1]]
            if len(inside) > k:
                step = len(inside) / k
                inside = [inside[int(step * (i + 0.5))] for i in range(k)]
            chosen.extend((ci, th) for th in inside)
        return chosen
