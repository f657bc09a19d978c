"""What sits beside a lecture player: its chapters, its distinct slides as thumbnails and its
transcript, every line a seek link (the page highlights the line being said as the video plays).

Built from the index (the same chapters and slides ``app.py annotate`` writes, without an LLM),
so they appear as soon as the stages they come from are committed.

Example:
    >>> panels = video_panels(Path("index.sqlite"), duration=750.0)               # doctest: +SKIP
    >>> panels.transcript_html(query="entropy")                                  # doctest: +SKIP
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from keyclip.index.store import IndexStore
from keyclip.settings import AnnotateOptions
from keyclip.ui.render import jpeg_data_url, page_clock, seek_link

MAX_SLIDES = 40


@dataclass
class VideoPanels:
    duration: float | None
    chapters: list[tuple[float, str]] = field(default_factory=list)
    slides: list[tuple[float, str, str | None]] = field(default_factory=list)
    """``(start, title, thumbnail data URL)``"""
    lines: list[tuple[float, float, str]] = field(default_factory=list)

    def suggestions(self, limit: int = 4) -> list[str]:
        """A few questions this video can answer: about its slides (their titles as the screen
        shows them), spread over the whole video. None for a video without slides."""
        titles, seen = [], set()
        for _, title, _ in self.slides:
            key = " ".join(title.lower().split())
            if len(key) >= 4 and key not in seen:
                seen.add(key)
                titles.append(" ".join(title.split())[:60])
        if len(titles) > limit:  # spread over the video, not its first minutes
            titles = [titles[round(i * (len(titles) - 1) / (limit - 1))] for i in range(limit)]
        templates = ("When is {} explained?", "What is said about {}?")
        return [templates[i % 2].format(t) for i, t in enumerate(titles)]

    def chapters_html(self) -> str:
        if not self.chapters:
            return '<p class="kc-kind">No chapters yet (they come from the scenes and screen text).</p>'
        items = "".join(f"<li>{seek_link(t, duration=self.duration)} {html.escape(title)}</li>"
                        for t, title in self.chapters)
        return f'<ol class="kc-chapters">{items}</ol>'

    def slides_html(self) -> str:
        if not self.slides:
            return '<p class="kc-kind">No slides found (none yet, or no text on screen).</p>'
        cards = []
        for t, title, thumb in self.slides[:MAX_SLIDES]:
            img = f'<img class="kc-thumb" src="{thumb}" alt="slide at {page_clock(t, self.duration)}">' if thumb else ""
            cards.append(f'<a class="kc-seek kc-slide" href="#kc-t={t:.2f}">{img}'
                         f'<span>{html.escape(page_clock(t, self.duration))} · {html.escape(title)}</span></a>')
        return f'<div class="kc-slides">{"".join(cards)}</div>'

    def transcript_html(self, query: str = "") -> str:
        words = [w for w in query.lower().split() if w]
        lines = [ln for ln in self.lines if all(w in ln[2].lower() for w in words)]
        if not self.lines:
            return '<p class="kc-kind">No transcript yet.</p>'
        if not lines:
            return f'<p class="kc-kind">No line says “{html.escape(query)}”.</p>'
        rows = "".join(f'<div class="kc-line">{seek_link(a, duration=self.duration)} {html.escape(text)}</div>'
                       for a, _, text in lines)
        return f'<div class="kc-transcript">{rows}</div>'


def video_panels(index_path: Path, duration: float | None = None) -> VideoPanels:
    """The panels of the index at ``index_path`` (what is committed of it so far)."""
    from keyclip.batch.chapters import make_chapters
    from keyclip.batch.slides import distinct_slides
    from keyclip.index.partial import pending_stages

    store = IndexStore.open(index_path, readonly=True)
    try:
        panels = VideoPanels(duration)
        panels.lines = [(s.t0, s.t1, s.text) for s in store.speech()]
        pending = set(pending_stages(store))
        if "scenes" in pending or "ocr" in pending:
            return panels
        slides = distinct_slides(store.ocr_spans())
        for i, slide in enumerate(slides):  # pictures for the slides the panel shows
            thumb = jpeg_data_url(store.keyframe_near(slide.start + 0.5)) if i < MAX_SLIDES else None
            panels.slides.append((slide.start, slide.title, thumb))
        if "embed" not in pending:
            chapters = make_chapters(store, AnnotateOptions(), duration, slides=slides)
            panels.chapters = [(c.start, c.title) for c in chapters]
        return panels
    finally:
        store.close()
