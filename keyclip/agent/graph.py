"""The agent as a LangGraph ``StateGraph``:

    plan -> retrieve -> select -> look -> reflect -> answer
                ^          ^                 |
                |          +---- zoom -------+   (a VLM looks closer at one range)
                +------ retrieve again ------+   (text only: wider evidence)

- **plan**: what the question asks (rules, or the LLM with a JSON schema when ``agent.llm_plan``),
  its sub-queries, and - in a session - what "that" refers to (the previous answer's spans);
- **retrieve**: hybrid evidence for every sub-query, what is on at named times, and what follows
  or precedes the previous answer for follow-ups;
- **select**: key clips and a visual-token plan (``keyclip.selectors``) from the budget left;
  on a zoom turn, a denser plan inside one range;
- **look**: with a VLM, the planned frames (with their times) and the fenced evidence; without
  one, the evidence-grounded option judge (``options.py``), the LLM writing open answers, and an
  explicit abstention for questions that need eyes;
- **reflect**: done when confident, abstaining or out of turns; else zoom (VLM) or retrieve again;
- **answer**: the typed :class:`~keyclip.agent.result.Answer` with spans and citations.

Visual tokens over all turns never exceed ``select.budget``.
"""

from __future__ import annotations

import operator
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph

from keyclip import prompts
from keyclip.agent.calibration import Calibration, packaged_calibration
from keyclip.agent.choose import choose
from keyclip.agent.evidence import CITATION_KINDS, KIND_NAMES, Evidence
from keyclip.agent.letters import parse_letter
from keyclip.agent.open_answer import (
    count_answer,
    heading_explained,
    moment_answer,
    overview_answer,
    screen_answer,
    sight_abstention,
)
from keyclip.agent.questions import KINDS, Option, Question, parse_question
from keyclip.agent.result import Answer, Citation, Turn
from keyclip.agent.thumbs import keyframe_thumbnail, seen_thumbnail
from keyclip.agent.triage import about_whole_video, triage
from keyclip.agent.verify import check_open_answer, supporting
from keyclip.backends.chat import BackendError
from keyclip.console import clock as hms
from keyclip.index.store import IndexStore
from keyclip.selectors.budget import plan_zoom
from keyclip.selectors.plan import select_for_question, source_size
from keyclip.selectors.queries import sub_queries
from keyclip.selectors.token_models import token_model
from keyclip.settings import Settings

_FOLLOW_UP = re.compile(r"\b(that|this|it|then|there|he|she|they)\b", re.I)
_AFTER = re.compile(r"\b(after|next|then|following|afterwards|later)\b", re.I)
_SAYS = re.compile(r"\b(say|says|said|tell|tells|mention|explain|speak|speaks)\b", re.I)
_BEFORE = re.compile(r"\b(before|earlier|previous|preceding)\b", re.I)
OPEN_ANSWER_TOKENS = 120
"""Room for the one or two sentences the open-answer prompt asks for; a reply still going here rambles."""
PLAN_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string", "enum": list(KINDS)},
                   "sub_queries": {"type": "array", "items": {"type": "string"}, "maxItems": 4}},
    "required": ["type", "sub_queries"],
}
CHOICE_SCHEMA = {
    "type": "object",
    "properties": {"letter": {"type": "string"}, "answer": {"type": "string"},
                   "start": {"type": ["number", "null"]}, "end": {"type": ["number", "null"]}},
    "required": ["answer"],
}


class AgentState(TypedDict, total=False):
    question: str
    options: list[str]
    history: Annotated[list[dict], operator.add]
    """Earlier questions of the session with their answers and spans (kept by the checkpointer)."""
    parsed: dict
    anchor: dict | None
    evidence: list[dict]
    selection: dict | None
    draft: dict
    turns: list[dict]
    spent: int
    zoom: list[float] | None
    widen: int
    route: str
    result: dict


