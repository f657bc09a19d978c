"""Open answers (no options) that point at the moment.

- *when is X said*: the speech record (a sentence or two) that holds X best - the moment, not
  the slide it was said over; *when is X shown*: the first appearance of the screen line that
  holds X;
- *what does the slide say about X* / *what is on screen*: the screen text of the block that
  holds X, its lines in order;
- *how many …*: the count the index can make, each counted record cited (or why it cannot);
- *what is this about / summarise / main points*: the video's chapters (computed from the
  index as ``annotate`` does), one citation per chapter, and its most central sentences;
- anything else: the best record, with the others cited only if they speak of the question.

Example:
    >>> draft = moment_answer(question, ev)        # doctest: +SKIP
    >>> draft["spans"]                              # doctest: +SKIP
    [[241.3, 246.9]]
"""

from __future__ import annotations

import re

from keyclip.agent.evidence import KIND_NAMES, Evidence, content_words, is_text, normalise, record_dict
from keyclip.agent.questions import Question
from keyclip.agent.seen import classes_named, seen_counts
from keyclip.console import clock as hms
from keyclip.index.store import IndexStore, Record

_SAID = re.compile(r"\b(say|says|said|saying|mention|mentions|mentioned|explain|explains|explained|talk|talks|"
                   r"speak|speaks|describe|describes|define|defines|defined|tell|tells|ask|asks|heard|hear|spoken|"
                   r"state|states|compare|compares|liken|likens|read out|reads out|voice)\b", re.I)
_SHOWN = re.compile(r"\b(shown|show|shows|appear|appears|displayed|on screen|on the screen|slide|written|visible|"
                    r"title|titled|play|plays|played|playing|seen)\b", re.I)
_SPEAKER = re.compile(r"\b(lecturer|speaker|presenter|narrator|teacher|professor|instructor|voice)\s+"
                      r"(?!is shown|appears)\w+", re.I)
"""'when does the lecturer warn ...': someone does something in words."""
_ON_SCREEN = re.compile(r"\b(slide|screen|written|displayed|listed|bullet|caption|title)\b", re.I)
_GENERIC = frozenset("when time moment point begin start first".split())


def _phrase(q: Question) -> str:
    if q.quoted:
        return " ".join(q.quoted)
    return " ".join(w for w in content_words(q.text) if w not in _GENERIC)


def _best(ev: Evidence, q: Question, kind: str) -> list[tuple[float, Record]]:
    """Records of ``kind`` ranked by how well they hold the question: its words (rarity-weighted),
    its meaning (MiniLM cosine; a paraphrase shares few words) and the retrieval rank; for what
    was seen, the detector classes the question names."""
    phrase = _phrase(q)
    records = [r for r in ev.records if r.kind == kind and (kind != "ocr" or is_text(r.text))]
    if not records:
        return []
    if kind == "objects":
        named = classes_named(q.text)
        scored = [(0.9 * len(named & set(seen_counts(r.text))) / len(named), r) for r in records] if named else []
        return sorted([x for x in scored if x[0] > 0], key=lambda x: (-x[0], x[1].t0))
    ranked = {h.record.id: i for i, h in enumerate(ev.search(q.text, k=30, kinds=(kind,)))}
    sims = ev.similarity_to_records([phrase or q.text], records)[0]
    scored = []
    for r, sim in zip(records, sims):
        value = 0.6 * (ev.match(phrase, r.text) if phrase else 0.0) + 0.4 * max(0.0, float(sim))
        if r.id in ranked:
            value += 0.1 / (1 + ranked[r.id])
        if value > 0:
            scored.append((value, r))
    scored.sort(key=lambda x: (-x[0], x[1].t0))
    return scored


MIN_WORD_COVER = 0.6
"""The spoken words must hold this share of the question's phrase to narrow a segment to them."""


def _words_holding(ev: Evidence, phrase: str, a: float, b: float) -> tuple[float, float]:
    """The shortest run of recognised words in [a, b] that holds as much of ``phrase`` as the
    whole span does (a quote inside a long segment), else [a, b] itself."""
    want = set(content_words(phrase))
    if not want:
        return a, b
    words = [(t0, t1, set(content_words(w))) for t0, t1, w in ev.store.db.execute(
        "SELECT t0, t1, word FROM speech_words WHERE t0 >= ? AND t1 <= ? ORDER BY t0", (a - 0.05, b + 0.05))]
    have = set().union(*(w for _, _, w in words)) & want if words else set()
    if len(have) < MIN_WORD_COVER * len(want):
        return a, b
    best = (a, b)
    for i in range(len(words)):
        got: set[str] = set()
        for j in range(i, len(words)):
            got |= words[j][2] & want
            if got >= have:
                if words[j][1] - words[i][0] < best[1] - best[0]:
                    best = (words[i][0], words[j][1])
                break
    return best


