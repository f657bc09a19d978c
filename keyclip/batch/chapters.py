"""Chapters of one indexed video: boundaries where the slide (or the kind of picture) changes,
long stretches without a change split at topic shifts in speech, and titles from the slide, else
from the LLM, else from what is said or seen.

Boundaries come from the scenes (PySceneDetect cuts); adjacent scenes showing the same slide, or
both showing no text (cuts inside footage), are one chapter; anything shorter than
``annotate.min_chapter_s`` joins the chapter before it. A chapter longer than
``annotate.max_chapter_s`` (a talk filmed without slides) is split at the deepest dip in the
similarity of what is said before and after (MiniLM vectors of the speech, TextTiling-style).

Example:
    >>> chapters = make_chapters(store, settings.annotate)          # doctest: +SKIP
    >>> [(c.start, c.title) for c in chapters][:2]                  # doctest: +SKIP
    [(0.0, 'How Hash Tables Work'), (25.32, 'The Problem: Fast Lookup by Key')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from keyclip import prompts
from keyclip.agent.evidence import grounded_share
from keyclip.batch.slides import Slide, distinct_slides
from keyclip.console import clock
from keyclip.index.store import IndexStore, Record
from keyclip.settings import AnnotateOptions

_OBJECTS = re.compile(r"^(?:objects )?seen:\s*", re.I)


@dataclass
class Chapter:
    start: float
    end: float
    title: str
    source: str
    """Where the title came from: ``slide``, ``llm``, ``speech``, ``objects`` or ``none``."""
    slide: int | None = None
    kind: str | None = None
    """The kind of shot that fills most of it (slide, footage, still image, …), when known."""

    def to_dict(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "title": self.title,
                "title_from": self.source, "kind": self.kind}


def _slide_at(slides: list[Slide], a: float, b: float) -> int | None:
    """The slide on screen for most of [a, b] (at least half of it), if any."""
    best, best_cover = None, 0.0
    for i, s in enumerate(slides):
        cover = sum(max(0.0, min(b, y) - max(a, x)) for x, y in s.spans)
        if cover > best_cover:
            best, best_cover = i, cover
    return best if best_cover >= 0.5 * (b - a) else None


def _units(store: IndexStore, duration: float) -> list[tuple[float, float]]:
    scenes = [(a, b) for a, b in store.scenes() if b > a]
    return scenes or [(0.0, duration)]


def _topic_splits(a: float, b: float, speech: list[Record], vectors: dict[int, np.ndarray],
                  max_s: float) -> list[float]:
    """Where to split [a, b] so that no piece is longer than ``max_s``: the deepest dips in the
    similarity of the minute of speech before and after a segment boundary."""
    inside = [r for r in speech if a <= r.t0 < b and r.id in vectors]
    if b - a <= max_s or len(inside) < 2:
        return []
    window = min(60.0, max_s / 2)
    best, best_sim = None, 2.0
    for i, r in enumerate(inside[1:], start=1):
        t = r.t0
        if t - a < max_s / 4 or b - t < max_s / 4:
            continue
        # what is said in the window before and after (at least the neighbouring segment)
        before = [vectors[x.id] for x in inside[:i] if x.t0 >= t - window] or [vectors[inside[i - 1].id]]
        after = [vectors[x.id] for x in inside[i:] if x.t0 < t + window] or [vectors[r.id]]
        u, v = np.mean(before, axis=0), np.mean(after, axis=0)
        sim = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        if sim < best_sim:
            best, best_sim = t, sim
    if best is None:
        return []
    return [*_topic_splits(a, best, speech, vectors, max_s), best, *_topic_splits(best, b, speech, vectors, max_s)]


def _fallback_title(a: float, b: float, speech: list[Record], objects: list[Record]) -> tuple[str, str]:
    said = " ".join(r.text.strip() for r in speech if r.t0 < b and r.t1 > a).strip()
    if said:
        words = said.split()
        return " ".join(words[:8]).rstrip(",.;:") + ("…" if len(words) > 8 else ""), "speech"
    labels: dict[str, None] = {}
    for r in objects:
        if r.t0 < b and r.t1 > a:
            for part in re.sub(r"\([^)]*\)", "", _OBJECTS.sub("", r.text)).split(","):
                labels[re.sub(r"^\s*\d+\s+", "", part).strip()] = None
    labels.pop("", None)
    if labels:
        return "Footage: " + ", ".join(labels)[:80], "objects"
    return f"Untitled ({clock(a)})", "none"


def _main_kind(store: IndexStore, a: float, b: float) -> str | None:
    """The scene kind covering most of [a, b]."""
    cover: dict[str, float] = {}
    for row in store.scene_rows():
        if row.kind and row.t1 > a and row.t0 < b:
            cover[row.kind] = cover.get(row.kind, 0.0) + min(b, row.t1) - max(a, row.t0)
    return max(cover, key=cover.get) if cover else None


def _llm_title(llm, a: float, b: float, speech: list[Record]) -> str | None:
    said = [r for r in speech if r.t0 < b and r.t1 > a]
    if llm is None or not said:
        return None
    from keyclip.backends.chat import BackendError

    text = prompts.fence([prompts.EvidenceLine(r.t0, r.t1, "said", r.text) for r in said[:20]])
    try:
        reply = llm.chat([{"role": "system", "content": prompts.load("system").template},
                          {"role": "user", "content": prompts.render("chapter_title", evidence=text)}],
                         max_tokens=24, schema={"type": "object", "properties": {"title": {"type": "string"}},
                                                "required": ["title"]})
        data = reply.json()
        title = " ".join(str(data.get("title", "")).split()).strip('"') if isinstance(data, dict) else ""
    except (BackendError, ValueError):
        return None
    if grounded_share(title, [r.text for r in said[:20]]) < 0.5:
        return None  # a title made of words never said: use what was said instead
    return prompts.clean(title)[:80] or None


def make_chapters(store: IndexStore, options: AnnotateOptions, duration: float | None = None,
                  slides: list[Slide] | None = None, llm=None) -> list[Chapter]:
    """Chapters covering the whole video, in order."""
    duration = duration if duration is not None else float(store.meta("media", {}).get("duration") or 0.0)
    slides = slides if slides is not None else distinct_slides(store.ocr_spans())
    speech = store.records("speech")
    objects = store.records("objects")
    units = _units(store, duration)
    # 1. scenes -> runs of the same slide (or of no text: cuts inside footage); short runs join
    #    the run before them
    runs: list[list] = []  # [start, end, slide]
    for a, b in units:
        here = _slide_at(slides, a, b)
        if runs and here == runs[-1][2]:
            runs[-1][1] = b
        else:
            runs.append([a, b, here])
    merged: list[list] = []
    for run in runs:
        if merged and (run[1] - run[0] < options.min_chapter_s or run[2] == merged[-1][2]):
            merged[-1][1] = run[1]  # too short to be a chapter, or the same slide again after one
        else:
            merged.append(run)
    if len(merged) > 1 and merged[0][1] - merged[0][0] < options.min_chapter_s:
        merged[1][0] = merged[0][0]
        merged.pop(0)
    runs = merged
    # 2. long runs -> split at topic shifts in speech
    ids, matrix = store.embeddings()
    speech_ids = {r.id for r in speech}
    vectors = {i: matrix[k] for k, i in enumerate(ids) if i in speech_ids} if len(ids) else {}
    pieces = []
    for a, b, here in runs:
        cuts = [a, *_topic_splits(a, b, speech, vectors, options.max_chapter_s), b]
        pieces += [(x, y, here) for x, y in zip(cuts, cuts[1:])]
    # 3. titles
    chapters = []
    for a, b, here in pieces:
        if here is not None:
            title, source = slides[here].title, "slide"
            if chapters and chapters[-1].slide == here:  # a long slide split by topic: say which part
                title = f"{title} (continued)"
        else:
            title = _llm_title(llm, a, b, speech) if options.llm_text else None
            source = "llm"
            if title is None:
                title, source = _fallback_title(a, b, speech, objects)
        chapters.append(Chapter(a, b, title, source, here, _main_kind(store, a, b)))
    chapters[0].start = 0.0
    chapters[-1].end = max(chapters[-1].end, duration)
    return chapters


def chapters_markdown(chapters: list[Chapter], video_name: str) -> str:
    """A YouTube-style list: ``H:MM:SS Title`` per line, the first at 0:00:00."""
    lines = [f"# Chapters: {video_name}", ""]
    lines += [f"{clock(c.start)} {c.title}" for c in chapters]
    return "\n".join(lines) + "\n"


def chapters_vtt(chapters: list[Chapter]) -> str:
    """WebVTT chapter track (``<track kind="chapters">``)."""
    import webvtt

    from keyclip.batch.transcript import vtt_text, vtt_time

    return webvtt.WebVTT(captions=[webvtt.Caption(vtt_time(c.start), vtt_time(max(c.end, c.start + 0.001)),
                                                  vtt_text(c.title)) for c in chapters]).content
