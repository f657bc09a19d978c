"""Temporal anchors inside a question, resolved to spans of the video before anything is
answered.

"What does the lecturer say *while the slide titled 'Load Factor' is on screen*?", "what is
shown *when the speaker mentions boosters*?", "*right after* she says X, what ...", "the last
point made *on the slide about* X", "*near the end of the footage of* X": the anchor names a
part of the video in one stream; the answer lies inside (or next to) that part, often in
another stream. :func:`find_anchor` reads the anchor's wording (the phrase and which stream
names it); :func:`resolve_anchor` finds it in the index (a speech record, a slide's screen
block, a stretch of footage) and says where the answer must lie.

Example:
    >>> spec = find_anchor("What is on screen while the lecturer says 'ask not'?")
    >>> spec.phrase, spec.stream, spec.relation
    ('ask not', 'speech', 'during')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from keyclip.agent.evidence import Evidence, ScreenBlock, content_words
from keyclip.agent.questions import quoted_phrases
from keyclip.index.store import Record

Stream = Literal["speech", "screen", "footage"]
Relation = Literal["during", "after", "before", "start", "end", "first", "last"]

_WHO = r"(?:(?:the|a|an|that|this)\s+)?(?:lecturer|speaker|presenter|narrator|teacher|professor|instructor|host|" \
       r"voice|recorded voice|reader|someone|somebody|he|she|they|we|you)?"
_SAY = (r"(?:is\s+|are\s+)?(?:say|says|said|saying|mention|mentions|mentioned|mentioning|explain|explains|explained|"
        r"explaining|talk(?:s|ed|ing)? about|speak(?:s|ing)? about|describe|describes|described|describing|state|"
        r"states|stated|stating|ask|asks|asked|read|reads|is heard saying|can be heard saying|introduce|introduces|"
        r"introduced|introducing|define|defines|defined|defining|compare|compares|compared|name|names|named|naming|"
        r"list|lists|listed|listing|read out|reads out|recite|recites|reciting|quote|quotes|quoting)")
_END = r"(?=\s*(?:[?,;]|$|\s+(?:what|which|who|how|is|are|does|do|did|can)\b))"
_END_SAID = r"(?=\s*(?:[?,;]|$|\s+(?:what|which|who|how)\b))"
"""A spoken phrase runs to the end of its clause ("says that X is Y, what ...")."""
_SCREEN_NOUN = r"(?:slide|page|screen|image|picture|photo|photograph|scan|chart|diagram|table|title|text|caption|card|sign)"
_FOOTAGE_NOUN = r"(?:footage|clip|video clip|shot|scene|film|camera footage|recording)"

_SAID_WHILE = re.compile(rf"\b(?:while|when|as|just as|at the moment|at the time)\s+{_WHO}\s*{_SAY}\s+(?P<x>.+?){_END_SAID}", re.I)
_PLAYING_WHILE = re.compile(
    r"\b(?:while|when|as)\s+(?P<x>(?:the|a|an)\s+(?:[\w'-]+\s+){0,4}?(?:recording|excerpt|audio|voice|audiobook|"
    r"speech|quote|quotation|passage)\b.*?)\s+(?:is|are)\s+(?:playing|played|heard|audible|spoken|read)\b", re.I)
_SHOWN_WHILE = re.compile(
    r"\b(?:while|when|as)\s+(?P<x>(?:the|a|an)\s+.+?)\s+(?:is|are)\s+(?:being\s+)?(?:shown|on screen|on the screen|"
    r"displayed|visible|up|projected|playing|presented)\b", re.I)
_NEXT_TO_SAID = re.compile(rf"\b(?:right|just|immediately|directly|shortly)?\s*(?P<rel>after|before)\s+{_WHO}\s*"
                           rf"(?:has\s+|had\s+)?{_SAY}\s+(?P<x>.+?){_END_SAID}", re.I)
_NEXT_TO_SHOWN = re.compile(
    rf"\b(?:right|just|immediately|directly|shortly)?\s*(?P<rel>after|before)\s+(?P<x>the\s+(?:[\w'-]+\s+){{0,4}}?"
    rf"(?:{_SCREEN_NOUN}|{_FOOTAGE_NOUN})\b.*?){_END}", re.I)
_ORDINAL = re.compile(r"\b(?:for the|the)\s+(first|second|third|fourth|last|final)\s+(?:time|showing|appearance)\b|"
                      r"\b(again|once more|a second time|later on)\b", re.I)
_ON_SLIDE = re.compile(
    rf"\b(?:on|in|from|during)\s+the\s+{_SCREEN_NOUN}\s+(?:that is\s+)?(?:titled|called|named|headed|entitled|"
    rf"labelled|labeled|with the title|about|on|covering|listing)\s+(?P<x>.+?){_END}", re.I)
_IN_FOOTAGE = re.compile(
    rf"\b(?:in|during|of|from|within)\s+the\s+{_FOOTAGE_NOUN}\s+(?:of|showing|with|where|in which|that shows|about)\s+"
    rf"(?P<x>.+?){_END}"
    rf"|\b(?:in|during|within)\s+the\s+(?P<x2>(?:[\w'-]+\s+){{1,3}}?){_FOOTAGE_NOUN}\b", re.I)
"""'in the footage of X' / 'in the animated clip' (X = what it shows, or how it is described)."""
_POSITION = re.compile(
    r"\b(?P<pos>near the (?:start|beginning)|at the (?:start|beginning)|in the first (?:few )?(?:seconds|moments)|"
    r"near the end|at the end|towards? the end|in the (?:last|final|closing) (?:few )?(?:seconds|moments)|"
    r"(?:first|opening|last|final|closing) (?:point|thing|sentence|remark|statement|words?|line|bullet))\b", re.I)

FOOTAGE_EDGE_S = 3.0
"""How much of a footage clip its "start" / "end" / "last seconds" mean."""
NEXT_WINDOW_S = 20.0
"""How far "right after" / "just before" reaches."""
MIN_STRENGTH = 0.5
"""A phrase matched less well than this does not anchor anything."""
SEMANTIC_MIN = 0.5
SEMANTIC_MARGIN = 0.08
"""A spoken anchor found by meaning (MiniLM cosine) only: at least this, and this far ahead of the next."""


@dataclass(frozen=True)
class AnchorSpec:
    phrase: str
    """What the anchor names ("ask not", "the slide titled 'Load Factor'")."""
    stream: Stream
    """Which stream the phrase is found in."""
    relation: Relation
    """Where the answer lies relative to the anchor."""
    clause: str
    """The anchor's words in the question (left out of the question's focus)."""
    ordinal: int | None = None
    """Which showing ("the second time" -> 2, "the last time" -> -1) when the anchor recurs."""


@dataclass(frozen=True)
class Anchor:
    spec: AnchorSpec
    t0: float
    t1: float
    """The anchor's own span."""
    window: tuple[float, float]
    """Where the answer must lie."""
    strength: float
    """How well the phrase matched (0..1)."""
    records: tuple[Record, ...] = ()

    def holds(self, record: Record, slack: float = 0.5) -> bool:
        """Whether ``record`` lies (mostly) inside the answer window."""
        a, b = self.window
        inside = max(0.0, min(b, record.t1) - max(a, record.t0))
        return inside >= 0.5 * min(record.t1 - record.t0, b - a) or (a - slack <= record.t0 and record.t1 <= b + slack)


