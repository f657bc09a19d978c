"""The methods an evaluation compares, each answering one item of one indexed video within the
same visual-token budget:

- ``agent``: the keyclip agent (plan, hybrid retrieval, key clips, look, reflect; several turns).
- ``keyclips``: one turn on the question's key clips (F2C selection + budget plan), nothing else.
- ``uniform``: one turn on frames spread evenly over the whole video (the usual baseline).

The single-turn methods see only what their frames cover: the VLM gets the planned frames, and
with ``evidence`` on, the speech and screen text on at those frames' times (Video-RAG style
aligned text; the same rule for both). Without a VLM (the offline default) they answer from that
text alone with the agent's option judge, so key clips and uniform frames are compared by what
their selection lets a reader know. Without evidence and without a VLM they have nothing to read
and abstain. The agent always retrieves text from the whole index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from keyclip.agent.calibration import packaged_calibration
from keyclip.agent.choose import choose
from keyclip.agent.evidence import Evidence
from keyclip.agent.questions import parse_question
from keyclip.backends.chat import BackendError
from keyclip.eval.items import EvalItem
from keyclip.index.store import IndexStore
from keyclip.selectors.budget import BudgetPlan, plan_uniform_frames
from keyclip.selectors.plan import select_for_question, source_size
from keyclip.selectors.token_models import token_model
from keyclip.settings import Settings

METHODS = ("agent", "keyclips", "uniform")


class Prediction(BaseModel):
    """One method's answer to one item (a row of the results file, with the run's config)."""

    letter: str | None = None
    answer: str = ""
    spans: list[tuple[float, float]] = Field(default_factory=list)
    abstained: bool = False
    visual_tokens: int = 0
    text_tokens: int = 0
    frames: int = 0
    turns: int = 1
    seconds: float = 0.0
    note: str = ""
    error: bool = False
    """The answer failed (a backend error, not a choice): a re-run asks again."""
    trajectory: dict = Field(default_factory=dict, exclude=True)
    """How the answer was reached: turns (clips, frame times, tokens), the evidence cited and the
    checks; written to the run's trajectory file, not to its results rows."""


class WindowedEvidence(Evidence):
    """An index's evidence restricted to the records on at some planned frame's time."""

    def __init__(self, store: IndexStore, embedder, times: list[float]):
        super().__init__(store, embedder)  # word rarity stays that of the whole video
        times = sorted(times)
        self._all = len(self.records)
        self.records = [r for r in self.records if _on_at_some(r.t0, r.t1, times)]
        self._ids = {r.id for r in self.records}

    def search(self, query: str, k: int = 12, kinds: tuple[str, ...] | None = None):
        # rank every record, then keep the windowed ones: the best of the whole video may all lie
        # outside a sparse selection
        hits = super().search(query, k=max(k, self._all), kinds=kinds)
        return [h for h in hits if h.record.id in self._ids][:k]


def _on_at_some(t0: float, t1: float, times: list[float]) -> bool:
    import bisect

    i = bisect.bisect_left(times, t0)
    return i < len(times) and times[i] <= t1


@dataclass
class VideoContext:
    """One indexed video with the models, shared by every item and method on it."""

    settings: Settings
    video: Path
    index_path: Path
    store: IndexStore
    embedder: object = None
    llm: object = None
    vlm: object = None
    _askers: dict = field(default_factory=dict, repr=False)

    def asker(self, budget: int):
        """The agent for this video at ``budget`` (its graph reads the budget when built)."""
        from keyclip.agent.run import Asker

        if budget not in self._askers:
            s = self.settings.model_copy(update={"select": self.settings.select.model_copy(update={"budget": budget})})
            self._askers[budget] = Asker(self.index_path, self.video, s, embedder=self.embedder, llm=self.llm,
                                         vlm=self.vlm, load_models=False)
        return self._askers[budget]

    def close(self) -> None:
        for asker in self._askers.values():
            asker.close()
        self.store.close()


def run_method(method: str, item: EvalItem, ctx: VideoContext, budget: int, evidence: bool) -> Prediction:
    """Answer ``item`` with ``method`` within ``budget`` visual tokens."""
    started = time.perf_counter()
    if method == "agent":
        pred = _agent(item, ctx, budget)
    elif method in ("keyclips", "uniform"):
        plan = _keyclip_plan(item, ctx, budget) if method == "keyclips" else _uniform_plan(ctx, budget)
        pred = _single_turn(item, ctx, plan, evidence)
    else:
        raise ValueError(f"unknown method {method!r}; methods: {', '.join(METHODS)}")
    pred.seconds = round(time.perf_counter() - started, 3)
    return pred


def _agent(item: EvalItem, ctx: VideoContext, budget: int) -> Prediction:
    answer = ctx.asker(budget).ask(item.question, item.options)
    trajectory = {"turns": [t.model_dump(mode="json") for t in answer.turns],
                  "evidence": [c.model_dump(mode="json", exclude={"thumbnail"}) for c in answer.citations],
                  "confidence": answer.confidence, "abstain_reason": answer.abstain_reason,
                  "checks": answer.checks, "notices": answer.notices}
    return Prediction(letter=answer.letter, answer=answer.answer, spans=list(answer.spans), abstained=answer.abstained,
                      visual_tokens=answer.visual_tokens, text_tokens=sum(t.text_tokens for t in answer.turns),
                      frames=sum(t.frames for t in answer.turns), turns=len(answer.turns),
                      note="; ".join(t.note for t in answer.turns)[:400], trajectory=trajectory)