@dataclass
class Tools:
    """What the nodes use; opened once per ``ask``."""

    settings: Settings
    video: Path
    index_path: Path
    store: IndexStore
    evidence: Evidence
    llm: Any = None
    vlm: Any = None
    calibration: Calibration = field(default_factory=packaged_calibration)


def _question(d: dict) -> Question:
    opts = tuple(Option(o["letter"], o["text"], tuple(o["span"]) if o.get("span") else None) for o in d["options"])
    return Question(d["text"], d["kind"], opts, tuple(d["times"]), tuple(d["quoted"]), d["needs_sight"],
                    tuple(d["sub_queries"]))


def _as_dict(q: Question) -> dict:
    return {"text": q.text, "kind": q.kind, "times": list(q.times), "quoted": list(q.quoted),
            "needs_sight": q.needs_sight, "sub_queries": list(q.sub_queries),
            "options": [{"letter": o.letter, "text": o.text, "span": list(o.span) if o.span else None}
                        for o in q.options]}


def _system() -> dict:
    return {"role": "system", "content": prompts.load("system").template}


def build_graph(tools: Tools, checkpointer=None):
    s = tools.settings
    ev = tools.evidence

    def plan(state: AgentState) -> dict:
        start = time.perf_counter()
        q = parse_question(state["question"], state.get("options"))
        if about_whole_video(q) and not q.options:
            q = Question(q.text, "summary", q.options, q.times, q.quoted, False, q.sub_queries)
        history = state.get("history") or []
        stop = triage(q, has_previous_answer=bool(history and history[-1].get("spans")))
        if stop is not None:  # nothing to look up: say so, search nothing, ask no model
            turn = Turn(action="plan", seconds=time.perf_counter() - start, note=f"not searched: {stop.reason}")
            return {"parsed": _as_dict(q), "anchor": None, "evidence": [], "selection": None, "turns": [turn.model_dump()],
                    "draft": {"answer": stop.answer, "abstained": True, "reason": stop.reason, "spans": [],
                              "confidence": 0.0, "cite": []},
                    "spent": 0, "zoom": None, "widen": 0, "route": "answer", "result": {}}
        queries = sub_queries(q.text, [o.text for o in q.options]) + [x for x in q.quoted]
        note = "rules"
        text_tokens = 0
        if s.agent.llm_plan and tools.llm is not None:
            options = "\n".join(f"{o.letter}. {o.text}" for o in q.options)
            try:
                reply = tools.llm.chat([_system(), {"role": "user", "content": prompts.render(
                    "plan", question=prompts.clean(q.text), options=options)}], max_tokens=160, schema=PLAN_SCHEMA)
                planned = reply.json()
                text_tokens = reply.prompt_tokens + reply.completion_tokens
                if planned.get("type") in KINDS and q.kind in ("what", "why", "who"):
                    q = Question(q.text, planned["type"], q.options, q.times, q.quoted,
                                 planned["type"] == "visual", q.sub_queries)
                queries += [str(x) for x in planned.get("sub_queries", [])[:4] if str(x).strip()]
                note = "LLM"
            except BackendError as exc:
                note = f"rules (LLM plan failed: {exc})"
        anchor = None
        if history and history[-1].get("spans") and _FOLLOW_UP.search(q.text) and not q.times:
            prev = history[-1]
            direction = "after" if _AFTER.search(q.text) else "before" if _BEFORE.search(q.text) else "at"
            anchor = {"spans": prev["spans"], "direction": direction, "question": prev["question"]}
            note += f"; follow-up: {direction} the previous answer ({hms(prev['spans'][0][0])})"
        seen = list(dict.fromkeys(queries))
        q = Question(q.text, q.kind, q.options, q.times, q.quoted, q.needs_sight, tuple(seen))
        turn = Turn(action="plan", text_tokens=text_tokens, seconds=time.perf_counter() - start,
                    note=f"{q.kind} question; sub-queries from {note}: {'; '.join(seen)}")
        return {"parsed": _as_dict(q), "anchor": anchor, "evidence": [], "selection": None, "draft": {},
                "turns": [turn.model_dump()], "spent": 0, "zoom": None, "widen": 0, "route": "retrieve", "result": {}}

    def retrieve(state: AgentState) -> dict:
        q = _question(state["parsed"])
        k = s.agent.evidence_k * (1 + state.get("widen", 0))
        found: dict[int, dict] = {}

        def offer(r, score: float) -> None:
            if r.id not in found or found[r.id]["score"] < score:
                found[r.id] = {"id": r.id, "kind": r.kind, "t0": r.t0, "t1": r.t1, "text": r.text,
                               "score": round(score, 4)}

        for i, query in enumerate(q.sub_queries):
            hits = ev.search(query, k=k)
            if not hits:
                continue
            top = hits[0].score
            for h in hits:
                offer(h.record, (h.score / top) * (1.0 if i == 0 else 0.8))
        for t in q.times:
            for r in ev.at(t, pad=2.0)[:8]:
                offer(r, 1.0)
        anchor = state.get("anchor")
        if anchor:
            a0 = min(x[0] for x in anchor["spans"])
            a1 = max(x[1] for x in anchor["spans"])
            kinds = ("speech",) if _SAYS.search(q.text) else ("speech", "ocr")
            if anchor["direction"] == "after":
                near = [r for r in ev.records if a1 - 0.5 <= r.t0 <= a1 + 30 and r.kind in kinds]
                near.sort(key=lambda r: r.t0)
            elif anchor["direction"] == "before":
                near = [r for r in ev.records if a0 - 30 <= r.t1 <= a0 + 0.5 and r.kind in kinds]
                near.sort(key=lambda r: -r.t1)
            else:
                near = ev.overlapping(a0, a1)
            for rank, r in enumerate(near[:6]):
                offer(r, 1.2 - 0.1 * rank)  # what "that" points at outranks the words of the question
        evidence = sorted(found.values(), key=lambda e: (-e["score"], e["t0"]))
        return {"evidence": evidence}

    def select(state: AgentState) -> dict:
        q = _question(state["parsed"])
        remaining = s.select.budget - state.get("spent", 0)
        zoom = state.get("zoom")
        model = token_model(s.select.token_model)
        if zoom:
            plan = plan_zoom(zoom[0], zoom[1], remaining, model, source_size(tools.store), s.select)
            return {"selection": {"key_clips": [list(zoom)], "plan": plan.to_dict(), "zoom": True}}
        sel = select_for_question(tools.store, q.text, [o.text for o in q.options], s, ev.embedder,
                                  coverage=q.kind in ("count", "order", "summary"), budget=remaining,
                                  extra_queries=list(q.sub_queries[1:]))
        return {"selection": {"key_clips": [[c.t0, c.t1] for c in sel.key_clips], "plan": sel.plan.to_dict(),
                              "signals": list(sel.signals), "zoom": False}}

    def look(state: AgentState) -> dict:
        start = time.perf_counter()
        q = _question(state["parsed"])
        selection = state.get("selection") or {}
        plan = selection.get("plan") or {"clips": [], "total_tokens": 0}
        evidence = state.get("evidence") or []
        turns = list(state.get("turns") or [])
        action = "zoom" if selection.get("zoom") else ("retrieve-again" if state.get("widen") else "look")
        if tools.vlm is not None and plan["clips"]:
            draft, turn = look_with_vlm(tools, q, evidence, plan)
            turn.action = action
            turn.seconds = time.perf_counter() - start
            return {"draft": draft, "turns": turns + [turn.model_dump()],
                    "spent": state.get("spent", 0) + turn.visual_tokens}
        draft, text_tokens, note = _look_with_text(tools, q, evidence, selection)
        turn = Turn(action=action, clips=[tuple(c) for c in selection.get("key_clips", [])],
                    text_tokens=text_tokens, seconds=time.perf_counter() - start,
                    note=note + " (no VLM: frames planned, not seen)")
        return {"draft": draft, "turns": turns + [turn.model_dump()]}

    def reflect(state: AgentState) -> dict:
        draft = state.get("draft") or {}
        looks = sum(1 for t in state.get("turns") or [] if t["action"] != "plan")
        if draft.get("abstained") or draft.get("confidence", 0.0) >= s.agent.min_confidence or looks >= s.agent.max_turns:
            return {"route": "answer"}
        remaining = s.select.budget - state.get("spent", 0)
        if tools.vlm is not None and remaining > 0 and draft.get("spans"):
            a, b = draft["spans"][0]
            mid, half = (a + b) / 2, max(4.0, (b - a) / 2)
            return {"route": "select", "zoom": [max(0.0, mid - half), mid + half]}
        if state.get("widen", 0) >= 1:  # text only: a second, wider retrieval is all that can change
            return {"route": "answer"}
        return {"route": "retrieve", "widen": state.get("widen", 0) + 1}

    def answer(state: AgentState) -> dict:
        q = _question(state["parsed"])
        draft = state.get("draft") or {}
        turns = [Turn(**t) for t in state.get("turns") or []]
        spans = [tuple(x) for x in draft.get("spans", [])]
        citations = _citations(tools, draft.get("cite", []))
        result = Answer(
            question=state["question"], video=str(tools.video), answer=draft.get("answer", ""),
            letter=draft.get("letter"), spans=spans, citations=citations,
            confidence=round(float(draft.get("confidence", 0.0)), 3), abstained=bool(draft.get("abstained")),
            abstain_reason=draft.get("reason"), question_kind=q.kind, turns=turns, checks=draft.get("checks") or {},
            visual_tokens=sum(t.visual_tokens for t in turns), budget=s.select.budget,
            models={"llm": getattr(tools.llm, "name", None), "vlm": getattr(tools.vlm, "name", None)},
        )
        entry = {"question": state["question"], "answer": result.answer, "spans": [list(x) for x in spans]}
        return {"result": result.model_dump(mode="json"), "history": [entry]}

    g = StateGraph(AgentState)
    for name, fn in (("plan", plan), ("retrieve", retrieve), ("select", select), ("look", look),
                     ("reflect", reflect), ("answer", answer)):
        g.add_node(name, fn)
    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", lambda st: st["route"], {"retrieve": "retrieve", "answer": "answer"})
    g.add_edge("retrieve", "select")
    g.add_edge("select", "look")
    g.add_edge("look", "reflect")
    g.add_conditional_edges("reflect", lambda st: st["route"],
                            {"answer": "answer", "select": "select", "retrieve": "retrieve"})
    g.add_edge("answer", END)
    return g.compile(checkpointer=checkpointer)


