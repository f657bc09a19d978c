"""Evidence for a question from one index: what was said, shown and seen, with times, and the
small text tools the agent reasons with (word matching weighted by how rare a word is in the
video, screen-text blocks, first mentions).

Every function reads the index only; nothing here calls an LLM.

Example:
    >>> ev = Evidence(store, embedder)                                 # doctest: +SKIP
    >>> ev.search("when is the load factor defined?")[:3]              # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from keyclip.agent.claims import without_claims
from keyclip.index.query import Hit, search_store
from keyclip.index.screen import boilerplate, screen_groups, span_key, spans_inside
from keyclip.index.screen import normalise as _normalise
from keyclip.index.store import IndexStore, Record

KIND_NAMES = {"speech": "said", "ocr": "on screen", "objects": "seen", "scene": "footage"}
FOOTAGE_KINDS = ("footage", "talking head")
"""Scene kinds that are camera footage (counted and anchored as "the footage", "the clip")."""
CITATION_KINDS = {"speech": "speech", "ocr": "screen-text", "objects": "seen", "scene": "scene"}

_STOP = frozenset(
    "a an the and or of to in on at for by with from is are was were be been being it its this that these those "
    "there here what which who whom whose when where why how does do did done has have had can could will would "
    "should may might must shall not no yes as into than then so such very just about over under again also only "
    "he she they them his her their we you your our i me my lecturer lecture video speaker says say said "
    # words that describe the video rather than its content
    "slide slides clip clips recording footage screen shown show shows topic topics part section page".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'trees'/'tree', 'converted'/'converts'."""
    w = word.lower().removesuffix("'s")
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
                      "ninety": "90"})
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def _numbers_as_digits(words: list[str]) -> list[str]:
    """Runs of number words as one number: "thirty two" -> "32", "thirty thousand" -> "30000"."""
    out: list[str] = []
    total = current = 0
    run = False

    def flush() -> None:
        nonlocal total, current, run
        if run:
            out.append(str(total + current))
        total = current = 0
        run = False

    for w in words:
        if w in _SCALES:  # "thirty thousand", or "a hundred" on its own
            scale = _SCALES[w]
            run = True
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        elif w in _NUMBER_WORDS:
            current += int(_NUMBER_WORDS[w])
            run = True
        else:
            flush()
            out.append(w)
    flush()
    return out


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> tuple[str, ...]:
    """Stems of ``text``'s words without stop words, numbers as digits (speech recognition
    writes "14 days" and "30,000" where an option says "fourteen days" and "thirty thousand");
    memoised: records are matched many times."""
    words = _numbers_as_digits(_WORD.findall(_DIGIT_GROUPS.sub("", text.lower())))
    return tuple(stem(w) for w in words if w not in _STOP)


normalise = lru_cache(maxsize=1 << 16)(_normalise)
"""``keyclip.index.screen.normalise``, memoised: records are matched many times."""


def grounded_share(answer: str, evidence: list[str]) -> float:
    """Share of ``answer``'s content words found in the ``evidence`` it was written from (small
    LLMs sometimes ramble: text mostly made of words the video never said is not used); 0 for a
    degenerate loop ("00.00.00.00...")."""
    if re.search(r"(.{2,12}?)\1{4,}", answer):
        return 0.0
    said = {w for text in evidence for w in content_words(text)}
    words = [w for w in content_words(answer) if not any(ch.isdigit() for ch in w) and w != "evidence"]
    return sum(1 for w in words if w in said) / len(words) if words else 0.0


_REAL_WORD = re.compile(r"[A-Za-z]{3,}|\d+[/.:]\d+")


def is_text(line: str) -> bool:
    """Whether an OCR line is text someone wrote, not a reading of texture in footage ("A", "SY")."""
    return len(_REAL_WORD.findall(line)) >= 1 and sum(ch.isalnum() for ch in line) >= 4


def record_dict(r: Record) -> dict:
    """A record as the agent's drafts cite it."""
    return {"id": r.id, "kind": r.kind, "t0": r.t0, "t1": r.t1, "text": r.text}


@dataclass(frozen=True)
class ScreenBlock:
    """Text on screen together over one span (a slide, a caption, a page)."""

    t0: float
    t1: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