def _keyclip_plan(item: EvalItem, ctx: VideoContext, budget: int) -> BudgetPlan:
    option_texts = [o.split(". ", 1)[-1] for o in item.options]
    selection = select_for_question(ctx.store, item.question, option_texts, ctx.settings, ctx.embedder,
                                    budget=budget)
    return selection.plan


def _uniform_plan(ctx: VideoContext, budget: int) -> BudgetPlan:
    media = ctx.store.meta("media") or {}
    duration = float(media.get("duration") or 0.0)
    return plan_uniform_frames(duration, budget, token_model(ctx.settings.select.token_model),
                               source_size(ctx.store), ctx.settings.select)


def _single_turn(item: EvalItem, ctx: VideoContext, plan: BudgetPlan, evidence: bool) -> Prediction:
    pred = _single_turn_answer(item, ctx, plan, evidence)
    turn = {"action": "look" if ctx.vlm is not None else "read", "clips": [[c.t0, c.t1] for c in plan.clips],
            "frame_times": [round(t, 3) for t in plan.timestamps()],
            "resolutions": sorted({f"{c.width}x{c.height}" for c in plan.clips}),
            "visual_tokens": pred.visual_tokens, "text_tokens": pred.text_tokens, "note": pred.note}
    pred.trajectory = {"turns": [turn], **pred.trajectory}
    return pred


def _single_turn_answer(item: EvalItem, ctx: VideoContext, plan: BudgetPlan, evidence: bool) -> Prediction:
    times = plan.timestamps()
    ev = WindowedEvidence(ctx.store, ctx.embedder, times if evidence else [])
    q = parse_question(item.question, item.options)
    # tokens count what a VLM was given (as the agent counts them): none without one
    base = Prediction(visual_tokens=plan.total_tokens if ctx.vlm is not None else 0, frames=plan.frame_count)
    if ctx.vlm is not None:
        return _look(item, ctx, q, ev, plan, base)
    if not ev.records:
        return base.model_copy(update={"abstained": True, "note": "no VLM and no text evidence: nothing to read"})
    if not q.options:
        hits = ev.search(q.text, k=1)
        if not hits:
            return base.model_copy(update={"abstained": True, "note": "no evidence in the planned frames"})
        r = hits[0].record
        return base.model_copy(update={"answer": r.text, "spans": [(r.t0, r.t1)], "note": "best evidence",
                                       "trajectory": {"evidence": [_cited(r)]}})
    # the agent's own rule: judged, verified and given only above the calibrated threshold
    draft, note = choose(q, ev, packaged_calibration(), ctx.settings.agent.min_confidence)
    return base.model_copy(update={"letter": draft.get("letter"), "answer": draft["answer"],
                                   "abstained": bool(draft.get("abstained")),
                                   "spans": [tuple(x) for x in draft.get("spans", [])],
                                   "note": f"text at the {plan.frame_count} planned frames: {note} "
                                           f"(no VLM: frames planned, not seen)",
                                   "trajectory": {"evidence": [_cited(c) for c in draft.get("cite", [])],
                                                  "confidence": draft.get("confidence"),
                                                  "abstain_reason": draft.get("reason"),
                                                  "checks": draft.get("checks", {})}})


def _cited(record) -> dict:
    """One piece of evidence (an index record or the judge's dict of one) as the trajectory shows it."""
    get = record.get if isinstance(record, dict) else lambda k, d=None: getattr(record, k, d)
    return {"kind": get("kind"), "start": get("t0"), "end": get("t1"), "text": get("text")}


def _look(item: EvalItem, ctx: VideoContext, q, ev: WindowedEvidence, plan: BudgetPlan,
          base: Prediction) -> Prediction:
    from keyclip.agent.graph import Tools, look_with_vlm

    tools = Tools(ctx.settings, ctx.video, ctx.index_path, ctx.store, ev, ctx.llm, ctx.vlm)
    lines = [{"kind": h.record.kind, "t0": h.record.t0, "t1": h.record.t1, "text": h.record.text, "score": h.score}
             for h in ev.search(q.text, k=ctx.settings.agent.prompt_evidence)] if ev.records else []
    try:
        draft, turn = look_with_vlm(tools, q, lines, plan.to_dict())
    except BackendError as exc:
        return base.model_copy(update={"abstained": True, "error": True, "note": f"VLM failed: {exc}"})
    return base.model_copy(update={"letter": draft.get("letter"), "answer": draft.get("answer", ""),
                                   "spans": [tuple(s) for s in draft.get("spans", [])],
                                   "text_tokens": turn.text_tokens, "note": turn.note,
                                   "trajectory": {"evidence": [_cited(c) for c in draft.get("cite", [])],
                                                  "vlm_turn": turn.model_dump(mode="json")}})
