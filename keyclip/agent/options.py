"""Which answer option the video's text evidence supports, per question kind, with the records
each judgement rests on. This is the offline agent's reasoning: retrieval plus small, checkable
rules, so a 135M-parameter LLM never has to pick a letter it cannot reason about.

- ``when`` with time options: the option whose range holds the records most relevant to the
  question;
- ``count``: distinct screen-text blocks (slides) or speech records containing the named phrase,
  or the lines of the named slide;
- ``order``: the first mention of each compared item (or of each item of a listed order);
- otherwise (what was said / shown, who, why): how well each option's words - weighted by how
  rare they are in this video, and in order - and its meaning (MiniLM) match the evidence most
  relevant to the question, or the evidence at the time the question names.

Example:
    >>> judged = judge_options(question, Evidence(store, embedder))   # doctest: +SKIP
    >>> judged.best.letter, judged.confidence                          # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from keyclip.agent.anchors import Anchor
from keyclip.agent.counts import Count
from keyclip.agent.evidence import Evidence, content_words, is_text, normalise
from keyclip.agent.negation import denies
from keyclip.agent.questions import Question, quoted_phrases
from keyclip.agent.seen import classes_named, count_seen, counted_classes, seen_counts
from keyclip.agent.voices import voice_count
from keyclip.console import clock
from keyclip.index.store import Record

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NEVER = re.compile(r"\b(never|not (?:shown|covered|played|mentioned)|there is no|none)\b", re.I)
_SAME = re.compile(r"\b(same (?:time|slide)|side by side|simultaneous|together|both)\b", re.I)
_PAGE_NUMBER = re.compile(r"^\s*\d+\s*/\s*\d+\s*$")
_FOOTAGE = re.compile(r"\b(footage|video clips?|clips?|shots?|camera|filmed|film)\b", re.I)
_VOICES = re.compile(r"\b(voices?|speakers?|people (?:speak|talk)|narrators?|distinct (?:people|persons))\b", re.I)
DENIED = 0.25
"""An option the evidence denies keeps this share of its score."""
SLIDE_WINDOW = 0.8
"""Relevance of a whole slide relative to the line of it the question matched."""


@dataclass(frozen=True)
class OptionJudgement:
    letter: str
    text: str
    score: float
    records: tuple[Record, ...]
    """The evidence this option's score rests on (best first)."""


@dataclass(frozen=True)
class Judged:
    options: tuple[OptionJudgement, ...]
    method: str
    note: str = ""
    unsupported: str = ""
    """Why no layer of the index can carry this question ("" when one can)."""
    denied: frozenset[str] = frozenset()
    """Letters of options whose evidence denies them."""

    @property
    def best(self) -> OptionJudgement:
        return max(self.options, key=lambda o: (o.score, -ord(o.letter[0])))

    @property
    def confidence(self) -> float:
        """Margin of the best option over the runner-up, relative to the best, in [0, 1]."""
        scores = sorted((o.score for o in self.options), reverse=True)
        if not scores or scores[0] <= 0:
            return 0.0
        second = scores[1] if len(scores) > 1 else 0.0
        return float(np.clip((scores[0] - second) / scores[0], 0.0, 1.0))


_ABOUT_SCREEN = re.compile(r"\b(slide|screen|shown|shows|displayed|appears?|written|title[sd]?|page)\b", re.I)
_ABOUT_SPEECH = re.compile(r"\b(say|says|said|spoken|mention|mentions|explain|explains|describe|describes|"
                           r"give|gives|voice|heard|hear)\b", re.I)


def _kind_weights(q: Question) -> dict[str, float]:
    """A question about the screen trusts screen text more, one about speech trusts speech more."""
    screen, speech = bool(_ABOUT_SCREEN.search(q.text)), bool(_ABOUT_SPEECH.search(q.text))
    if screen and not speech:
        return {"ocr": 1.0, "speech": 0.5, "objects": 0.5}
    if speech and not screen:
        return {"ocr": 0.5, "speech": 1.0, "objects": 0.5}
    return {"ocr": 1.0, "speech": 1.0, "objects": 1.0}