class Evidence:
    """Read-side helpers over one open index (``IndexStore.open(..., readonly=True)``)."""

    def __init__(self, store: IndexStore, embedder=None):
        self.store = store
        self.embedder = embedder
        self.records, self.claims = without_claims(store.records())
        """The video's records without the sentences that claim answers or instruct the reader
        (:mod:`keyclip.agent.claims`), and those sentences."""
        whole = {r.id: r for r in store.records()}
        self._by_id = {r.id: r for r in self.records}
        self._trimmed = {i for i, r in self._by_id.items() if whole[i].text != r.text}
        """Ids of records that lost a sentence (their stored vectors hold it still)."""
        docs = [set(content_words(r.text)) for r in self.records]
        df = Counter(w for d in docs for w in d)
        n = max(1, len(docs))
        self._idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        self._max_idf = math.log((n + 1) / 0.5)
        self._screens: dict[tuple[float, float], list[Record]] | None = None
        self._vector_cache: dict[str, np.ndarray] = {}
        self._record_vectors: dict[int, np.ndarray] | None = None
        self._blocks: list[ScreenBlock] | None = None
        self._footage: list[tuple[float, float]] | None = None
        self._boilerplate: set[str] | None = None

    def idf(self, word: str) -> float:
        return self._idf.get(word, self._max_idf)

    def search(self, query: str, k: int = 12, kinds: tuple[str, ...] | None = None) -> list[Hit]:
        """The ``k`` best records for ``query`` (hybrid retrieval), claims taken out."""
        hits = search_store(self.store, query, self.embedder, k=k + len(self.claims), kinds=kinds)
        return [replace(h, record=self._by_id[h.record.id]) for h in hits if h.record.id in self._by_id][:k]

    def at(self, t: float, pad: float = 0.0) -> list[Record]:
        """Records on at time ``t`` (± ``pad`` seconds), shortest first."""
        on = [r for r in self.records if r.t0 - pad <= t <= r.t1 + pad]
        return sorted(on, key=lambda r: (r.t1 - r.t0, r.t0))

    def same_screen(self, record: Record) -> list[Record]:
        """The screen-text lines shown together with ``record`` (its slide); ``[record]`` for
        speech and objects."""
        if record.kind != "ocr":
            return [record]
        if self._screens is None:
            self._screens = screen_groups(r for r in self.records if r.kind == "ocr")
        return self._screens.get(span_key(record), [record])

    def overlapping(self, t0: float, t1: float) -> list[Record]:
        return [r for r in self.records if r.t0 < t1 and r.t1 > t0]

    # -- matching ----------------------------------------------------------------------------

    def match(self, phrase: str, text: str) -> float:
        """How much of ``phrase`` is in ``text``, in [0, 1]: its content words weighted by rarity
        in this video (0.7) and its word pairs in order (0.3)."""
        want = content_words(phrase)
        if not want:
            return 1.0 if normalise(phrase) and normalise(phrase) in normalise(text) else 0.0
        have = content_words(text)
        have_set = set(have)
        weights = [self.idf(w) for w in want]
        words = sum(wt for w, wt in zip(want, weights) if w in have_set) / (sum(weights) or 1.0)
        pairs_want = set(zip(want, want[1:]))
        if not pairs_want:
            return words
        pairs = len(pairs_want & set(zip(have, have[1:]))) / len(pairs_want)
        return 0.7 * words + 0.3 * pairs

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts``: remembered per text (the same slide's window comes back
        question after question), only the new ones embedded."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._vector_cache))
        if todo:
            fresh = np.asarray(self.embedder.embed(todo), dtype=np.float32)
            fresh /= np.linalg.norm(fresh, axis=1, keepdims=True) + 1e-9
            if len(self._vector_cache) > 4096:
                self._vector_cache.clear()
            self._vector_cache.update(zip(todo, fresh))
        return np.stack([self._vector_cache[t] for t in texts])

    def similarity(self, texts_a: list[str], texts_b: list[str]) -> np.ndarray:
        """Cosine similarity (len(a) x len(b)) with the text embedder; zeros without one."""
        if self.embedder is None or not texts_a or not texts_b:
            return np.zeros((len(texts_a), len(texts_b)))
        return self._vectors(texts_a) @ self._vectors(texts_b).T

    def similarity_to_records(self, texts: list[str], records: list[Record]) -> np.ndarray:
        """Cosine similarity of ``texts`` to ``records`` using the vectors stored in the index
        (no re-embedding of the video's text); zeros without an embedder."""
        if self.embedder is None or not texts or not records:
            return np.zeros((len(texts), len(records)))
        if self._record_vectors is None:
            ids, matrix = self.store.embeddings()
            unit = matrix / (np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9) if len(ids) else matrix
            self._record_vectors = {i: unit[k] for k, i in enumerate(ids)}
        missing = [r.text for r in records if r.id not in self._record_vectors or r.id in self._trimmed]
        extra = dict(zip(missing, self._vectors(missing))) if missing else {}
        b = np.stack([extra[r.text] if r.text in extra else self._record_vectors[r.id] for r in records])
        return self._vectors(texts) @ b.T

    # -- structure ---------------------------------------------------------------------------

    def screen_blocks(self) -> list[ScreenBlock]:
        """Screen-text lines grouped by the span they share (a slide's lines appear and vanish
        together); blocks spanning several others (a running footer) are left out."""
        if self._blocks is None:
            groups = screen_groups(r for r in self.records if r.kind == "ocr")
            spans = sorted(groups)
            self._blocks = [ScreenBlock(span[0], span[1], tuple(r.text for r in groups[span]))
                            for span in spans if spans_inside(span, spans) < 2]
        return list(self._blocks)

    def heading_score(self, phrase: str, lines: list[str] | tuple[str, ...]) -> float:
        """How well ``phrase`` names a screen block: its first line (the title), or - a little
        less - the block as a whole (a slide that mentions it among other things)."""
        if not lines:
            return 0.0
        return max(self.match(phrase, lines[0]), 0.9 * self.match(phrase, " ".join(lines)))

    @staticmethod
    def join_showings(blocks: list[ScreenBlock], gap_s: float = 1.0) -> list[ScreenBlock]:
        """``blocks`` in time order with back-to-back ones (less than ``gap_s`` apart) joined:
        the separate showings of a screen."""
        out: list[ScreenBlock] = []
        for b in sorted(blocks, key=lambda b: b.t0):
            if out and b.t0 - out[-1].t1 < gap_s:
                out[-1] = ScreenBlock(out[-1].t0, b.t1, out[-1].lines)
            else:
                out.append(b)
        return out

    def footage_spans(self, min_s: float = 1.5) -> list[tuple[float, float]]:
        """Stretches of camera footage (scenes of kind footage or talking head; in an index
        without scene kinds, scenes without screen text); adjacent ones (cuts inside one clip)
        join (worked out once)."""
        if self._footage is None:
            ocr = [r for r in self.records if r.kind == "ocr" and is_text(r.text)]
            rows = self.store.scene_rows()
            kinds = all(r.kind for r in rows) and bool(rows)
            out: list[list[float]] = []
            for row in rows:
                a, b = row.t0, row.t1
                if kinds:
                    if row.kind not in FOOTAGE_KINDS or b - a <= 0:
                        continue
                elif sum(max(0.0, min(b, r.t1) - max(a, r.t0)) for r in ocr if r.t1 > a and r.t0 < b) > 0.3 * (b - a) \
                        or b - a <= 0:
                    continue
                if out and abs(out[-1][1] - a) < 0.05:
                    out[-1][1] = b
                else:
                    out.append([a, b])
            self._footage = [(a, b) for a, b in out]
        return [(a, b) for a, b in self._footage if b - a >= min_s]

    def recurring_lines(self) -> set[str]:
        """Screen-text lines (normalised) that are boilerplate: footers, logos (worked out once)."""
        if self._boilerplate is None:
            self._boilerplate = boilerplate(screen_groups(r for r in self.records if r.kind == "ocr"))
        return self._boilerplate

    def best_match(self, phrase: str) -> Record | None:
        """The record (speech or screen text) that holds most of ``phrase``."""
        scored = [(self.match(phrase, r.text), -r.t0, r) for r in self.records if r.kind != "objects"]
        return max(scored, key=lambda x: x[:2])[2] if scored else None

    def first_mention(self, phrase: str, threshold: float = 0.6) -> float | None:
        """Start of the earliest record that matches ``phrase`` well (≥ ``threshold`` x the best
        match), or None when nothing in the video matches it."""
        scored = [(self.match(phrase, r.text), r) for r in self.records if r.kind != "objects"]
        if not scored:
            return None
        best = max(s for s, _ in scored)
        if best < 0.34:
            return None
        return min(r.t0 for s, r in scored if s >= max(threshold * best, 0.34))