def _relation(question: str, default: Relation) -> Relation:
    m = _POSITION.search(question)
    if not m:
        return default
    pos = m.group("pos").lower()
    if any(w in pos for w in ("start", "beginning", "first", "opening")):
        return "first" if any(w in pos for w in ("point", "thing", "sentence", "remark", "statement", "word", "line", "bullet")) else "start"
    return "last" if any(w in pos for w in ("point", "thing", "sentence", "remark", "statement", "word", "line", "bullet")) else "end"


def _phrase(raw: str) -> str:
    quoted = quoted_phrases(raw)
    return quoted[0] if quoted else raw.strip(" \"'“”‘’")


def find_anchor(question: str) -> AnchorSpec | None:
    """The anchor ``question`` names, if any (wording only; nothing is looked up)."""
    for pattern, stream, relation in ((_NEXT_TO_SAID, "speech", None), (_SAID_WHILE, "speech", "during"),
                                      (_PLAYING_WHILE, "speech", "during"), (_NEXT_TO_SHOWN, "screen", None),
                                      (_ON_SLIDE, "screen", "during"), (_IN_FOOTAGE, "footage", "during"),
                                      (_SHOWN_WHILE, "screen", "during")):
        m = pattern.search(question)
        if not m:
            continue
        rel: Relation = (m.group("rel").lower() if relation is None else relation)  # type: ignore[assignment]
        raw = m.groupdict().get("x") or m.groupdict().get("x2") or ""
        kind: Stream = stream  # type: ignore[assignment]
        if pattern in (_SHOWN_WHILE, _NEXT_TO_SHOWN) and re.search(rf"\b{_FOOTAGE_NOUN}\b", raw, re.I):
            kind = "footage"
        if rel == "during":
            rel = _relation(question, "during")
        phrase = _phrase(raw)
        if not content_words(phrase) and not quoted_phrases(raw):
            continue
        return AnchorSpec(phrase, kind, rel, m.group(0), _ordinal(question))
    return None


def _ordinal(question: str) -> int | None:
    """Which showing the question means: 1, 2, 3, -1 for the last; None when it does not say."""
    m = _ORDINAL.search(question)
    if not m:
        return None
    word = (m.group(1) or m.group(2)).lower()
    return {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1, "final": -1}.get(word, 2)


_MEDIA_NOUN = (r"(?:recording|excerpt|audiobook|audio|voice|speech|quote|quotation|passage|reading|clip|footage|"
               r"video|film|slide|page|image|picture|photo|photograph|scan|chart|diagram|table|text|sign)")


