"""Transcript outputs from an index's speech: SubRip (``srt``), WebVTT (``webvtt-py``) and JSON
with segment and word times.

Example:
    >>> segments = store.speech()                                         # doctest: +SKIP
    >>> to_srt(segments), to_vtt(segments), to_json(segments, "en")       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re

import srt
import webvtt

from keyclip.tools.asr import SpeechSegment

_BLANK_LINES = re.compile(r"\n\s*\n+")


def cue_text(text: str) -> str:
    """Text safe inside a subtitle cue: no ``-->``, no blank lines (they end a cue)."""
    return _BLANK_LINES.sub("\n", text.replace("-->", "→")).strip() or "…"


def vtt_text(text: str) -> str:
    """Cue text for WebVTT, where ``&``, ``<`` and ``>`` start entities and tags."""
    return cue_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_time(seconds: float) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _ends(segments: list[SpeechSegment]) -> list[tuple[float, float]]:
    """Cue times: never before 0, each cue at least 0.1 s long, never running into the next one."""
    out = []
    for i, seg in enumerate(segments):
        start = max(0.0, seg.t0)
        end = max(seg.t1, start + 0.1)
        if i + 1 < len(segments):
            end = min(end, max(segments[i + 1].t0, start + 0.001))
        out.append((start, end))
    return out


def to_srt(segments: list[SpeechSegment]) -> str:
    subs = [srt.Subtitle(i, dt.timedelta(seconds=a), dt.timedelta(seconds=b), cue_text(seg.text))
            for i, (seg, (a, b)) in enumerate(zip(segments, _ends(segments)), start=1)]
    return srt.compose(subs, reindex=False)


def to_vtt(segments: list[SpeechSegment]) -> str:
    captions = [webvtt.Caption(vtt_time(a), vtt_time(b), vtt_text(seg.text))
                for seg, (a, b) in zip(segments, _ends(segments))]
    return webvtt.WebVTT(captions=captions).content


def to_json(segments: list[SpeechSegment], language: str | None) -> dict:
    return {
        "language": language,
        "segments": [
            {"start": round(s.t0, 3), "end": round(s.t1, 3), "text": s.text.strip(),
             "avg_logprob": round(s.avg_logprob, 4), "no_speech_prob": round(s.no_speech_prob, 4),
             "words": [{"start": round(w.t0, 3), "end": round(w.t1, 3), "word": w.text,
                        "probability": round(w.probability, 4)} for w in s.words]}
            for s in segments
        ],
    }
