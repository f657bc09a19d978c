"""Probe a media file with PyAV: duration, streams, rotation, frame rate.

Example:
    >>> from keyclip.media.probe import probe
    >>> info = probe("lecture.mp4")          # doctest: +SKIP
    >>> info.duration, info.video.width       # doctest: +SKIP
    (507.04, 1280)
"""

from __future__ import annotations

import errno
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import av

from keyclip.errors import InputError


@dataclass(frozen=True)
class VideoStreamInfo:
    codec: str
    width: int
    height: int
    """Stored size (before rotation)."""
    rotation: int
    """Degrees (0, 90, 180, 270) the display matrix asks for; frames are turned upright."""
    average_fps: float
    base_fps: float
    frames: int
    """Frame count from the container (0 if unknown)."""
    variable_frame_rate: bool
    """Probable VFR (average and base rates differ). Times always come from timestamps."""

    @property
    def display_size(self) -> tuple[int, int]:
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class MediaInfo:
    path: str
    size_bytes: int
    container: str
    duration: float
    video: VideoStreamInfo | None
    audio: AudioStreamInfo | None

    def to_dict(self) -> dict:
        return asdict(self)


def _rotation_of(stream: av.video.stream.VideoStream) -> int:
    """Rotation from old-style ``rotate`` stream metadata (newer files use a display matrix)."""
    meta_rotate = (stream.metadata or {}).get("rotate")
    try:
        return int(meta_rotate) % 360 if meta_rotate else 0
    except ValueError:
        return 0


def _first_frame_rotation(container: av.container.InputContainer) -> int:
    stream = container.streams.video[0]
    for frame in container.decode(stream):
        rotation = getattr(frame, "rotation", 0) or 0
        return int(round(rotation)) % 360
    return 0


def probe(path: str | os.PathLike) -> MediaInfo:
    """Read a media file's header (and its first video frame, for rotation).

    Raises:
        InputError: the path is missing, not a file, empty, or not a decodable media file.
    """
    p = Path(path)
    if not p.exists():
        if p.is_symlink():  # a link whose target is missing, or a loop of links
            try:
                p.resolve(strict=True)
            except (RuntimeError, OSError) as exc:  # Python 3.11 raises RuntimeError for a loop, 3.13 ELOOP
                if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
                    raise InputError(f"{p}: a symbolic link that loops back on itself") from None
                raise InputError(f"{p}: a symbolic link to {os.readlink(p)}, which does not exist") from None
        raise InputError(f"{p}: no such file")
    if not p.is_file():
        raise InputError(f"{p}: not a file")
    size = p.stat().st_size
    if size == 0:
        raise InputError(f"{p}: the file is empty (0 bytes)")
    if not os.access(p, os.R_OK):
        raise InputError(f"{p}: permission denied (cannot read the file)")
    try:
        container = av.open(str(p), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: not a video or audio file that FFmpeg can read ({exc})") from exc
    with container:
        video = audio = None
        if container.streams.video:
            vs = container.streams.video[0]
            cc = vs.codec_context
            avg = float(vs.average_rate) if vs.average_rate else 0.0
            base = float(vs.base_rate) if vs.base_rate else avg
            try:
                rotation = _first_frame_rotation(container) or _rotation_of(vs)
            except av.FFmpegError as exc:
                raise InputError(f"{p}: the video stream cannot be decoded ({exc})") from exc
            video = VideoStreamInfo(
                codec=cc.name,
                width=cc.width,
                height=cc.height,
                rotation=rotation,
                average_fps=round(avg, 4),
                base_fps=round(base, 4),
                frames=int(vs.frames or 0),
                variable_frame_rate=bool(avg and base and abs(avg - base) / base > 0.01),
            )
        if container.streams.audio:
            ast = container.streams.audio[0]
            audio = AudioStreamInfo(
                codec=ast.codec_context.name,
                sample_rate=int(ast.codec_context.sample_rate or 0),
                channels=int(ast.codec_context.channels or 0),
            )
        if video is None and audio is None:
            raise InputError(f"{p}: has no video or audio stream")
        duration = _duration(container)
        if duration <= 0:
            raise InputError(f"{p}: has zero length")
        return MediaInfo(
            path=str(p.resolve()),
            size_bytes=size,
            container=container.format.name,
            duration=duration,
            video=video,
            audio=audio,
        )


def _duration(container: av.container.InputContainer) -> float:
    if container.duration:
        return container.duration / av.time_base
    best = 0.0
    for stream in container.streams:
        if stream.duration and stream.time_base:
            best = max(best, float(stream.duration * stream.time_base))
    return best
