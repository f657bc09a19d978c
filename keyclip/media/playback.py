"""A copy of a video that a browser plays on the index's clock.

keyclip's times are seconds from the file's first frame or sound (``container.start_time``
subtracted, as players show them). A browser instead reads a file's own timestamps: for a stream
copied excerpt whose timestamps start at 120 s, Chromium reports a wrong duration and seeks to
the wrong picture, and it does not play MPEG-TS at all. Such files are remuxed once (stream copy,
no re-encoding: seconds for an hour) into an MP4 whose timestamps start at 0, which the page then
plays; a browser-ready file is served as it is.

Example:
    >>> files = PlaybackFiles(cache_dir / "playback")                             # doctest: +SKIP
    >>> files.path_for(Path("excerpt.ts"), playback_key(Path("excerpt.ts"))).suffix
    '.mp4'
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av

from keyclip.errors import InputError
from keyclip.logs import logger

BROWSER_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm"}
"""Containers Chromium and Firefox play directly (when their codecs are supported)."""
MP4_VIDEO = {"h264", "hevc", "av1", "vp9", "mpeg4"}
MP4_AUDIO = {"aac", "mp3", "opus", "ac3", "eac3", "flac", "alac"}
START_TOLERANCE_S = 0.1
"""A start offset below this (an audio encoder's priming, a frame) is left alone."""

Plan = Literal["as-is", "remux", "cannot-remux"]


@dataclass(frozen=True)
class PlaybackCheck:
    plan: Plan
    start: float
    """The container's start time in the source (seconds)."""
    reason: str


def check_playback(path: Path) -> PlaybackCheck:
    """Whether ``path`` can be served as it is, needs a zero-based MP4 copy, or cannot be copied
    into one (its codecs do not fit MP4; the browser gets the original and may not play it)."""
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError) as exc:
        raise InputError(f"{path}: cannot be opened ({exc})") from exc
    with container:
        start = (container.start_time or 0) / av.time_base
        video = next(iter(container.streams.video), None)
        audio = next(iter(container.streams.audio), None)
        codecs_fit = (video is not None and video.codec_context.name in MP4_VIDEO
                      and (audio is None or audio.codec_context.name in MP4_AUDIO))
    offset = abs(start) >= START_TOLERANCE_S
    if path.suffix.lower() in BROWSER_SUFFIXES and not offset:
        return PlaybackCheck("as-is", start, "browser-ready")
    why = f"timestamps start at {start:.2f} s" if offset else f"{path.suffix or 'this'} container"
    if not codecs_fit:
        return PlaybackCheck("cannot-remux", start, f"{why}; codecs do not fit MP4")
    return PlaybackCheck("remux", start, why)


def remux_from_zero(source: Path, target: Path, shift_s: float | None = None) -> None:
    """Copy the first video and audio stream of ``source`` into the MP4 ``target`` (no
    re-encoding), every timestamp moved back by ``shift_s`` (default: the container's start, so
    the copy starts at 0). Written to a side file and renamed, so ``target`` is whole or absent.

    Raises:
        InputError: the file cannot be read or copied.
    """
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with av.open(str(source), metadata_errors="ignore") as inp:
            origin = (inp.start_time or 0) / av.time_base if shift_s is None else shift_s
            streams = [s for s in (next(iter(inp.streams.video), None), next(iter(inp.streams.audio), None)) if s]
            with av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"}) as out:
                outputs = {s.index: out.add_stream_from_template(s) for s in streams}
                for packet in inp.demux(streams):
                    if packet.dts is None:  # a demuxer's flush packet
                        continue
                    shift = round(origin / packet.time_base)
                    packet.dts -= shift
                    if packet.pts is not None:
                        packet.pts -= shift
                    packet.stream = outputs[packet.stream.index]
                    out.mux(packet)
        part.replace(target)
    except (av.FFmpegError, OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        raise InputError(f"{source}: cannot be copied for playback ({exc})") from exc


def playback_key(video: Path) -> str:
    """A name for ``video``'s playback copy: its resolved path, size and modification time, so a
    changed or replaced file gets a new copy without reading its content."""
    stat = video.stat()
    ident = f"{video.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


class PlaybackFiles:
    """The file to serve for each video: itself, or its zero-based copy under ``folder`` (made
    on first request, one at a time per video; kept for the next run)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._locks: dict[str, threading.Lock] = {}
        self._served: dict[str, Path] = {}
        """The decision per key, so a player's many range requests open the file once."""
        self._guard = threading.Lock()

    def path_for(self, video: Path, key: str) -> Path:
        """What to serve for ``video``; ``key`` names its copy (the content hash or the library
        token). A file that cannot be copied is served as it is."""
        with self._guard:
            known = self._served.get(key)
            if known is not None and known.is_file():
                return known
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            served = self._decide(video, key)
        with self._guard:
            self._served[key] = served
        return served

    def _decide(self, video: Path, key: str) -> Path:
        """Serve ``video`` itself, its copy made before, or a copy made now."""
        copy = self.folder / f"{key}.mp4"
        if copy.is_file() and copy.stat().st_mtime >= video.stat().st_mtime:
            return copy
        try:
            check = check_playback(video)
        except InputError:
            return video
        if check.plan != "remux":
            return video
        try:
            remux_from_zero(video, copy)
        except InputError as exc:
            logger.warning("%s: served as it is (%s)", video.name, exc)
            return video
        logger.info("%s: playback copy made (%s)", video.name, check.reason)
        return copy
