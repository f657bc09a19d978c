"""Frames at chosen times and sizes, for a VLM or a citation thumbnail: one seek per run of
nearby times (a clip's frames; frames spread over the video, as stratified or uniform plans
place them, are reached by a seek each rather than decoding everything between them), then a
short forward decode, each frame resized to exactly the planned size and encoded as JPEG.

Example:
    >>> frames = grab_frames("talk.mp4", [(10.0, 20.0, [12.5, 17.5], (448, 252))])   # doctest: +SKIP
"""

from __future__ import annotations

import io
from pathlib import Path

import av
from PIL import Image

from keyclip.backends.chat import Frame
from keyclip.errors import InputError
from keyclip.media.container import start_time


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


_TURNS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def _upright(frame: av.VideoFrame, size: tuple[int, int]) -> Image.Image:
    """The frame as a player shows it (display-matrix rotation applied, counter-clockwise as
    ``keyclip.media.frames`` turns it), resized to ``size``."""
    image = frame.to_image()
    turn = _TURNS.get(int(round(getattr(frame, "rotation", 0) or 0)) % 360)
    if turn is not None:
        image = image.transpose(turn)
    return image.resize(size, Image.Resampling.BICUBIC)


SEEK_GAP_S = 5.0
"""Times further apart than this are reached by a new seek (about a keyframe interval)."""


def _runs(clips: list[tuple[float, float, list[float], tuple[int, int]]]):
    """Each clip's sorted times cut where they lie more than ``SEEK_GAP_S`` apart, as sub-clips
    (a clip without times yields none)."""
    for t0, t1, times, size in clips:
        wanted = sorted(times)
        start = 0
        for k in range(1, len(wanted) + 1):
            if k == len(wanted) or wanted[k] - wanted[k - 1] > SEEK_GAP_S:
                lo = t0 if start == 0 else wanted[start]
                hi = t1 if k == len(wanted) else wanted[k - 1]
                yield lo, hi, wanted[start:k], size
                start = k


def grab_frames(path: str | Path, clips: list[tuple[float, float, list[float], tuple[int, int]]]) -> list[Frame]:
    """For each ``(t0, t1, times, (width, height))``, the frames nearest ``times`` at that size."""
    out: list[Frame] = []
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise InputError(f"{path}: cannot open the video to take frames ({exc})") from exc
    with container:
        stream = container.streams.video[0]
        base = start_time(container)  # the origin every stored time is measured from
        for t0, t1, wanted, (w, h) in _runs(clips):  # sorted, never empty
            container.seek(int((base + max(0.0, t0 - 0.5)) / stream.time_base), stream=stream, backward=True)
            previous = None
            i = 0
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                t = float(frame.pts * stream.time_base) - base
                while i < len(wanted) and t >= wanted[i]:
                    # the frame on screen at wanted[i] is the last one that started before it
                    chosen, ct = (previous if previous is not None and t > wanted[i] else (frame, t))
                    image = _upright(chosen, (w, h))
                    out.append(Frame(round(wanted[i], 3), _jpeg(image), w, h))
                    i += 1
                if i >= len(wanted) or t > t1 + 1.0:
                    break
                previous = (frame, t)
            while i < len(wanted) and previous is not None:  # past the end: the last frame
                image = _upright(previous[0], (w, h))
                out.append(Frame(round(wanted[i], 3), _jpeg(image), w, h))
                i += 1
    return out