def _relevance(ev: Evidence, q: Question, k: int = 30) -> dict[int, tuple[float, Record]]:
    """Record id -> (relevance in [0, 1], record) for the question and its quoted phrases: hybrid
    retrieval, weighted by the kind of evidence the question is about; a record holding a quoted
    phrase word for word is fully relevant."""
    weights = _kind_weights(q)
    out: dict[int, tuple[float, Record]] = {}

    def offer(rel: float, r: Record) -> None:
        rel *= weights.get(r.kind, 1.0)
        if r.id not in out or out[r.id][0] < rel:
            out[r.id] = (rel, r)

    for query in (q.text, *q.quoted):
        hits = ev.search(query, k=k)
        if not hits:
            continue
        top = hits[0].score
        for rank, h in enumerate(hits):
            offer((h.score / top) * (1.0 / (1 + 0.05 * rank)), h.record)
    named = classes_named(q.text)
    if named:  # "when is the street with a taxi and a cyclist shown": what the detector saw
        for r in ev.records:
            if r.kind == "objects":
                share = len(named & set(seen_counts(r.text))) / len(named)
                if share:
                    offer(0.9 * share, r)
    for phrase in q.quoted:
        exact = normalise(phrase)
        for r in ev.records:
            if normalise(r.text) == exact:
                offer(1.0, r)  # e.g. the slide's title line itself
            elif ev.match(phrase, r.text) >= 0.95:
                offer(0.8, r)
    return out


def _judge_times(ev: Evidence, q: Question) -> Judged:
    rel = _relevance(ev, q)
    judged = []
    for o in q.options:
        a, b = o.span  # type: ignore[misc]
        inside = []
        for score, r in rel.values():
            ov = max(0.0, min(b, r.t1) - max(a, r.t0))
            if ov > 0:
                inside.append((score * ov / max(min(r.t1 - r.t0, b - a), 1e-3), r))
        inside.sort(key=lambda x: -x[0])
        value = (inside[0][0] + 0.1 * sum(s for s, _ in inside[1:4])) if inside else 0.0
        judged.append(OptionJudgement(o.letter, o.text, value, tuple(r for _, r in inside[:3])))
    return Judged(tuple(judged), "time ranges holding the most relevant records")


def _number(text: str) -> int | None:
    m = re.search(r"\d+", text)
    if m:
        return int(m.group())
    for w in normalise(text).split():
        if w in _NUMBER_WORDS:
            return _NUMBER_WORDS[w]
    return None


def _count_target(q: Question) -> str | None:
    if q.quoted:
        return q.quoted[0]
    m = re.search(r"\bslide\s+(?:titled|called|named|headed|about|on)\s+(.+?)(?:\s+(?:is|was|gets?|put|shown|"
                  r"appears?)\b|[?(]|$)", q.text, re.I) or re.search(r"\bthe\s+([\w' -]+?)\s+slide\b", q.text, re.I)
    if m and re.search(r"\bhow many times\b", q.text, re.I):
        return m.group(1).strip()
    m = re.search(r"\b(?:mention|mentions|show|shows|contain|contains|say|says|said|include|includes)\s+(.+?)"
                  r"(?:\s+in\b|\s+on\b|\?|$)", q.text, re.I)
    return re.sub(r"^(?:the|a|an)\s+", "", m.group(1).strip(), flags=re.I) if m else None


def _scored_counts(q: Question, count: int, counted: list[Record], method: str) -> Judged:
    judged = []
    for o in q.options:
        n = _number(o.text)
        score = 0.0 if n is None else (1.0 if n == count else 0.5 / (1 + abs(n - count)))
        judged.append(OptionJudgement(o.letter, o.text, score, tuple(counted[:6])))
    return Judged(tuple(judged), f"counted {count} {method}")


def _judge_count(ev: Evidence, q: Question) -> Judged | None:
    counted = count_in_video(ev, q)
    if counted is None:
        return None
    if counted.count is None:
        return Judged(tuple(OptionJudgement(o.letter, o.text, 0.0, ()) for o in q.options), counted.method,
                      unsupported=counted.unsupported)
    return _scored_counts(q, counted.count, counted.records, counted.method)


