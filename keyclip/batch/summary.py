"""A short summary and keywords for one indexed video, citing chapter times.

Extractive by default (nothing is made up): per chapter, the sentence closest in meaning to
what the whole chapter says (MiniLM vectors from the index); of those, the ones closest to the
whole video, in time order. Keywords are the word pairs and words said and shown most often
across several chapters. With ``annotate.llm_text`` and an LLM, the LLM writes the prose from the
fenced chapter texts instead.

Example:
    >>> text, keywords = summarise(store, chapters, settings.annotate)     # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from keyclip import prompts
from keyclip.agent.evidence import grounded_share
from keyclip.batch.chapters import Chapter
from keyclip.batch.slides import Slide, distinct_slides
from keyclip.console import clock
from keyclip.index.store import IndexStore, Record
from keyclip.settings import AnnotateOptions

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+-]*")
_STOP = frozenset(
    "a an the and or but of to in on at for by with from is are was were be been being it its this that these "
    "those there here what which who whom whose when where why how does do did done has have had can could will "
    "would should may might must shall not no yes as into than then so such very just about over under again "
    "also only he she they them his her their we you your our i me my us let's lets one two three four five six "
    "seven eight nine ten first next last more most much many some any each every all both either other another "
    "same like well way get gets got make makes made take takes use uses used going go goes say says said see "
    "today now end welcome back everyone if because while after before up down out off per via vs e.g i.e "
    "keep happen happens want need needs called means think know really actually thing things lot".split())


def _words(text: str) -> list[str]:
    return [w.lower().strip("'") for w in _WORD.findall(text)]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def keywords(chapters: list[Chapter], speech: list[Record], slides: list[Slide], top: int) -> list[str]:
    """Word pairs and words said or shown most (slide text counts double, footers not at all),
    favouring those found in several chapters; plurals count with their singular."""
    counts: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    spread: dict[str, set[int]] = {}

    def chapter_of(t: float) -> int:
        return next((i for i, c in enumerate(chapters) if c.start <= t < c.end), len(chapters) - 1)

    texts = [(1, r.t0, r.text) for r in speech]
    texts += [(2, a, line) for sl in slides for a, _ in sl.spans for line in sl.lines]
    for weight, t, text in texts:
        ws = _words(text)
        grams = [(w,) for w in ws if w not in _STOP and len(w) > 2]
        grams += [(x, y) for x, y in zip(ws, ws[1:]) if x not in _STOP and y not in _STOP and len(x) > 1 and len(y) > 1]
        k = chapter_of(t)
        for g in grams:
            key = " ".join(_singular(w) for w in g)
            counts[key] += weight
            surface.setdefault(key, Counter())[" ".join(g)] += 1
            spread.setdefault(key, set()).add(k)

    def score(key: str) -> float:
        return counts[key] * float(np.log1p(len(spread[key]))) * (1.6 if " " in key else 1.0)

    out: list[str] = []
    for key in sorted(counts, key=lambda g: (-score(g), g)):
        if counts[key] < 2:
            continue
        words = set(key.split())
        if any(words <= set(o.split()) for o in out):
            continue  # a word already inside a chosen pair
        out = [o for o in out if not (set(o.split()) < words)] + [key]
        if len(out) >= top:
            break
    return [surface[k].most_common(1)[0][0] for k in out]


def _central(records: list[Record], vectors: dict[int, np.ndarray]) -> Record | None:
    usable = [r for r in records if r.id in vectors and len(r.text.split()) >= 6] or \
             [r for r in records if r.id in vectors]
    if not usable:
        return max(records, key=lambda r: len(r.text), default=None)
    m = np.stack([vectors[r.id] for r in usable])
    centre = m.mean(axis=0)
    return usable[int(np.argmax(m @ centre))]


def summarise(store: IndexStore, chapters: list[Chapter], options: AnnotateOptions,
              slides: list[Slide] | None = None, llm=None) -> tuple[str, list[str], str]:
    """``(summary prose with chapter times, keywords, method)``."""
    speech = store.records("speech")
    keys = keywords(chapters, speech, slides if slides is not None else distinct_slides(store.ocr_spans()),
                    options.keywords)
    llm_note = ""
    if options.llm_text and llm is not None and speech:
        text = _llm_summary(llm, chapters, speech)
        if text:
            return text, keys, f"written by the LLM ({llm.name}) from the fenced chapter texts"
        llm_note = " (the LLM's summary was not grounded in the chapters, so it is not used)"
    ids, matrix = store.embeddings()
    vectors = {i: matrix[k] for k, i in enumerate(ids)} if len(ids) else {}
    picks: list[tuple[Record, Chapter]] = []
    for c in chapters:
        said = [r for r in speech if c.start <= r.t0 < c.end]
        best = _central(said, vectors) if said else None
        if best is not None:
            picks.append((best, c))
    if not picks:
        return "No speech was found in this video.", keys, "extractive"
    if vectors and all(r.id in vectors for r, _ in picks):
        centre = np.mean([vectors[r.id] for r in speech if r.id in vectors], axis=0)
        picks.sort(key=lambda p: -float(vectors[p[0].id] @ centre))
    picks = sorted(picks[: options.summary_sentences], key=lambda p: p[0].t0)
    prose = " ".join(f"{r.text.strip()} ({clock(c.start)}, {c.title})" for r, c in picks)
    return prose, keys, "extractive: the most central sentence of the most central chapters" + llm_note


def _llm_summary(llm, chapters: list[Chapter], speech: list[Record]) -> str | None:
    from keyclip.backends.chat import BackendError

    lines = []
    for c in chapters:
        said = " ".join(r.text.strip() for r in speech if c.start <= r.t0 < c.end)[:600]
        lines.append(prompts.EvidenceLine(c.start, c.end, "chapter", f"{c.title}: {said}"))
    try:
        reply = llm.chat([{"role": "system", "content": prompts.load("system").template},
                          {"role": "user", "content": prompts.render("summary", evidence=prompts.fence(lines))}],
                         max_tokens=300)
    except BackendError:
        return None
    text = reply.text.strip()
    if grounded_share(text, [x.text for x in lines]) < 0.6:
        return None  # not written from the chapters: keep the extractive summary
    return text


def summary_markdown(video_name: str, duration: float, chapters: list[Chapter], prose: str,
                     keys: list[str], method: str) -> str:
    out = [f"# Summary: {video_name}", "",
           f"{clock(duration)} · {len(chapters)} chapters", "", prose, "",
           "## Keywords", "", ", ".join(keys) or "(none)", "", "## Chapters", ""]
    out += [f"- {clock(c.start)} {c.title}" for c in chapters]
    out += ["", f"<sub>Summary: {method}.</sub>", ""]
    return "\n".join(out)
