"""Selectors: token models against the real transformers processors, budget-plan properties
(hypothesis), key clips, relevance on a real index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyclip.selectors.budget import Candidate, plan_budget, plan_zoom, resolution_ladder
from keyclip.selectors.keyclips import select_key_clips, uniform_clips, uniform_frame_times
from keyclip.selectors.storyboard import distinct_scenes, plan_with_storyboard
from keyclip.selectors.token_models import QwenVL, qwen_images, qwen_smart_resize, token_model
from keyclip.settings import SelectOptions

MODELS = ["qwen2-vl", "qwen2-vl-images", "llava-onevision", "llava-next-video", "smolvlm", "openai-high",
          "openai-low", "gemini", "fixed:100"]


# -- token models against the real processors -------------------------------------------------


@pytest.fixture(scope="module")
def qwen_processor():
    """A real Qwen2VLProcessor: real image and video processors, a tokenizer built locally
    (no hub): only its special tokens matter for counting pads."""
    transformers = pytest.importorskip("transformers")
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

    tok = transformers.Qwen2Tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>",
                                                          "<|video_pad|>"]})
    processor = transformers.Qwen2VLProcessor(
        image_processor=transformers.Qwen2VLImageProcessorPil(), tokenizer=tok,
        video_processor=Qwen2VLVideoProcessor(cap_pixels_per_frame=False),
    )
    return processor, tok


def _pads(processor, tok, token: str, **inputs) -> tuple[int, np.ndarray]:
    text = "<|vision_start|>" + token + "<|vision_end|>"
    out = processor(text=[text], return_tensors="np", **inputs)
    ids = out["input_ids"][0]
    grid = out["video_grid_thw"] if "videos" in inputs else out["image_grid_thw"]
    return int((ids == tok.convert_tokens_to_ids(token)).sum()), grid[0]


@pytest.mark.parametrize("source", [(1280, 720), (640, 360), (720, 1280), (1920, 1080), (400, 300)])
@pytest.mark.parametrize("budget_px", [50_000, 120_000, 300_000, 1_000_000])
@pytest.mark.parametrize("frames", [1, 2, 5, 8])
def test_qwen_video_tokens_equal_the_real_processor(qwen_processor, source, budget_px, frames):
    processor, tok = qwen_processor
    model = QwenVL()
    w, h = model.fit(*source, max_pixels=budget_px)
    video = np.zeros((frames, h, w, 3), dtype=np.uint8)
    pads, grid = _pads(processor, tok, "<|video_pad|>", videos=[video])
    assert pads == model.tokens(frames, w, h)
    assert (grid[1] * 14, grid[2] * 14) == (h, w)  # the processor kept the planned size


@pytest.mark.parametrize("source", [(1280, 720), (333, 777), (1920, 1080), (100, 37), (4000, 250)])
@pytest.mark.parametrize("budget_px", [3_000, 200_000, 2_000_000])
def test_qwen_image_tokens_equal_the_real_processor(qwen_processor, source, budget_px):
    processor, tok = qwen_processor
    model = qwen_images()
    w, h = model.fit(*source, max_pixels=budget_px)
    pads, _ = _pads(processor, tok, "<|image_pad|>", images=[np.zeros((h, w, 3), dtype=np.uint8)])
    assert pads == model.tokens(1, w, h)
    # and for any raw size the port of smart_resize agrees with the processor's own resize
    raw_w, raw_h = source
    pads_raw, grid = _pads(processor, tok, "<|image_pad|>", images=[np.zeros((raw_h, raw_w, 3), dtype=np.uint8)])
    rh, rw = qwen_smart_resize(raw_h, raw_w, 28, 56 * 56, 28 * 28 * 1280)
    assert (grid[1] * 14, grid[2] * 14) == (rh, rw) and pads_raw == model.tokens(1, rw, rh)


def test_llava_onevision_video_tokens_match_its_processor_formula():
    transformers = pytest.importorskip("transformers")
    from transformers.models.llava_onevision import processing_llava_onevision as lo

    model = token_model("llava-onevision")
    # the processor's own per-frame count: ceil(sqrt(num_image_tokens) / 2) ** 2 for 729 patches
    per_frame = int(np.ceil(np.sqrt(729) / 2) ** 2)
    assert hasattr(lo, "LlavaOnevisionProcessor") and transformers
    assert model.tokens(8, 384, 384) == 8 * per_frame + 1


# -- budget plans: properties -----------------------------------------------------------------

clip_st = st.tuples(st.floats(0, 3000), st.floats(0.5, 90), st.floats(0.0, 1.0))


@settings(max_examples=150, deadline=None)
@given(
    clips=st.lists(clip_st, min_size=0, max_size=12),
    budget=st.integers(50, 40_000),
    model_name=st.sampled_from(MODELS),
    source=st.sampled_from([(1280, 720), (640, 360), (720, 1280), (1920, 1080), (320, 240)]),
)
def test_no_plan_exceeds_the_budget_and_plans_are_deterministic(clips, budget, model_name, source):
    model = token_model(model_name)
    o = SelectOptions()
    cands = [Candidate(t0, t0 + d, s) for t0, d, s in clips]
    plan = plan_budget(cands, budget, model, source, o)
    assert plan.total_tokens <= budget
    assert plan == plan_budget(list(reversed(cands)), budget, model, source, o)
    floor = resolution_ladder(model, source, o)[-1]
    for c in plan.clips:
        assert c.tokens == model.tokens(len(c.timestamps), c.width, c.height)
        assert all(c.t0 <= t <= c.t1 for t in c.timestamps)
        assert len(c.timestamps) >= o.min_frames_per_clip
        assert c.width * c.height >= floor[0] * floor[1]
        assert len(c.timestamps) <= max(o.min_frames_per_clip, int((c.t1 - c.t0) * o.max_fps)) + model.frame_multiple
    assert len(plan.clips) + len(plan.dropped) == len(cands)


@settings(max_examples=100, deadline=None)
@given(
    t0=st.floats(0, 3000), length=st.floats(0.5, 120), remaining=st.integers(0, 20_000),
    model_name=st.sampled_from(MODELS),
)
def test_zoom_plans_stay_inside_their_range_and_budget(t0, length, remaining, model_name):
    model = token_model(model_name)
    plan = plan_zoom(t0, t0 + length, remaining, model, (1280, 720), SelectOptions())
    assert plan.total_tokens <= remaining
    assert all(t0 <= t <= t0 + length for t in plan.timestamps())


def test_more_budget_buys_resolution_or_frames():
    model, o = QwenVL(), SelectOptions()
    cands = [Candidate(10, 30, 1.0), Candidate(200, 215, 0.6)]
    small = plan_budget(cands, 2000, model, (1280, 720), o)
    big = plan_budget(cands, 16000, model, (1280, 720), o)
    px = lambda p: sum(c.width * c.height * len(c.timestamps) for c in p.clips)  # noqa: E731
    assert px(big) > px(small) and big.total_tokens > small.total_tokens


def test_long_clips_cost_resolution_not_coverage():
    """At a fixed budget, clips twice as long keep every clip but at lower resolution."""
    model, o = QwenVL(), SelectOptions()
    short = [Candidate(i * 100, i * 100 + 8, 1.0 - i / 10) for i in range(4)]
    long = [Candidate(i * 100, i * 100 + 16, 1.0 - i / 10) for i in range(4)]
    a = plan_budget(short, 6000, model, (1280, 720), o)
    b = plan_budget(long, 6000, model, (1280, 720), o)
    assert len(a.clips) == len(b.clips) == 4
    assert max(c.width * c.height for c in b.clips) <= max(c.width * c.height for c in a.clips)
    assert b.frame_count >= a.frame_count


# -- key clips ----------------------------------------------------------------------------------


def _grid(n: int, step: float = 5.0):
    starts = np.arange(n) * step
    return starts, starts + step


def test_key_clips_grow_around_peaks_with_nms():
    starts, ends = _grid(40)
    scores = np.zeros(40)
    scores[10:14] = [0.6, 1.0, 0.9, 0.3]  # one broad peak
    scores[30] = 0.8  # one narrow peak
    scores[12 + 1] = 0.3
    o = SelectOptions(nms_s=10.0, grow_ratio=0.5)
    chosen = select_key_clips(starts, ends, scores, o)
    assert [round(c.score, 2) for c in chosen] == [1.0, 0.8]
    assert (chosen[0].t0, chosen[0].t1) == (50.0, 65.0)  # grew over 0.6 and 0.9, not 0.3
    assert (chosen[1].t0, chosen[1].t1) == (150.0, 155.0)


def test_coverage_mode_spreads_over_the_video():
    starts, ends = _grid(60)
    scores = np.abs(np.sin(np.arange(60))) + 0.01
    chosen = select_key_clips(starts, ends, scores, SelectOptions(max_clips=6), coverage=True)
    parts = {int(c.t0 // 50) for c in chosen}
    assert len(chosen) == 6 and len(parts) == 6


def test_baselines_are_even():
    assert uniform_frame_times(100, 4) == [12.5, 37.5, 62.5, 87.5]
    clips = uniform_clips(100, 2, 10)
    assert [(c.t0, c.t1) for c in clips] == [(20.0, 30.0), (70.0, 80.0)]


# -- relevance on a real index -------------------------------------------------------------------


def test_relevance_peaks_on_the_clip_that_answers(sample_index, sample):
    from keyclip.backends.registry import make_embedder
    from keyclip.index.store import IndexStore
    from keyclip.selectors.relevance import clip_relevance

    result, s = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    rel = clip_relevance(store, ["what is the load factor?"], make_embedder(s))
    assert rel.signals == ("text",) and rel.scores.max() == pytest.approx(1.0)
    best = rel.clips[int(rel.scores.argmax())]
    slide3 = sample.slides[2]
    assert slide3["start"] - 0.5 <= best.t0 < slide3["end"]
    two = clip_relevance(store, ["what is a collision?", "what is the load factor?"], make_embedder(s))
    assert two.per_query.shape == (2, len(two.clips))


@settings(max_examples=100, deadline=None)
@given(scores=st.lists(st.floats(0, 1), min_size=1, max_size=80), coverage=st.booleans())
def test_key_clips_never_overlap_and_respect_limits(scores, coverage):
    starts, ends = _grid(len(scores), 4.0)
    o = SelectOptions(max_clips=6, nms_s=8.0, max_span_s=24.0)
    chosen = select_key_clips(starts, ends, np.array(scores), o, coverage=coverage)
    assert len(chosen) <= o.max_clips
    spans = sorted((c.t0, c.t1) for c in chosen)
    assert all(a1 <= b0 + 1e-9 for (_, a1), (b0, _) in zip(spans, spans[1:])) or coverage
    assert all(0 < c.t1 - c.t0 <= o.max_span_s + 1e-9 for c in chosen)


def test_select_command_prints_a_plan_within_budget(sample, tmp_path, model_cache):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    repo = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, str(repo / "app.py"), "select", sample.path, "what is the load factor?", "--budget", "1500",
         "--token-model", "qwen2-vl", "--json"],
        cwd=repo, env={**os.environ, "KEYCLIP_CACHE_DIR": str(cache)}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["plan"]["total_tokens"] <= 1500 and data["plan"]["token_model"] == "qwen2-vl"
    assert data["signals"] == ["text"]
    best = max(data["plan"]["clips"], key=lambda c: c["score"])  # the planned frames scored highest
    slide = sample.slides[2]
    assert any(slide["start"] - 0.5 <= t < slide["end"] for t in best["timestamps"])
    assert any(slide["start"] - 0.5 <= c["start"] < slide["end"] for c in data["key_clips"])


def test_near_duplicate_content_is_chosen_once():
    """The same slide shown twice (same words, far apart in time) yields one key clip."""
    starts, ends = _grid(40)
    scores = np.zeros(40)
    scores[5], scores[30], scores[20] = 1.0, 0.95, 0.5
    slide = frozenset({"load", "factor", "entries", "divided", "buckets"})
    other = frozenset({"cuckoo", "hashing", "robin", "hood"})
    signatures = [frozenset()] * 40
    signatures[5] = signatures[30] = slide
    signatures[20] = other
    o = SelectOptions(grow_ratio=1.0)
    with_sigs = select_key_clips(starts, ends, scores, o, signatures=signatures)
    assert [c.t0 for c in with_sigs] == [25.0, 100.0]
    assert [c.t0 for c in select_key_clips(starts, ends, scores, o)] == [25.0, 150.0, 100.0]


# -- storyboard ---------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    clips=st.lists(clip_st, min_size=0, max_size=8),
    n_scenes=st.integers(0, 60),
    budget=st.integers(50, 40_000),
    share=st.sampled_from([0.0, 0.1, 0.2, 0.5]),
    model_name=st.sampled_from(MODELS),
)
def test_storyboard_plans_stay_within_budget_and_glimpse_outside_key_clips(clips, n_scenes, budget, share,
                                                                          model_name):
    model = token_model(model_name)
    o = SelectOptions(storyboard_share=share)
    cands = [Candidate(t0, t0 + d, s + 0.01) for t0, d, s in clips]
    scenes = [(i * 50.0, (i + 1) * 50.0) for i in range(n_scenes)]
    plan = plan_with_storyboard(cands, scenes, None, budget, model, (1280, 720), o)
    assert plan.total_tokens <= budget
    assert plan == plan_with_storyboard(cands, scenes, None, budget, model, (1280, 720), o)
    glimpses = [c for c in plan.clips if c.score == 0.0]
    if share == 0.0:
        assert not glimpses
    for g in glimpses:
        mid = (g.t0 + g.t1) / 2
        assert any(a <= mid <= b for a, b in scenes)
        assert not any(c.t0 <= mid <= c.t1 for c in cands)
    assert sum(c.tokens for c in glimpses) <= max(0, budget - sum(c.tokens for c in plan.clips if c.score > 0))


def test_storyboard_shows_each_distinct_scene_once_and_spreads_when_short():
    scenes = [(i * 30.0, (i + 1) * 30.0) for i in range(10)]
    sigs = [frozenset({f"slide{i % 5}", "hash", "table"}) for i in range(10)]  # scenes 5-9 repeat 0-4
    assert distinct_scenes(scenes, sigs) == scenes[:5]
    assert distinct_scenes(scenes, [frozenset()] * 10) == scenes  # no words: nothing says they repeat
    model, o = QwenVL(), SelectOptions(storyboard_share=0.5)
    key = [Candidate(0.0, 20.0, 1.0)]
    floor = resolution_ladder(model, (1280, 720), o)[-1]
    unit = model.tokens(2, *floor)
    full = plan_with_storyboard(key, scenes, None, 40 * unit, model, (1280, 720), o)
    assert len([c for c in full.clips if c.score == 0]) == 9  # scene 0 is inside the key clip
    short = plan_with_storyboard(key, scenes, None, 6 * unit, model, (1280, 720), o)
    glimpses = [(c.t0 + c.t1) / 2 for c in short.clips if c.score == 0]
    assert len(glimpses) == 3 and short.total_tokens <= 6 * unit
    assert max(glimpses) == 285.0  # the farthest scene from the key clip first, then fill the gaps
    assert all(b - a >= 60 for a, b in zip(glimpses, glimpses[1:]))