def count_in_video(ev: Evidence, q: Question) -> Count | None:
    """What a *how many* question counts, from the index; None when it names nothing countable."""
    text = q.text.lower()
    target = _count_target(q)
    if _VOICES.search(text) and not target:
        return voice_count(ev, q.text)
    classes = counted_classes(q.text)
    if classes and not target:
        n, rows, why = count_seen(ev.store, classes, q.text)
        cited = [Record(-1 - i, "objects", o.first_t, max(o.last_t, o.first_t + 0.5),
                        f"seen: {o.count} {o.label} ({o.at_once} at once)") for i, o in enumerate(rows[:6])]
        return Count(n, cited, f"{' or '.join(sorted(classes))} the detector saw (tracked across frames)",
                     unsupported=why)
    if _FOOTAGE.search(text) and not re.search(r"\b(slides?|pages?|bullets?)\s+(?:mention|show|contain|list)", text):
        counted = _footage_records(ev)
        return Count(len(counted), counted, "stretches of footage without screen text (scene cuts inside "
                                            "one stretch join it)")
    blocks = ev.screen_blocks()
    counted: list[Record] = []
    count: int | None = None
    method = ""
    if re.search(r"\bhow many times\b", text) and target and re.search(r"\b(slides?|shown|screen|appear)", text):
        # occurrences, not distinct slides: the same slide shown again counts again
        shows = ev.join_showings([b for b in blocks if ev.match(target, b.lines[0] if b.lines else "") >= 0.99
                                  or normalise(target) in normalise(b.text)])
        counted = [Record(-1 - i, "ocr", b.t0, b.t1, target) for i, b in enumerate(shows)]
        return Count(len(shows), counted, f"times a screen showing {target!r} appears")
    if re.match(r"how many (bullet|points?|items?|lines?|entries)\b", text) and target:
        # lines of the slide whose title matches the target
        titled = [b for b in blocks if b.lines and ev.match(target, b.lines[0]) >= 0.99]
        if titled:
            block = titled[0]
            boilerplate = ev.recurring_lines()
            body = [ln for ln in block.lines[1:] if not _PAGE_NUMBER.match(ln) and normalise(ln) not in boilerplate]
            body = [ln for ln in body if not (ln[:1].islower())]  # a wrapped line continues the previous
            count, method = len(body), f"lines under the slide titled {block.lines[0]!r}"
            counted = [r for r in ev.overlapping(block.t0, block.t1) if r.kind == "ocr" and r.text in block.lines]
    elif target and re.search(r"\b(slides?|screens?|pages?|shown|show|text)\b", text):
        needle = normalise(target)
        hits: list = []
        words: list[set[str]] = []
        for b in blocks:  # distinct slides: the same slide shown again (OCR noise aside) counts once
            if not needle or needle not in normalise(b.text):
                continue
            mine = set(content_words(b.text))
            if any(len(mine & w) / max(1, len(mine | w)) >= 0.7 for w in words):
                continue
            words.append(mine)
            hits.append(b)
        count, method = len(hits), f"distinct screen-text blocks containing {target!r}"
        counted = [r for b in hits for r in ev.overlapping(b.t0, b.t1)
                   if r.kind == "ocr" and needle in normalise(r.text)]
    elif target and re.search(r"\b(say|says|said|mention|mentions|times)\b", text):
        needle = normalise(target)
        counted = [r for r in ev.records if r.kind == "speech" and needle in normalise(r.text)]
        count, method = len(counted), f"speech containing {target!r}"
    if count is None:
        return None
    return Count(count, counted, method)


def _footage_records(ev: Evidence) -> list[Record]:
    """The stretches of footage as records to cite (kind ``scene``, ids below zero)."""
    return [Record(-1 - i, "scene", a, b, "footage without screen text") for i, (a, b) in enumerate(ev.footage_spans())]


