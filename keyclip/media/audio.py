"""Audio decoded to 16 kHz mono float32 for speech recognition, in bounded chunks.

Example:
    >>> from keyclip.media.audio import iter_audio_chunks
    >>> for start, samples in iter_audio_chunks("lecture.mp4", chunk_s=300):  # doctest: +SKIP
    ...     print(start, samples.shape)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from keyclip.errors import InputError
from keyclip.media.container import Damage, decode_stream, open_container, start_time

SAMPLE_RATE = 16000


def iter_audio_chunks(
    path: str | Path, chunk_s: float = 300.0, sample_rate: int = SAMPLE_RATE, damage: Damage | None = None,
    start_s: float = 0.0,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(start_seconds, samples)`` chunks of about ``chunk_s`` seconds, in order; where the
    audio could not be decoded goes into ``damage``. ``start_s``: the audio before it is decoded
    and left out (a resumed transcription).

    ``start_seconds`` is measured from the container's start (the same origin as video frames).

    Raises:
        InputError: the file has no audio stream or cannot be opened.
    """
    path = Path(path)
    with open_container(path) as container:
        if not container.streams.audio:
            raise InputError(f"{path}: has no audio stream")
        stream = container.streams.audio[0]
        origin = start_time(container)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunk_len = int(chunk_s * sample_rate)
        parts: list[np.ndarray] = []
        buffered = 0
        start: float | None = None
        emitted = 0  # samples yielded so far (after `start`)
        skip = 0  # samples still to leave out before `start_s`
        for frame in decode_stream(container, stream, path, damage):
            if start is None:
                start = max(0.0, float(frame.time or 0.0) - origin)
                if start < start_s:
                    skip, start = int(round((start_s - start) * sample_rate)), start_s
            for out in resampler.resample(frame):
                arr = out.to_ndarray().reshape(-1)
                if skip:
                    dropped = min(skip, arr.size)
                    arr, skip = arr[dropped:], skip - dropped
                parts.append(arr)
                buffered += arr.size
            while buffered >= chunk_len:
                joined = np.concatenate(parts)
                yield start + emitted / sample_rate, joined[:chunk_len]
                emitted += chunk_len
                rest = joined[chunk_len:]
                parts, buffered = [rest], rest.size
        for out in resampler.resample(None):  # flush
            arr = out.to_ndarray().reshape(-1)[skip:]
            skip = max(0, skip - out.samples)
            parts.append(arr)
            buffered += arr.size
        if buffered:
            yield (start or 0.0) + emitted / sample_rate, np.concatenate(parts)
