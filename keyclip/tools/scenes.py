"""Scenes (PySceneDetect, fed from the shared frame stream) and clips.

PySceneDetect's detectors take ``(timecode, frame)`` pairs, so they consume the one streamed
decode instead of opening the video again. Timecodes are built from each frame's own time; at
most ``analysis_fps`` frames a second are looked at.

Example:
    >>> from keyclip.tools.scenes import SceneCutter, split_into_clips
    >>> cutter = SceneCutter(SceneOptions())                      # doctest: +SKIP
    >>> for frame in stream_frames("talk.mp4"): cutter.add(frame)  # doctest: +SKIP
    >>> scenes = cutter.finish(duration)                           # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from scenedetect import AdaptiveDetector, ContentDetector, FrameTimecode
from scenedetect.common import Timecode

from keyclip.media.frames import DecodedFrame
from keyclip.settings import SceneOptions

_MICROS = Fraction(1, 1_000_000)


@dataclass(frozen=True)
class Span:
    """A time interval in seconds."""

    t0: float
    t1: float

    @property
    def duration(self) -> float:
        return self.t1 - self.t0


class SceneCutter:
    """Online scene-cut detection over a stream of frames."""

    def __init__(self, options: SceneOptions, fps: float = 25.0):
        self.options = options
        self._fps = Fraction(fps or 25.0).limit_denominator(1001)
        min_len = f"{options.min_scene_s}s"
        if options.detector == "adaptive":
            self._detector = AdaptiveDetector(
                adaptive_threshold=options.adaptive_threshold,
                min_content_val=options.min_content_val,
                min_scene_len=min_len,
            )
        else:
            self._detector = ContentDetector(threshold=options.content_threshold, min_scene_len=min_len)
        self._cuts: list[float] = []
        self._last: FrameTimecode | None = None
        self._min_gap = 0.9 / options.analysis_fps

    def _timecode(self, t: float) -> FrameTimecode:
        return FrameTimecode(Timecode(pts=int(round(t * 1_000_000)), time_base=_MICROS), self._fps)

    def add(self, frame: DecodedFrame) -> list[float]:
        """Feed the next frame; returns cut times found so far by this call (seconds). Frames
        closer than ``1 / analysis_fps`` to the last one fed are passed over."""
        if self._last is not None and frame.t - self._last.seconds < self._min_gap:
            return []
        tc = self._timecode(frame.t)
        self._last = tc
        found = [c.seconds for c in self._detector.process_frame(tc, frame.bgr(self.options.analysis_width))]
        self._cuts.extend(found)
        return found

    def finish(self, duration: float) -> list[Span]:
        """Flush the detector and return scenes covering ``[0, duration]``."""
        if self._last is not None:
            self._cuts.extend(c.seconds for c in self._detector.post_process(self._last))
        cuts = sorted(c for c in set(self._cuts) if 0.0 < c < duration)
        bounds = [0.0, *cuts, duration]
        return [Span(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def split_into_clips(scenes: list[Span], max_clip_s: float) -> list[tuple[int, Span]]:
    """Split each scene into equal clips no longer than ``max_clip_s``.

    Returns ``(scene_index, clip_span)`` pairs in time order.
    """
    clips: list[tuple[int, Span]] = []
    for i, scene in enumerate(scenes):
        n = max(1, int(-(-scene.duration // max_clip_s)))  # ceil
        step = scene.duration / n
        for k in range(n):
            t0 = scene.t0 + k * step
            t1 = scene.t1 if k == n - 1 else scene.t0 + (k + 1) * step
            clips.append((i, Span(round(t0, 3), round(t1, 3))))
    return clips
