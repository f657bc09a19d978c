"""Opening a media file and decoding one of its streams, keeping whatever decodes.

A corrupt packet is skipped (as ffmpeg does) and a truncated container ends the stream early;
neither is raised. Both are collected in a ``Damage`` the caller can turn into one notice that
names where the file is damaged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av

from keyclip.errors import InputError
from keyclip.logs import logger


@dataclass
class Damage:
    """Where one stream of a file could not be decoded (times in seconds from the file's start)."""

    skipped: list[float] = field(default_factory=list)
    """Times of the packets that did not decode (``nan`` when a packet had no time)."""
    stopped_at: float | None = None
    """Time after the last packet read when demuxing stopped early (a truncated container)."""

    def notice(self, name: str, what: str) -> str:
        """One line for the user ('' when nothing was damaged); ``what`` is ``picture`` or ``sound``."""
        from keyclip.console import clock

        parts = []
        known = [t for t in self.skipped if t == t]
        if self.skipped:
            where = f" between {clock(min(known))} and {clock(max(known))}" if known else ""
            parts.append(f"{len(self.skipped)} undecodable packets skipped{where}")
        if self.stopped_at is not None:
            parts.append(f"decoding stopped at {clock(self.stopped_at)} (the rest of the file is unreadable)")
        if not parts:
            return ""
        return f"{name}: the {what} is damaged: {'; '.join(parts)}; that part of the {what} is not in the index"


def open_container(path: Path) -> av.container.InputContainer:
    """Open ``path`` for decoding.

    Raises:
        InputError: FFmpeg cannot open it.
    """
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be opened for decoding ({exc})") from exc


def start_time(container: av.container.InputContainer) -> float:
    """The container's start in seconds: the origin of every time keyclip stores."""
    return (container.start_time or 0) / av.time_base


def decode_stream(container: av.container.InputContainer, stream: av.stream.Stream, path: Path,
                  damage: Damage | None = None) -> Iterator:
    """Yield the decoded frames of ``stream`` in decode order, skipping what cannot be decoded
    (recorded in ``damage``)."""
    damage = damage if damage is not None else Damage()
    origin = start_time(container)
    packets = container.demux(stream)
    last_t = 0.0
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except av.FFmpegError as exc:  # truncated or corrupt container: keep what we have
            logger.info("%s: %s demuxing stopped early (%s)", path.name, stream.type, exc)
            damage.stopped_at = last_t
            break
        t = float(packet.pts * packet.time_base) - origin if packet.pts is not None and packet.time_base else None
        if t is not None:
            last_t = max(last_t, t)
        try:
            frames = packet.decode()
        except av.FFmpegError as exc:
            damage.skipped.append(t if t is not None else float("nan"))
            logger.debug("%s: skipped an undecodable %s packet at %s (%s)", path.name, stream.type, t, exc)
            continue
        yield from frames