def covering_record(ev: Evidence, phrase: str) -> Record | None:
    """Where a topic is taken up: the first slide *titled* with it (an agenda slide that lists
    every topic up front does not cover them), else its first mention (or the one stretch of
    footage, for "the street footage")."""
    if _FOOTAGE.search(phrase):  # "the street footage": the stretch of footage, if there is one
        footage = _footage_records(ev)
        if len(footage) == 1:
            return footage[0]
    titled = [r for b in ev.screen_blocks() if b.lines and ev.match(phrase, b.lines[0]) >= 0.6
              for r in ev.overlapping(b.t0, b.t1) if r.kind == "ocr" and r.text == b.lines[0]]
    if titled:
        return min(titled, key=lambda r: r.t0)
    t = ev.first_mention(phrase)
    if t is None:
        return None
    at = [r for r in ev.records if r.kind != "objects" and abs(r.t0 - t) < 1e-6]
    return max(at, key=lambda r: ev.match(phrase, r.text)) if at else None


def _compared_items(q: Question) -> list[str]:
    """'Which comes first: X or Y?' -> [X, Y]."""
    text = q.text.rstrip("?")
    tail = text.split(":", 1)[1] if ":" in text else re.split(r"\bfirst\b", text, maxsplit=1)[-1]
    parts = [p.strip(" ,") for p in re.split(r",\s*or\s+|\s+or\s+", tail) if p.strip(" ,")]
    return parts if len(parts) >= 2 else []


def _item_phrase(item: str) -> str:
    quoted = quoted_phrases(item)
    return quoted[0] if quoted else item


def _judge_order(ev: Evidence, q: Question) -> Judged | None:
    lists = [[p.strip() for p in re.split(r",|\bthen\b|->|→", o.text) if p.strip()] for o in q.options]
    if all(len(items) >= 3 for items in lists):  # "in which order...": each option lists an order
        names = sorted({x.lower() for items in lists for x in items})
        covering = {n: covering_record(ev, n) for n in names}
        firsts = {n: r.t0 if r is not None else None for n, r in covering.items()}
        judged = []
        for o, items in zip(q.options, lists):
            times = [firsts.get(x.lower()) for x in items]
            pairs = [(a, b) for i, a in enumerate(times) for b in times[i + 1:] if a is not None and b is not None]
            agree = sum(1 for a, b in pairs if a < b) / len(pairs) if pairs else 0.0
            cited = tuple(r for r in (covering[x.lower()] for x in items) if r is not None)
            judged.append(OptionJudgement(o.letter, o.text, agree, cited))
        found = {n: t for n, t in firsts.items() if t is not None}
        return Judged(tuple(judged), "first mentions: " + ", ".join(f"{n} {t:.0f}s" for n, t in found.items()))
    items = _compared_items(q)
    if len(items) < 2:
        return None
    covering = [covering_record(ev, _item_phrase(x)) for x in items]
    if any(r is None for r in covering):
        return None
    firsts = [r.t0 for r in covering]  # type: ignore[union-attr]
    order = sorted(range(len(items)), key=lambda i: firsts[i])  # type: ignore[arg-type, return-value]
    same = abs(firsts[order[0]] - firsts[order[1]]) < 2.0  # type: ignore[operator]
    winner = items[order[0]]
    judged = []
    for o in q.options:
        if _NEVER.search(o.text):
            score = 0.0
        elif _SAME.search(o.text):
            score = 1.0 if same else 0.05
        else:
            mine = ev.match(o.text, winner) + ev.match(winner, o.text)
            other = max(ev.match(o.text, items[i]) + ev.match(items[i], o.text) for i in order[1:])
            score = max(0.0, mine - other) / 2 if not same else 0.1
        judged.append(OptionJudgement(o.letter, o.text, score, ()))
    judged = [OptionJudgement(j.letter, j.text, j.score, tuple(covering)) for j in judged]  # type: ignore[arg-type]
    return Judged(tuple(judged), "first mentions: " + ", ".join(f"{x} at {t:.0f}s" for x, t in zip(items, firsts)))