# -- look: text only ----------------------------------------------------------------------------


def _evidence_lines(evidence: list[dict], n: int) -> list[prompts.EvidenceLine]:
    return [prompts.EvidenceLine(e["t0"], e["t1"], KIND_NAMES.get(e["kind"], e["kind"]), e["text"])
            for e in evidence[:n]]


def _options_block(q: Question) -> str:
    return "\n".join(f"{o.letter}. {prompts.clean(o.text)}" for o in q.options)


def _look_with_text(tools: Tools, q: Question, evidence: list[dict], selection: dict) -> tuple[dict, int, str]:
    s = tools.settings
    clips = selection.get("key_clips") or []
    if q.options:
        draft, note = choose(q, tools.evidence, tools.calibration, s.agent.min_confidence, fallback=evidence)
        text_tokens = 0
        if s.agent.llm_answer == "always" and tools.llm is not None and not draft.get("abstained"):
            try:
                reply = tools.llm.chat([_system(), {"role": "user", "content": prompts.render(
                    "look", evidence=prompts.fence(_evidence_lines(evidence, s.agent.prompt_evidence)),
                    frames_note="", question=prompts.clean(q.text), options=_options_block(q),
                    instruction=prompts.render("answer_choice", letters=", ".join(o.letter for o in q.options)))}],
                    max_tokens=96, schema={"type": "object", "properties": {
                        "letter": {"type": "string", "enum": [o.letter for o in q.options]},
                        "reason": {"type": "string"}}, "required": ["letter", "reason"]})
                text_tokens = reply.prompt_tokens + reply.completion_tokens
                letter = str(reply.json().get("letter", "")).strip()[:1].upper()
                if letter in {o.letter for o in q.options}:
                    chosen = next(o for o in q.options if o.letter == letter)
                    draft.update(letter=letter, answer=f"{letter}. {chosen.text}")
                    note += f"; LLM chose {letter}"
            except BackendError as exc:
                note += f"; LLM failed ({exc})"
        return draft, text_tokens, note
    if q.needs_sight:
        return sight_abstention(q, tools.evidence, [tuple(c) for c in clips]), 0, "abstained: needs sight"
    text_tokens = 0
    follow_up = bool(evidence) and evidence[0]["score"] > 1.0
    if q.kind == "summary" and not follow_up:
        return overview_answer(tools.store, tools.evidence, s.annotate), 0, "overview from the video's chapters"
    if not follow_up:
        shape = {"when": (moment_answer, "the tightest span holding the question's words"),
                 "what_shown": (screen_answer, "the screen text that holds the question's words"),
                 "count": (count_answer, "counted in the index")}.get(q.kind)
        shaped = shape[0](q, tools.evidence) if shape else None
        if shaped is not None:
            return shaped, 0, shape[1]
    # an open question: the best evidence, in the LLM's words when one is configured
    if not evidence:
        return ({"answer": "Nothing said or shown in this video matches the question.", "spans": [],
                 "confidence": 0.0, "cite": []}, 0, "no evidence")
    top = evidence[: max(1, min(3, len(evidence)))]
    if top[0]["score"] > 1.0:  # a follow-up: what "that" points at, in time order
        top = sorted([e for e in evidence if e["score"] > 1.0], key=lambda e: e["t0"])[:3]
    else:  # the best record answers; the others are cited only if they speak of the question
        top = [top[0], *supporting(q.text, top[1:], tools.evidence.match)]
        said = heading_explained(tools.evidence, q.text, top[0])
        if said is not None:  # a slide heading names the topic; what is said under it explains it
            top = [said, top[0], *[e for e in top[1:] if e.get("id") != said.get("id")]]
    spans = [[top[0]["t0"], top[-1]["t1"]]] if top[0]["score"] > 1.0 else [[top[0]["t0"], top[0]["t1"]]]
    quoted = " ".join(e["text"] for e in top) if top[0]["score"] > 1.0 else top[0]["text"]
    answer = f"At {hms(spans[0][0])}-{hms(spans[0][1])} ({KIND_NAMES.get(top[0]['kind'], top[0]['kind'])}): {quoted}"
    note = "extractive answer from the best evidence"
    if s.agent.llm_answer in ("open", "always") and tools.llm is not None and q.kind != "when":
        try:
            reply = tools.llm.chat([_system(), {"role": "user", "content": prompts.render(
                "look", evidence=prompts.fence(_evidence_lines(evidence, s.agent.prompt_evidence)),
                frames_note="", question=prompts.clean(q.text), options="",
                instruction=prompts.load("answer_open").template)}], max_tokens=OPEN_ANSWER_TOKENS)
            text_tokens = reply.prompt_tokens + reply.completion_tokens
            verdict = check_open_answer(reply.text, evidence[: s.agent.prompt_evidence],
                                        cut_off=reply.completion_tokens >= OPEN_ANSWER_TOKENS)
            if verdict.ok:
                answer = reply.text.strip()
                note = "LLM answer from the fenced evidence"
            else:
                note += f" ({verdict.why})"
        except BackendError as exc:
            note += f" (LLM failed: {exc})"
    # not calibrated (the model is fitted on multiple choice): how much of the question the answer holds
    confidence = min(1.0, tools.evidence.match(q.text, top[0]["text"]))
    return {"answer": answer, "spans": spans, "confidence": confidence, "cite": top}, text_tokens, note


