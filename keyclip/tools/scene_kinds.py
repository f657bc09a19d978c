"""What kind of shot a scene is: slide, screen recording, footage, still image or talking head.

Told from three measures, none of them tuned to one video:

- **motion**: the share of half-second steps inside the scene in which the picture changed
  (mean grey-level difference above a small threshold); slides and photographs hold still,
  footage and screen recordings move;
- **flatness**: the share of pixels at the frame's most common grey level (±4), the mark of a
  rendered page (slides, screen recordings) against a photographed one (footage, still images);
- **text and people**: the on-screen text lines read inside the scene (OCR) and the share of
  checked frames with a large person box (the detector).

:class:`PictureMeter` takes the measures during the shared decode; :func:`scene_kind` decides
from a scene's measures, its text lines and its detections.

Example:
    >>> scene_kind({"motion": 0.0, "flat": 0.8, "samples": 40}, text_lines=6, person_share=0.0)
    ('slide', 'still, flat background, 6 text lines')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from keyclip.media.frames import DecodedFrame

KINDS = ("slide", "screen recording", "footage", "still image", "talking head")
RULES_VERSION = 2
"""Part of the kinds stage's fingerprint: raise it when a rule or threshold below changes."""

_WIDTH = 160
STEP_S = 0.5
"""The picture is measured this often."""
MOVED = 1.5
"""Mean absolute grey-level difference (0-255) above which a step counts as motion."""
MOVING_SHARE = 0.25
"""A scene whose picture moves in at least this share of its steps is moving."""
FLAT_SHARE = 0.45
"""A frame with at least this share of pixels at one grey level is a rendered page."""
TALKING_BOX = 0.15
"""A person box at least this share of the frame, in most checked frames, is a talking head (a
person framed to talk to the camera; a passer-by in a street shot fills about a tenth, a distant
cyclist a sixteenth)."""


@dataclass
class PictureMeter:
    """Measures motion and flatness every ``STEP_S`` of the stream."""

    samples: list[tuple[float, float, float]] = field(default_factory=list)
    """(t, change since the previous sample, flatness)."""
    _prev: np.ndarray | None = None
    _next_t: float = 0.0

    def add(self, frame: DecodedFrame) -> None:
        if frame.t < self._next_t:
            return
        self._next_t = frame.t + STEP_S
        gray = frame.gray(_WIDTH)
        g16 = gray.astype(np.int16)
        change = 0.0 if self._prev is None or self._prev.shape != g16.shape else float(np.abs(g16 - self._prev).mean())
        self._prev = g16
        hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
        peak = int(hist.argmax())
        flat = float(hist[max(0, peak - 4):peak + 5].sum() / max(1.0, hist.sum()))
        self.samples.append((frame.t, change, flat))

    def features(self, scenes: list[tuple[float, float]]) -> list[dict]:
        """Per scene: ``motion`` (share of moving steps), ``flat`` (median flatness), ``samples``."""
        out = []
        times = np.array([s[0] for s in self.samples]) if self.samples else np.zeros(0)
        for t0, t1 in scenes:
            inside = [self.samples[i] for i in np.nonzero((times >= t0) & (times < t1))[0]]
            # the first sample of a scene compares across the cut: leave it out
            steps = [c for t, c, _ in inside[1:]]
            out.append({
                "motion": round(sum(c > MOVED for c in steps) / len(steps), 3) if steps else 0.0,
                "flat": round(float(np.median([f for _, _, f in inside])), 3) if inside else 0.0,
                "samples": len(inside),
            })
        return out


def scene_kind(features: dict, text_lines: int, person_share: float) -> tuple[str, str]:
    """``(kind, why)`` for one scene from its measures (see the module docstring)."""
    motion, flat = features.get("motion", 0.0), features.get("flat", 0.0)
    moving = motion >= MOVING_SHARE
    rendered = flat >= FLAT_SHARE
    if person_share >= 0.5 and text_lines < 3 and not rendered:
        return "talking head", f"a large person box in {person_share:.0%} of checked frames"
    if moving:
        if rendered and text_lines >= 3:
            return "screen recording", f"moving ({motion:.0%} of steps), flat background, {text_lines} text lines"
        return "footage", f"moving ({motion:.0%} of steps){', photographed' if not rendered else ''}"
    if rendered:
        return "slide", f"still, flat background, {text_lines} text lines"
    return "still image", f"still, photographed (flatness {flat:.2f}), {text_lines} text lines"
