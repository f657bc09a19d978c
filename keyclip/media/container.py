"""Opening a media file and decoding one of its streams, keeping whatever decodes.

A corrupt packet is skipped (as ffmpeg does) and a truncated container ends the stream early;
both are logged (the skipped packets with a capped count), never raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av

from keyclip.errors import InputError
from keyclip.logs import logger

_MAX_LOGGED_ERRORS = 5


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


def decode_stream(container: av.container.InputContainer, stream: av.stream.Stream, path: Path) -> Iterator:
    """Yield the decoded frames of ``stream`` in decode order, skipping what cannot be decoded."""
    packets = container.demux(stream)
    errors = 0
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except av.FFmpegError as exc:  # truncated or corrupt container: keep what we have
            logger.warning("%s: %s demuxing stopped early (%s)", path.name, stream.type, exc)
            break
        try:
            frames = packet.decode()
        except av.FFmpegError as exc:
            errors += 1
            if errors <= _MAX_LOGGED_ERRORS:
                logger.warning("%s: skipped an undecodable %s packet (%s)", path.name, stream.type, exc)
            continue
        yield from frames
    if errors > _MAX_LOGGED_ERRORS:
        logger.warning("%s: %d undecodable %s packets skipped in all", path.name, errors, stream.type)