def moment_answer(q: Question, ev: Evidence) -> dict | None:
    """A *when* question: the tightest span in the stream the question names (said -> speech
    first; shown -> the first appearance of the screen line). None when nothing matches."""
    said = bool(_SAID.search(q.text) or _SPEAKER.search(q.text))
    shown = bool(_SHOWN.search(q.text))
    kinds = ("speech",) if said and not shown else ("ocr", "objects") if shown and not said else ("speech", "ocr")
    ranked = {kind: _best(ev, q, kind) for kind in kinds}
    ranked = {k: v for k, v in ranked.items() if v}
    if not ranked and len(kinds) < 3:  # the named stream holds nothing: try the others
        ranked = {k: v for k in ("speech", "ocr", "objects") if (v := _best(ev, q, k))}
    # the stream the question names, else the one that holds the question best
    for kind in sorted(ranked, key=lambda k: -ranked[k][0][0]):
        scored = ranked[kind]
        top, record = scored[0]
        if kind in ("ocr", "objects"):  # the first time that line (or one as good) is on screen
            same = [r for v, r in scored if v >= top - 1e-6]
            record = min(same, key=lambda r: r.t0)
        parts = [record]
        if kind == "speech":  # a phrase cut over two segments
            speech = [r for r in ev.records if r.kind == "speech"]
            i = next(k for k, r in enumerate(speech) if r.id == record.id)
            if i + 1 < len(speech):
                joined = record.text + " " + speech[i + 1].text
                if ev.match(_phrase(q), joined) > ev.match(_phrase(q), record.text) + 0.15:
                    parts.append(speech[i + 1])
        a, b = parts[0].t0, parts[-1].t1
        if kind == "speech":
            a, b = _words_holding(ev, _phrase(q), a, b)
        text = " ".join(p.text for p in parts)
        confidence = min(1.0, top)
        return {"answer": f"At {hms(a)}-{hms(b)} ({KIND_NAMES[kind]}): {text}", "spans": [[a, b]],
                "confidence": confidence, "cite": [record_dict(p) for p in parts]}
    return None


def count_answer(q: Question, ev: Evidence) -> dict | None:
    """*How many …*: the count the index can make (slides holding a phrase, showings of a
    slide, stretches of footage, spoken mentions) with each counted record cited; an abstention
    when no layer can count it (voices). None when it names nothing countable."""
    from keyclip.agent.options import count_in_video

    counted = count_in_video(ev, q)
    if counted is None:
        return None
    if counted.count is None:
        return {"answer": f"Not answered: {counted.unsupported}.", "abstained": True, "reason": counted.unsupported,
                "spans": [], "confidence": 0.0, "cite": []}
    cite = [record_dict(r) for r in counted.records[:8]]
    return {"answer": f"{counted.count} ({counted.method})", "spans": [[c["t0"], c["t1"]] for c in cite[:8]],
            "confidence": 0.5, "cite": cite}


def screen_answer(q: Question, ev: Evidence) -> dict | None:
    """What a slide / the screen states: the lines of the screen block that holds the question's
    words best. None when the question is not about the screen or nothing matches."""
    if not _ON_SCREEN.search(q.text):
        return None
    phrase = _phrase(q)
    best, found = 0.0, None
    for b in ev.screen_blocks():
        lines = [ln for ln in b.lines if is_text(ln) and ln.strip()]
        if not lines:
            continue
        # the slide titled with it before a slide that mentions it among other things
        value = ev.heading_score(phrase, lines) if phrase else 0.0
        if value > best:
            best, found = value, (b, lines)
    if found is None or best < 0.34:
        return None
    block, lines = found
    boiler = ev.recurring_lines()
    body = [ln for ln in lines if normalise(ln) not in boiler]
    cite = [record_dict(r) for r in ev.overlapping(block.t0, block.t1) if r.kind == "ocr" and r.text in body][:6]
    return {"answer": f"At {hms(block.t0)}-{hms(block.t1)} (on screen): " + "; ".join(body),
            "spans": [[block.t0, block.t1]], "confidence": min(1.0, best), "cite": cite}


