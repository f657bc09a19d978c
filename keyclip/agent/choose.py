"""A multiple-choice answer from the index alone, given only when its evidence carries it.

1. the question's anchor ("while X is said", "on the slide titled X", "in the footage of X") is
   resolved to a span first (:mod:`keyclip.agent.anchors`);
2. the options are judged inside it across streams, or over the whole video
   (:mod:`keyclip.agent.options`); options naming detector classes are judged against what was
   seen;
3. the winner is verified against the records it cites (:mod:`keyclip.agent.grounding`) and its
   calibrated probability of being right (:mod:`keyclip.agent.calibration`) must reach
   ``agent.min_confidence``; otherwise keyclip abstains, saying what it searched, what would be
   needed and where to look.

Example:
    >>> draft = choose(question, ev, load_calibration(), 0.5)                  # doctest: +SKIP
    >>> draft["letter"], draft["confidence"], draft["abstained"]                 # doctest: +SKIP
    ('B', 0.93, False)
"""

from __future__ import annotations

from keyclip import prompts
from keyclip.agent.anchors import Anchor, find_anchor, footage_anchors, resolve_anchor
from keyclip.agent.calibration import Calibration
from keyclip.agent.evidence import KIND_NAMES, Evidence, record_dict
from keyclip.agent.grounding import Grounding, ground_choice, strip_clause
from keyclip.agent.options import Judged, judge_in_anchor, judge_options, judge_seen
from keyclip.agent.questions import Question
from keyclip.console import clock as hms


def judge(q: Question, ev: Evidence) -> tuple[Judged, Grounding, Anchor | None]:
    """The judged options and the grounding of the best one."""
    spec = find_anchor(q.text)
    anchor = resolve_anchor(spec, ev) if spec else None
    rest = strip_clause(q.text, spec.clause) if spec else q.text
    time_options = all(o.span for o in q.options)
    candidates: list[Anchor | None] = [anchor]
    if spec is not None and anchor is None and spec.stream == "footage":
        # "the footage of X", X not findable without sight: the answer still lies inside *some*
        # footage - judge inside each stretch and keep the best-supported one
        candidates = list(footage_anchors(spec, ev)) or [None]

    def judge_at(where: Anchor | None) -> tuple[Judged, bool]:
        if q.needs_sight and not time_options:
            seen = judge_seen(ev, q, where.window if where else None)
            if seen is not None:
                return seen, True
        if where is not None and not time_options and q.kind not in ("count", "order"):
            return judge_in_anchor(ev, q, where, rest), False
        judged = judge_options(q, ev)
        assert judged is not None  # q has options
        return judged, False

    results = [(judge_at(where), where) for where in candidates]
    (judged, seen), anchor = max(results, key=lambda r: (r[0][0].best.score, r[0][0].confidence))
    return judged, ground_choice(q, judged, ev, anchor, rest, spec, seen_judged=seen), anchor


def choose(q: Question, ev: Evidence, calibration: Calibration, min_confidence: float,
           fallback: list[dict] | None = None) -> tuple[dict, str]:
    """The draft answer (``letter``, ``spans``, ``confidence``, ``cite``; or ``abstained`` with
    why) and a note for the turn log."""
    judged, grounding, anchor = judge(q, ev)
    best = judged.best
    option = next(o for o in q.options if o.letter == best.letter)
    p = calibration.probability(grounding.features)
    cite = [record_dict(r) for r in best.records]
    checks = {"features": {k: round(v, 3) for k, v in grounding.features.items()}, "method": judged.method,
              "best_option": best.letter, "probability": round(p, 3), "focus": list(grounding.focus),
              "anchor": ({"phrase": anchor.spec.phrase, "stream": anchor.spec.stream,
                          "relation": anchor.spec.relation, "span": [anchor.t0, anchor.t1]} if anchor else None)}
    note = f"options judged on text evidence: {judged.method}; p(right) {p:.2f}"
    if grounding.refusal or p < min_confidence:
        reason = grounding.refusal or (f"the evidence does not carry any option well enough (best {best.letter}, "
                                       f"probability {p:.2f} < {min_confidence:.2f})")
        if q.needs_sight and "vision-language" not in reason:
            reason += "; the question is about what is seen and no vision-language model is configured"
        return abstention(q, ev, reason, grounding, anchor, cite or (fallback or [])[:3], checks), note + "; abstained"
    if option.span:
        inside = [c for c in cite if c["t0"] < option.span[1] and c["t1"] > option.span[0]]
        spans = [[max(c["t0"], option.span[0]), min(c["t1"], option.span[1])] for c in inside[:1]] or [list(option.span)]
    else:
        spans = [[c["t0"], c["t1"]] for c in cite[:3]]
    because = ""
    if cite:
        c = cite[0]
        because = f" ({KIND_NAMES.get(c['kind'], c['kind'])} at {hms(c['t0'])}: \"{prompts.clean(c['text'])[:160]}\")"
    draft = {"answer": f"{best.letter}. {best.text}{because}", "letter": best.letter, "spans": spans,
             "confidence": p, "cite": cite or (fallback or [])[:2], "checks": checks}
    return draft, note


def _needs(reason: str, q: Question) -> str:
    if "speakers" in reason:
        return "Telling voices apart needs speaker separation in the index."
    if q.needs_sight or "seen" in reason:
        return "Answering it needs the pixels: a vision-language model (set KEYCLIP_VLM__BACKEND)."
    return "The video may not say or show it in words the index holds."


def abstention(q: Question, ev: Evidence, reason: str, grounding: Grounding, anchor: Anchor | None,
               cite: list[dict], checks: dict) -> dict:
    """An honest non-answer: why, what was searched, what would be needed, where to look."""
    watch: list[tuple[float, float]] = []
    if anchor is not None:
        watch.append(anchor.window)
    elif grounding.spec is not None and grounding.spec.stream == "footage":  # which clip is meant: all of them
        watch += ev.footage_spans()
    spans, where = worth_watching(watch + [(c["t0"], c["t1"]) for c in cite if c["t1"] > c["t0"]])
    focus = ", ".join(grounding.focus[:8]) or "the question's words"
    text = (f"Not answered: {reason}. Searched what is said, what is on screen and what was seen for: {focus}. "
            f"{_needs(reason, q)}{where}")
    return {"answer": text, "abstained": True, "reason": reason, "spans": spans, "confidence": 0.0, "cite": cite,
            "checks": checks}


def worth_watching(spans: list[tuple[float, float]], most: int = 4) -> tuple[list[list[float]], str]:
    """The first ``most`` distinct spans, and the sentence that points at them (" Worth
    watching: 0:05:07-0:05:27." or "" when there are none)."""
    distinct = list(dict.fromkeys((round(a, 2), round(b, 2)) for a, b in spans))[:most]
    text = (" Worth watching: " + ", ".join(f"{hms(a)}-{hms(b)}" for a, b in distinct) + ".") if distinct else ""
    return [list(x) for x in distinct], text
