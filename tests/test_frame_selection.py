"""Stratified frames (``selectors.stratified``): where they go on made-up relevance, that every
plan stays in its budget (hypothesis), and on the evaluation lectures (real index, real
embedder) that the default plan's frames land in at least as many evidence spans as uniform
frames at every budget from 1k to 16k tokens, and in more at 1k-2k (issue 18's target; the
numbers per set are in ``bench/selection_bench.py``)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclip.selectors.budget import plan_uniform_frames
from keyclip.selectors.keyclips import uniform_frame_times
from keyclip.selectors.relevance import ClipRelevance, Moment
from keyclip.selectors.stratified import frame_count, stratified_plan, stratified_times
from keyclip.selectors.token_models import QwenVL, token_model
from keyclip.settings import SelectOptions

from .conftest import BUILT_SETS, DEV_DIR


def _arrays(moments: list[tuple[float, float, float]]):
    a = np.array(moments, dtype=float).reshape(-1, 3)
    return a[:, 0], a[:, 1], a[:, 2]


def test_without_relevance_the_frames_are_uniform_frames():
    starts, ends, scores = _arrays([])
    assert stratified_times(starts, ends, scores, 0.0, 510.0, 56) == uniform_frame_times(510.0, 56)
    # relevant moments that are not centred in any cell's other half change nothing either
    zero = _arrays([(10.0, 20.0, 0.0), (100.0, 104.0, 0.0)])
    assert stratified_times(*zero, 0.0, 510.0, 56) == uniform_frame_times(510.0, 56)


def test_a_frame_moves_to_the_most_relevant_moment_of_its_cell_and_no_other_moves():
    # 10 cells of 10 s; cell 3 is [30, 40), its middle 35 lies in a weak moment
    starts, ends, scores = _arrays([(34.0, 36.0, 0.2), (30.5, 32.5, 0.9), (37.0, 39.0, 0.5)])
    times = stratified_times(starts, ends, scores, 0.0, 100.0, 10)
    uniform = uniform_frame_times(100.0, 10)
    assert times[3] == 31.5
    assert [t for k, t in enumerate(times) if k != 3] == [t for k, t in enumerate(uniform) if k != 3]


def test_the_middle_stays_when_what_lies_under_it_is_the_most_relevant():
    starts, ends, scores = _arrays([(33.0, 38.0, 0.9), (30.5, 32.5, 0.9), (38.5, 39.5, 0.4)])
    assert stratified_times(starts, ends, scores, 0.0, 100.0, 10)[3] == 35.0


def test_a_repeated_moment_is_passed_over_for_the_next_candidate():
    words = [frozenset({"load", "factor", "entries"}), frozenset({"load", "factor", "entries"}),
             frozenset({"chaining"})]
    # the same slide text in cells 1 and 6; cell 6 also holds a weaker, different moment
    starts, ends, scores = _arrays([(11.0, 13.0, 0.9), (61.0, 63.0, 0.8), (67.0, 69.0, 0.3)])
    times = stratified_times(starts, ends, scores, 0.0, 100.0, 10, words)
    assert times[1] == 12.0 and times[6] == 68.0
    assert stratified_times(starts, ends, scores, 0.0, 100.0, 10)[6] == 62.0  # without words: both


@settings(max_examples=60, deadline=None)
@given(
    moments=st.lists(st.tuples(st.floats(0, 590), st.floats(0.5, 30), st.floats(0, 1)), max_size=40),
    duration=st.floats(5, 3600),
    budget=st.integers(100, 20000),
    model_name=st.sampled_from(["qwen2-vl", "llava-onevision", "smolvlm", "openai-low", "fixed:100"]),
)
def test_stratified_plans_stay_in_budget_with_one_frame_per_cell(moments, duration, budget, model_name):
    model, o, source = token_model(model_name), SelectOptions(), (1280, 720)
    rel = ClipRelevance((), np.zeros(0), np.zeros((0, 0)), ("text",),
                        tuple(Moment(t0, t0 + d, s, frozenset()) for t0, d, s in sorted(moments)))
    plan = stratified_plan(rel, duration, budget, model, source, o)
    assert plan.total_tokens <= budget
    times = plan.timestamps()
    n = frame_count(budget, duration, model, source, o)
    if plan.clips:
        assert len(times) == n
        cells = np.floor(np.array(times) / (duration / n)).clip(0, n - 1)
        assert len(set(cells.tolist())) == n  # one frame in every cell
        assert all(c.tokens == model.tokens(len(c.timestamps), c.width, c.height) for c in plan.clips)
    else:
        assert "too small" in plan.notes[0]


def test_with_an_image_signal_the_clips_relevance_places_frames_too():
    """An image-text scorer's relevance is known per clip: a clip the pictures point at moves its
    cell's frame even where no record was retrieved (text only, the frame stays at the middle)."""
    from keyclip.index.store import Clip

    model, o = QwenVL(), SelectOptions()
    clips = (Clip(1, 1, 0.0, 36.0), Clip(2, 1, 36.0, 39.5), Clip(3, 1, 39.5, 100.0))
    scores = np.array([0.0, 1.0, 0.0])
    budget = 5 * model.tokens(2, 448, 252)  # 10 frames at the floor over 100 s: cells of 10 s
    uniform = uniform_frame_times(100.0, 10)
    for signals, expected in ((("text", "image"), uniform[:3] + [37.75] + uniform[4:]), (("text",), uniform)):
        rel = ClipRelevance(clips, scores, scores[None, :], signals, ())
        assert stratified_plan(rel, 100.0, budget, model, (1280, 720), o).timestamps() == expected