def _describes(phrase: str) -> str:
    """The phrase without the words that name the anchor's kind ("the slide titled X" -> X,
    "the audiobook excerpt about X" -> X)."""
    text = re.sub(rf"^\s*(?:the|a|an)\s+(?:[\w'-]+\s+){{0,3}}?{_MEDIA_NOUN}\s+(?:titled|called|named|about|of|"
                  rf"showing|with|on|listing|mentioning|where|in which|that mentions)\s+", "", phrase, flags=re.I)
    return _phrase(text)


def _window(spec: AnchorSpec, t0: float, t1: float) -> tuple[float, float]:
    if spec.relation == "after":
        return (t1 - 0.3, t1 + NEXT_WINDOW_S)
    if spec.relation == "before":
        return (max(0.0, t0 - NEXT_WINDOW_S), t0 + 0.3)
    if spec.relation == "start":
        return (t0, min(t1, t0 + FOOTAGE_EDGE_S)) if spec.stream == "footage" else (t0, t0 + (t1 - t0) / 3)
    if spec.relation == "end":
        return (max(t0, t1 - FOOTAGE_EDGE_S), t1) if spec.stream == "footage" else (t1 - (t1 - t0) / 3, t1)
    return (t0, t1)


def _best_speech(ev: Evidence, phrase: str) -> tuple[float, list[Record]]:
    speech = [r for r in ev.records if r.kind == "speech"]
    if not speech:
        return 0.0, []
    scored = []
    for i, r in enumerate(speech):  # a phrase may run over two speech segments
        joined = r.text + " " + speech[i + 1].text if i + 1 < len(speech) else r.text
        scored.append((max(ev.match(phrase, r.text), 0.95 * ev.match(phrase, joined)), i))
    best, i = max(scored)
    if best < MIN_STRENGTH and ev.embedder is not None:  # "a voice names playing cards" -> "eight of spades..."
        sims = ev.similarity_to_records([phrase], speech)[0]
        order = sims.argsort()[::-1]
        top = float(sims[order[0]])
        runner = float(sims[order[1]]) if len(order) > 1 else 0.0
        if top >= SEMANTIC_MIN and top - runner >= SEMANTIC_MARGIN:
            return top, [speech[int(order[0])]]
    if best <= 0:
        return 0.0, []
    parts = [speech[i]]
    if i + 1 < len(speech) and ev.match(phrase, speech[i].text) < best - 1e-9:
        parts.append(speech[i + 1])
    return best, parts


def _best_block(ev: Evidence, phrase: str) -> tuple[float, ScreenBlock | None]:
    best, found = 0.0, None
    for b in ev.screen_blocks():
        score = ev.heading_score(phrase, b.lines)
        if score > best:
            best, found = score, b
    return best, found


def _showings(ev: Evidence, phrase: str, strength: float) -> list[ScreenBlock]:
    """Separate showings of the screen block(s) matching ``phrase`` as well as the best."""
    return ev.join_showings([b for b in ev.screen_blocks() if ev.heading_score(phrase, b.lines) >= strength - 1e-6])


def resolve_anchor(spec: AnchorSpec, ev: Evidence) -> Anchor | None:
    """Where in the video ``spec`` points, or None when the index holds nothing that matches it
    well enough (then the question is answered without an anchor, and says so)."""
    phrase = _describes(spec.phrase)
    if spec.stream == "speech":
        strength, parts = _best_speech(ev, phrase)
        if strength < MIN_STRENGTH or not parts:
            return None
        t0, t1 = parts[0].t0, parts[-1].t1
        return Anchor(spec, t0, t1, _window(spec, t0, t1), strength, tuple(parts))
    if spec.stream == "screen":
        strength, block = _best_block(ev, phrase)
        if strength < MIN_STRENGTH or block is None:
            return None
        if spec.ordinal is not None:  # "the second time the roadmap is shown": that showing
            shows = _showings(ev, phrase, strength)
            k = spec.ordinal - 1 if spec.ordinal > 0 else len(shows) - 1
            if not 0 <= k < len(shows):
                return None
            block = shows[k]
        recs = tuple(r for r in ev.overlapping(block.t0, block.t1) if r.kind == "ocr" and r.text in block.lines)
        return Anchor(spec, block.t0, block.t1, _window(spec, block.t0, block.t1), strength, recs)
    clips = ev.footage_spans()
    if not clips:
        return None
    scored = []
    for a, b in clips:  # which clip: what was seen or said in it
        inside = [r for r in ev.overlapping(a, b) if r.kind in ("objects", "speech")]
        scored.append((max((ev.match(phrase, r.text) for r in inside), default=0.0), a, b))
    best, a, b = max(scored)
    if best < MIN_STRENGTH and len(clips) > 1:
        return None
    strength = best if best >= MIN_STRENGTH else MIN_STRENGTH  # the only footage in the video
    return Anchor(spec, a, b, _window(spec, a, b), strength)


def footage_anchors(spec: AnchorSpec, ev: Evidence) -> list[Anchor]:
    """Every stretch of footage as a candidate for ``spec`` (which one the question means cannot
    be told from speech, screen text or detections)."""
    return [Anchor(spec, a, b, _window(spec, a, b), MIN_STRENGTH) for a, b in ev.footage_spans()]