def _windows(ev: Evidence, q: Question, rel: dict[int, tuple[float, Record]],
             top: int = 12) -> list[tuple[float, str, Record, list[Record]]]:
    """Evidence texts to match options against: the most relevant records joined with their
    neighbours (a sentence split over two speech segments; the other lines of a slide), and
    what is on at named times."""
    speech = [r for r in ev.records if r.kind == "speech"]
    index = {r.id: i for i, r in enumerate(speech)}
    out = []
    seen: set[str] = set()
    for score, r in sorted(rel.values(), key=lambda x: (-x[0], x[1].t0)):
        candidates = [(score, [r])]
        if r.id in index:
            i = index[r.id]
            candidates = [(score, speech[max(0, i - 1): i + 2])]
        elif r.kind == "ocr":
            # the relevant line on its own (when every option is somewhere on the slide, the line
            # the question points at decides), then the whole slide, a little less relevant
            candidates = [(score, [r]), (SLIDE_WINDOW * score, ev.same_screen(r))]
        for value, parts in candidates:
            # screen lines are separate statements (a "not" on one line does not deny the next)
            text = ("; " if r.kind == "ocr" else " ").join(x.text for x in parts)
            if normalise(text) in seen:  # the same words again (a repeated slide or segment)
                continue
            seen.add(normalise(text))
            out.append((value, text, r, parts))
        if len(out) >= top:
            break
    for t in q.times:
        for r in ev.at(t, pad=2.0)[:12]:
            out.append((1.0, r.text, r, [r]))
    return out


def _judge_text(ev: Evidence, q: Question) -> Judged:
    rel = _relevance(ev, q)
    windows = _windows(ev, q, rel)
    if q.times:  # "the slide shown at 1:31": only what is on at that time counts
        windows = [w for w in windows if any(w[2].t0 - 2.0 <= t <= w[2].t1 + 2.0 for t in q.times)]
    if not windows:
        return Judged(tuple(OptionJudgement(o.letter, o.text, 0.0, ()) for o in q.options), "no evidence")
    return _score_windows(ev, q, windows, "option words and meaning against the most relevant evidence")


def _score_windows(ev: Evidence, q: Question, windows: list[tuple[float, str, Record, list[Record]]],
                   method: str) -> Judged:
    """Each option against each evidence window: its words (rarity-weighted, in order) and its
    meaning, scaled by the window's relevance; an option the window's own clause denies ("X does
    not mean Y") keeps only :data:`DENIED` of that window's score."""
    texts = [w[1] for w in windows]
    sims = ev.similarity([o.text for o in q.options], texts)
    judged = []
    denied: set[str] = set()
    for oi, o in enumerate(q.options):
        best, best_r, best_denied = 0.0, [], False
        for wi, (score, text, r, parts) in enumerate(windows):
            lexical = ev.match(o.text, text)
            value = (0.65 * lexical + 0.35 * max(0.0, float(sims[oi, wi]))) * (0.5 + 0.5 * score)
            is_denied = lexical > 0 and denies(o.text, text, ev.match)
            if is_denied:
                value *= DENIED
            if value > best:
                # cite the part of the window that holds the option, else the relevant record
                holder = max(parts, key=lambda x: (ev.match(o.text, x.text), x.id == r.id))
                best, best_r, best_denied = value, [holder], is_denied
        if not best_denied and any(ev.match(o.text, w[1]) >= 0.5 and denies(o.text, w[1], ev.match) for w in windows):
            # the video says it is not so, wherever else its words appear
            best, best_denied = best * DENIED, True
        if best_denied:
            denied.add(o.letter)
        judged.append(OptionJudgement(o.letter, o.text, best, tuple(best_r)))
    return Judged(tuple(judged), method, denied=frozenset(denied))


_ASKS_SCREEN = re.compile(r"\b(on screen|on the screen|shown|displayed|written|printed|title|titled|heading|slide|caption|"
                          r"visible|appears?|read|reads|text)\b", re.I)
_ASKS_SPEECH = re.compile(r"\b(say|says|said|mention|mentions|mentioned|explain|explains|explained|remark|claim|"
                          r"claims|state|states|heard|hear|voice|tell|tells|told|spoken|speak|speaks|lecturer says)\b",
                          re.I)