# -- look: with a VLM ---------------------------------------------------------------------------


def look_with_vlm(tools: Tools, q: Question, evidence: list[dict], plan: dict) -> tuple[dict, Turn]:
    from keyclip.media.grab import grab_frames

    s = tools.settings
    clips = plan["clips"]
    frames = grab_frames(tools.video, [(c["t0"], c["t1"], list(c["timestamps"]), (c["width"], c["height"]))
                                       for c in clips])
    instruction = ("Reply with JSON: {\"answer\": short answer, \"letter\": the option letter or null, "
                   "\"start\": seconds, \"end\": seconds} giving the time span the answer rests on.")
    content = prompts.render(
        "look", evidence=prompts.fence(_evidence_lines(evidence, s.agent.prompt_evidence)),
        frames_note=f"{len(frames)} frames from the video come before this text, each labelled with its time.",
        question=prompts.clean(q.text), options=_options_block(q), instruction=instruction)
    reply = tools.vlm.look([_system(), {"role": "user", "content": content}], frames,
                           max_tokens=s.vlm.max_new_tokens, schema=CHOICE_SCHEMA)
    try:
        data = reply.json()
    except BackendError:
        data = {"answer": reply.text.strip()}
    letters = "".join(o.letter for o in q.options)
    worded = [f"{o.letter}. {o.text}" for o in q.options]
    # the letter field ("B", "(B)", "Option B"), else the words of the answer or the whole reply
    letter = (parse_letter(str(data.get("letter") or ""), letters)
              or parse_letter(str(data.get("answer") or reply.text), letters, worded)) if letters else None
    start, end = data.get("start"), data.get("end")
    spans = ([[float(start), float(end)]] if isinstance(start, int | float) and isinstance(end, int | float)
             and end >= start else [[c["t0"], c["t1"]] for c in sorted(clips, key=lambda c: -c["score"])[:1]])
    answer = str(data.get("answer") or "").strip()
    if letter:
        option = next(o for o in q.options if o.letter == letter)
        answer = f"{letter}. {option.text}" + (f" ({answer})" if answer and answer != option.text else "")
    cite = [{"kind": "frames", "t0": sp[0], "t1": sp[1], "text": f"{len(frames)} frames"} for sp in spans]
    draft = {"answer": answer, "letter": letter, "spans": spans, "confidence": 0.8 if answer else 0.0,
             "cite": cite + [e for e in evidence[:2]]}
    sizes = {f"{c['width']}x{c['height']}" for c in clips}
    counted = reply.extra.get("image_tokens")
    note = f"VLM {tools.vlm.name}" + (f"; its processor counted {counted} image tokens" if counted is not None else "")
    turn = Turn(action="look", clips=[(c["t0"], c["t1"]) for c in clips], frames=len(frames),
                resolution=", ".join(sorted(sizes)) or None, visual_tokens=int(plan["total_tokens"]),
                text_tokens=reply.prompt_tokens + reply.completion_tokens, note=note)
    return draft, turn


# -- citations ----------------------------------------------------------------------------------


def _citations(tools: Tools, cite: list[dict]) -> list[Citation]:
    out = []
    seen = set()
    for c in cite:
        key = (c.get("kind"), round(c["t0"], 2), c.get("text"))
        if key in seen:
            continue
        seen.add(key)
        kind = "frames" if c.get("kind") == "frames" else CITATION_KINDS.get(c.get("kind", ""), "speech")
        thumb = seen_thumbnail(tools.store, tools.index_path, c) if kind == "seen" else None
        out.append(Citation(kind=kind, start=round(c["t0"], 3), end=round(c["t1"], 3), text=c.get("text", ""),
                            thumbnail=thumb or keyframe_thumbnail(tools.store, tools.index_path, (c["t0"] + c["t1"]) / 2)))
    return out

