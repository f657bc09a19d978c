"""Subtitle files (a benchmark's, or a video's own captions) as ``(start, end, text)`` cues in
seconds of the video file; ``subtitle_segments`` makes them the speech stage's segments.

Two formats:

- SubRip ``.srt`` (Video-MME's ``subtitle/<videoID>.srt``), parsed with ``srt``; markup such as
  Video-MME's ``<font color="white" size=".72c">…</font>`` is stripped.
- LongVideoBench's subtitle JSON (``subtitles/<subtitle_path>``): a list of cues in one of two shapes,
  as the official loader (``longvideobench/longvideobench_dataset.py``) reads them:
  ``{"timestamp": [start, end], "text": …}`` with times in seconds (``end`` may be null), or
  ``{"start": "HH:MM:SS.fff", "end": "HH:MM:SS.fff", "line": …}``.

Example:
    >>> read_subtitles(Path("subtitles/abc_en.json"), offset=-item_start)  # doctest: +SKIP
    [(0.0, 2.5, 'hello'), ...]
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import srt

from keyclip.errors import InputError

_TAG = re.compile(r"<[^>]+>|\{\\[^}]*\}")  # HTML-ish tags and ASS override codes such as {\an8}


def read_subtitles(path: Path, offset: float = 0.0, duration: float | None = None) -> list[tuple[float, float, str]]:
    """The cues of ``path`` (``.srt`` or LongVideoBench ``.json``), sorted, times plus ``offset``.

    ``offset`` is added to every time (``EvalItem.subtitle_offset``: negative for LongVideoBench,
    whose subtitles are timed from the start of the longer source video). Cues that end at or before 0
    after the shift are dropped and starts are clamped to 0; with ``duration`` (seconds of the file),
    cues starting at or after it are dropped and ends clamped to it. A cue without an end (LVB's
    null) ends where the next cue starts, else at ``duration``, else where it starts. Empty texts are
    dropped. InputError if the file is missing or not in either format.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as e:
        raise InputError(f"cannot read subtitles {path}: {e.strerror or e}") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        raw = _json_cues(text, path)
    else:
        raw = _srt_cues(text, path)
    return _finish(raw, offset, duration)


def _srt_cues(text: str, path: Path) -> list[tuple[float, float | None, str]]:
    try:
        subs = list(srt.parse(text, ignore_errors=True))
    except srt.SRTParseError as e:  # pragma: no cover - ignore_errors makes this rare
        raise InputError(f"{path} is not a SubRip (.srt) file: {e}") from None
    if not subs and text.strip():
        raise InputError(f"{path} has no SubRip (.srt) cues")
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subs]


def _json_cues(text: str, path: Path) -> list[tuple[float, float | None, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        msg = f"{path} is not valid JSON (line {e.lineno}: {e.msg}); expected LongVideoBench subtitles"
        raise InputError(msg) from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of subtitle cues, got {type(data).__name__}")
    cues: list[tuple[float, float | None, str]] = []
    for n, cue in enumerate(data, 1):
        try:
            if "timestamp" in cue:
                start, end = cue["timestamp"]
                cues.append((float(start), None if end is None else float(end), str(cue.get("text") or "")))
            else:
                cues.append((_clock(cue["start"]), _clock(cue["end"]), str(cue.get("line") or cue.get("text") or "")))
            if not all(math.isfinite(t) for t in cues[-1][:2] if t is not None):
                raise ValueError("not a finite time")
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f"{path}: cue {n} has neither 'timestamp': [start, end] nor 'start'/'end' times: {str(cue)[:80]}"
            ) from None
    return cues


def _clock(value: Any) -> float:
    """``"HH:MM:SS.fff"`` / ``"MM:SS"`` / ``"HH:MM:SS,fff"`` / a number, in seconds."""
    if isinstance(value, int | float):
        return float(value)
    parts = str(value).strip().replace(",", ".").split(":")
    if not 1 <= len(parts) <= 3:
        raise ValueError(value)
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _finish(
    raw: list[tuple[float, float | None, str]], offset: float, duration: float | None
) -> list[tuple[float, float, str]]:
    raw = sorted(raw, key=lambda c: c[0])
    out: list[tuple[float, float, str]] = []
    for i, (start, end, text) in enumerate(raw):
        if end is None:
            nxt = next((s for s, _, _ in raw[i + 1 :] if s > start), None)
            end = nxt if nxt is not None else (duration - offset if duration is not None else start)
        start, end = start + offset, max(end, start) + offset
        clean = " ".join(_TAG.sub("", text).split())
        if not clean or end <= 0:
            continue
        if duration is not None and start >= duration:
            continue
        start = max(start, 0.0)
        if duration is not None:
            end = min(end, duration)
        out.append((round(start, 3), round(end, 3), clean))
    return out


def subtitle_segments(path: Path, offset: float = 0.0, duration: float | None = None) -> list:
    """The cues of ``path`` as speech segments (``SpeechSegment`` with no word times, certain:
    log-probability 0, no-speech probability 0), for ``speech.source = "subtitles"``."""
    from keyclip.tools.asr import SpeechSegment

    return [SpeechSegment(t0=a, t1=b, text=text, words=(), avg_logprob=0.0, no_speech_prob=0.0)
            for a, b, text in read_subtitles(path, offset, duration)]