def answer_kinds(text: str, anchor_stream: str, relation: str = "during") -> tuple[str, ...]:
    """Which records can answer ``text`` (the question without its anchor): what is said, what is
    on screen, what was seen. A question anchored *during* speech asks about another stream;
    one anchored right after or before something said asks what is said next."""
    screen, speech = bool(_ASKS_SCREEN.search(text)), bool(_ASKS_SPEECH.search(text))
    if screen and not speech:
        return ("ocr", "objects")
    if speech and not screen:
        return ("speech",)
    if anchor_stream == "speech":
        # "what is shown when she says X" (not the saying itself); "right after she says X, what comes next"
        return ("speech",) if relation in ("after", "before") else ("ocr", "objects")
    return ("speech", "ocr", "objects")


def judge_in_anchor(ev: Evidence, q: Question, anchor: Anchor, rest: str) -> Judged:
    """Options against the evidence inside ``anchor``'s window only, in the stream(s) ``rest``
    (the question without the anchor's words) asks about; "first" / "last" take the first or
    last records of the window, "after" / "before" the ones next to it."""
    kinds = answer_kinds(rest, anchor.spec.stream, anchor.spec.relation)
    own = {x.id for x in anchor.records} if anchor.spec.stream == "speech" else set()  # not the anchor sentence itself
    inside = [r for r in ev.records if r.kind in kinds and anchor.holds(r) and r.id not in own
              and (r.kind != "ocr" or is_text(r.text))]
    inside.sort(key=lambda r: r.t0)
    rel = anchor.spec.relation
    if rel in ("after", "first", "start"):
        inside = inside[:3]
    elif rel in ("before", "last", "end"):
        inside = inside[-3:]
    if not inside:
        return Judged(tuple(OptionJudgement(o.letter, o.text, 0.0, ()) for o in q.options),
                      f"nothing in {'/'.join(kinds)} {rel} the anchor")
    windows: list[tuple[float, str, Record, list[Record]]] = []
    for i, r in enumerate(inside):
        # a screen line on its own (every option may be somewhere on the slide: the line that
        # also holds the rest of the question decides); a spoken sentence with the next segment
        parts = [r] if r.kind == "ocr" else [x for x in inside[i: i + 2] if x.kind == r.kind]
        text = " ".join(x.text for x in parts)
        windows.append((min(1.0, ev.match(rest, text)), text, r, parts))
    return _score_windows(ev, q, windows, f"options against {'/'.join(kinds)} {rel} "
                                           f"{clock_span(anchor.t0, anchor.t1)} (the question's anchor)")


def clock_span(a: float, b: float) -> str:
    return f"{clock(a)}-{clock(b)}"


def judge_seen(ev: Evidence, q: Question, window: tuple[float, float] | None) -> Judged | None:
    """Options that name detector classes ("white vans" -> truck/car) against what the detector
    saw (inside ``window`` when the question has an anchor): an option is carried when any
    class it may mean was seen there. None when fewer than two options name a class."""
    named = {o.letter: classes_named(o.text) for o in q.options}
    if sum(1 for v in named.values() if v) < 2:
        return None
    seen = [r for r in ev.records if r.kind == "objects"
            and (window is None or (r.t0 < window[1] and r.t1 > window[0]))]
    found: dict[str, list[Record]] = {}
    for r in seen:
        for cls in seen_counts(r.text):
            found.setdefault(cls, []).append(r)
    judged = []
    for o in q.options:
        classes = named[o.letter]
        hit = [cls for cls in classes if cls in found]
        score = 1.0 if classes and hit else 0.0
        records = tuple(dict.fromkeys(r for cls in hit for r in found[cls]))[:3]
        judged.append(OptionJudgement(o.letter, o.text, score, records))
    return Judged(tuple(judged), "option classes against the objects the detector saw"
                  + (f" in {clock_span(*window)}" if window else ""))


def judge_options(q: Question, ev: Evidence) -> Judged | None:
    """Scores for each option of ``q``, or None when it has no options."""
    if not q.options:
        return None
    if all(o.span for o in q.options):
        return _judge_times(ev, q)
    if q.kind == "count":
        judged = _judge_count(ev, q)
        if judged is not None:
            return judged
    if q.kind == "order":
        judged = _judge_order(ev, q)
        if judged is not None:
            return judged
    return _judge_text(ev, q)