def overview_answer(store: IndexStore, ev: Evidence, annotate_options) -> dict:
    """The whole video: its chapters (one citation each) as ``annotate`` makes them."""
    from keyclip.batch.chapters import make_chapters

    chapters = make_chapters(store, annotate_options)
    if not chapters or not ev.records:
        return {"answer": "Nothing said or shown in this video was indexed, so there is nothing to summarise.",
                "abstained": True, "reason": "empty index", "spans": [], "confidence": 0.0, "cite": []}
    cite = []
    for c in chapters:
        inside = [r for r in ev.overlapping(c.start, c.end) if r.kind in ("ocr", "speech")
                  and (r.kind != "ocr" or is_text(r.text))]
        title_line = next((r for r in inside if r.kind == "ocr" and r.text.strip() == c.title.strip()), None)
        holder = title_line or (inside[0] if inside else None)
        cite.append({"id": holder.id if holder else -1, "kind": holder.kind if holder else "scene",
                     "t0": c.start, "t1": c.end, "text": c.title})
    points = "; ".join(f"{c.title} ({hms(c.start)})" for c in chapters[:20])
    more = f"; and {len(chapters) - 20} more" if len(chapters) > 20 else ""
    return {"answer": f"The video in {len(chapters)} parts: {points}{more}.",
            "spans": [[c.start, c.end] for c in chapters[:20]], "confidence": 0.5, "cite": cite[:20]}


def sight_abstention(q: Question, ev: Evidence, clips: list[tuple[float, float]]) -> dict:
    """An open question about what is seen, without a VLM: not answered, but pointed at where
    to look - where the detector saw the objects it names, else the stretches of footage (the
    question's anchor first), else the key clips."""
    from keyclip.agent.anchors import find_anchor, resolve_anchor
    from keyclip.agent.choose import worth_watching

    named = classes_named(q.text)
    seen = [r for r in ev.records if r.kind == "objects" and named & set(seen_counts(r.text))] if named else []
    spec = find_anchor(q.text)
    anchor = resolve_anchor(spec, ev) if spec else None
    if seen:
        watch = [(r.t0, r.t1) for r in seen]
        found = "; ".join(f"{r.text.removeprefix('seen: ')} at {hms(r.t0)}-{hms(r.t1)}" for r in seen[:4])
        where = f" The detector saw {found}."
    else:
        watch = ([anchor.window] if anchor else []) + ev.footage_spans() + list(clips)
        where = _picture_guesses(ev, watch[:4])
    spans, look = worth_watching(watch)
    reason = ("the question is about what is seen, and no vision-language model is configured: the offline "
              "models read speech, screen text and detected objects only (set KEYCLIP_VLM__BACKEND)")
    return {"answer": "Not answered: I cannot see the video without a vision-language model." + where + look,
            "abstained": True, "reason": reason, "spans": spans, "confidence": 0.0,
            "cite": [record_dict(r) for r in seen[:4]]}


def _picture_guesses(ev: Evidence, spans: list[tuple[float, float]]) -> str:
    """The image classifier's best labels inside ``spans``, said as the guesses they are."""
    guesses: dict[str, tuple[float, float]] = {}
    for t, label, score in ev.store.frame_classes():
        if any(a <= t < b for a, b in spans) and score > guesses.get(label, (0.0, 0.0))[0]:
            guesses[label] = (score, t)
    if not guesses:
        return ""
    best = sorted(guesses.items(), key=lambda kv: -kv[1][0])[:3]
    return (" An image classifier's guesses (unchecked) for the pictures there: "
            + ", ".join(f"{label} ({score:.2f}, {hms(t)})" for label, (score, t) in best) + ".")


HEADING_WORDS = 6
"""A screen line this short is a heading (a slide title, a bullet), not an explanation."""


def heading_explained(ev: Evidence, question: str, best: dict) -> dict | None:
    """When the best evidence for an open question is a short screen line ("Collisions and
    Chaining" for "what is a collision?"), the sentence said while it was on screen that holds
    the question's words best - the explanation under the heading; None otherwise."""
    if best.get("kind") != "ocr" or len(best["text"].split()) > HEADING_WORDS:
        return None
    said = [r for r in ev.overlapping(best["t0"], best["t1"]) if r.kind == "speech"]
    scored = [(ev.match(question, r.text), r) for r in said]
    scored = [x for x in scored if x[0] > 0]
    if not scored:
        return None
    _, r = max(scored, key=lambda x: (x[0], -x[1].t0))
    return {**record_dict(r), "score": best.get("score", 0.0)}