def test_a_short_video_gets_frames_up_to_max_fps_and_the_rest_in_resolution():
    model, o = QwenVL(), SelectOptions()
    rel = ClipRelevance((), np.zeros(0), np.zeros((0, 0)), ("text",), ())
    plan = stratified_plan(rel, 30.0, 16384, model, (1280, 720), o)
    assert plan.frame_count == 60  # 30 s x max_fps 2
    assert plan.clips[0].width * plan.clips[0].height > 448 * 252  # above the floor


# -- evidence recall on the evaluation lectures -----------------------------------------------

BUDGETS = (1024, 2048, 4096, 8192, 16384)


def _recall(store, items, s, embedder, budget: int) -> tuple[float, float]:
    """Share of text items whose every evidence span holds a frame: default plan, uniform frames."""
    from keyclip.selectors.plan import select_for_question, source_size

    duration = float(store.meta("media")["duration"])
    model, o = token_model(s.select.token_model), s.select
    uniform = plan_uniform_frames(duration, budget, model, source_size(store), o)  # the eval's ``uniform``
    hits = []
    for item in items:
        spans = item.get("evidence_spans") or [item["answer_span"]]
        options = [x.split(". ", 1)[-1] for x in item.get("options") or []]
        plan = select_for_question(store, item["question"], options, s, embedder, budget=budget).plan
        assert plan.total_tokens <= budget
        hits.append([all(any(a <= t <= b for t in p.timestamps()) for a, b in spans) for p in (plan, uniform)])
    return tuple(np.mean(hits, axis=0))


def _check_recall(index_path, s, items) -> None:
    from keyclip.backends.registry import make_embedder
    from keyclip.index.store import IndexStore

    items = [i for i in items if i["type"] != "visual"]
    one = 1 / len(items)
    store = IndexStore.open(index_path, readonly=True)
    try:
        embedder = make_embedder(s)
        for budget in BUDGETS:
            ours, uniform = _recall(store, items, s, embedder, budget)
            # the target is >= at every budget (met on every set when measured); one item of
            # slack so a rebuilt index that hears one sentence differently does not fail it
            assert ours >= uniform - one - 1e-9, f"{budget}: {ours:.2f} < uniform {uniform:.2f}"
            if budget <= 2048:
                assert ours > uniform, f"{budget}: {ours:.2f} not above uniform {uniform:.2f}"
    finally:
        store.close()


@pytest.mark.slow
def test_dev_lecture_frames_find_what_uniform_frames_find(dev_index, dev_truth):
    result, s = dev_index
    items = [json.loads(line) for line in (DEV_DIR / "qa.jsonl").read_text().splitlines() if line.strip()]
    _check_recall(result.index_path, s, items)


@pytest.mark.slow
@pytest.mark.parametrize("folder", BUILT_SETS, ids=[p.name for p in BUILT_SETS])
def test_keyclips_own_lectures_frames_find_what_uniform_frames_find(folder, built_index):
    result, s, items = built_index(folder)
    _check_recall(result.index_path, s, items)
