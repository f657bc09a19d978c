"""How good an index is against ground truth: scene cuts, speech, slide text.

Example:
    >>> cut_f1([10.0, 20.1], [10.0, 20.0, 30.0], tolerance=0.5).f1
    0.8
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jiwer

from keyclip.index.store import IndexStore


@dataclass(frozen=True)
class CutScore:
    precision: float
    recall: float
    f1: float
    matched: int
    predicted: int
    truth: int


def cut_f1(predicted: list[float], truth: list[float], tolerance: float = 0.5) -> CutScore:
    """Greedy one-to-one matching of cut times within ``tolerance`` seconds."""
    unused = sorted(predicted)
    matched = 0
    for t in sorted(truth):
        best = min(unused, key=lambda p: abs(p - t), default=None)
        if best is not None and abs(best - t) <= tolerance:
            unused.remove(best)
            matched += 1
    p = matched / len(predicted) if predicted else 0.0
    r = matched / len(truth) if truth else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return CutScore(round(p, 4), round(r, 4), round(f1, 4), matched, len(predicted), len(truth))


_NUMBER_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
                 "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


def normalise_words(text: str) -> str:
    """Lower case, punctuation dropped, hyphens split, 'mr'/'mister' and small numbers unified."""
    text = text.lower().replace("-", " ")
    words = re.findall(r"[a-z0-9']+", text)
    out = []
    for w in words:
        w = w.strip("'")
        w = {"mister": "mr"}.get(w, _NUMBER_WORDS.get(w, w))
        if w:
            out.append(w)
    return " ".join(out)


def word_error_rate(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalise_words(reference), normalise_words(hypothesis)))


def speech_text(store: IndexStore, t0: float = 0.0, t1: float = float("inf")) -> str:
    """Text of the speech segments whose middle lies in ``[t0, t1)`` (each segment counted once)."""
    rows = store.db.execute(
        "SELECT text FROM speech_segments WHERE (t0 + t1) / 2 >= ? AND (t0 + t1) / 2 < ? ORDER BY t0", (t0, t1)
    ).fetchall()
    return " ".join(r[0] for r in rows)


def titles_found(store: IndexStore, slides: list[dict], slack: float = 0.5) -> list[tuple[str, bool]]:
    """For each slide ``{title, start, end}``: was the title read by OCR inside the slide's span?"""
    spans = store.db.execute("SELECT t0, t1, text FROM ocr_spans").fetchall()
    out = []
    for slide in slides:
        want = normalise_words(slide["title"])
        ok = any(
            normalise_words(text) == want and t0 >= slide["start"] - slack and t0 < slide["end"]
            and t1 <= slide["end"] + slack
            for t0, t1, text in spans
        )
        out.append((slide["title"], ok))
    return out
