"""Scenes, clips, keyframes, screen text and speech with the real models on real media."""

from __future__ import annotations

import re

import cv2
import jiwer
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyclip.index.store import IndexStore
from keyclip.settings import OCROptions
from keyclip.tools.ocr import OCRSpan, ScreenTextTracker, TextLine
from keyclip.tools.scenes import Span, split_into_clips

from .conftest import needs_espeak


def _norm_words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def test_sample_scene_cuts_match_truth(sample_index, sample):
    result, _ = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    scenes = store.scenes()
    cuts = [t0 for t0, _ in scenes[1:]]
    assert len(cuts) == len(sample.cuts)
    for got, want in zip(cuts, sample.cuts, strict=True):
        assert got == pytest.approx(want, abs=0.2)
    assert scenes[0][0] == 0.0 and scenes[-1][1] == pytest.approx(sample.duration, abs=0.1)


def test_clips_tile_scenes_and_keep_keyframes(sample_index, settings):
    result, s = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    clips = store.clips()
    assert clips and all(c.t1 - c.t0 <= s.clips.max_clip_s + 1e-6 for c in clips)
    assert all(a.t1 == pytest.approx(b.t0) for a, b in zip(clips, clips[1:]))
    rows = store.db.execute("SELECT clip_id, t, width, jpeg FROM keyframes").fetchall()
    per_clip = {}
    for clip_id, t, width, jpeg in rows:
        clip = next(c for c in clips if c.id == clip_id)
        assert clip.t0 - 1.0 <= t <= clip.t1
        img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert img.shape[1] == width == s.clips.thumb_width
        per_clip[clip_id] = per_clip.get(clip_id, 0) + 1
    assert set(per_clip) == {c.id for c in clips}
    assert max(per_clip.values()) <= s.clips.keyframes_per_clip


@given(
    durations=st.lists(st.floats(0.05, 120.0), min_size=1, max_size=30),
    max_clip=st.floats(0.6, 30.0),
)
def test_split_into_clips_covers_each_scene_exactly(durations, max_clip):
    t, scenes = 0.0, []
    for d in durations:
        scenes.append(Span(t, t + d))
        t += d
    clips = split_into_clips(scenes, max_clip)
    for i, scene in enumerate(scenes):
        mine = [c for s, c in clips if s == i]
        assert mine[0].t0 == pytest.approx(scene.t0, abs=1e-3)
        assert mine[-1].t1 == pytest.approx(scene.t1, abs=1e-3)
        assert all(c.duration <= max_clip + 2e-3 for c in mine)
        assert all(a.t1 == pytest.approx(b.t0, abs=1e-3) for a, b in zip(mine, mine[1:]))


def test_slide_text_found_inside_its_slide(sample_index, sample):
    result, _ = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    spans = store.db.execute("SELECT t0, t1, text FROM ocr_spans").fetchall()
    for slide in sample.slides:
        lines = [slide["title"], *(f"- {b}" for b in slide["bullets"])]
        for line in lines:
            hits = [(t0, t1) for t0, t1, text in spans if _norm_words(text) == _norm_words(line)]
            assert hits, f"OCR never read {line!r}"
            t0, t1 = hits[0]
            assert t0 == pytest.approx(slide["start"], abs=0.5) and t1 == pytest.approx(slide["end"], abs=0.5)
    # the moving segment has no text
    a, b = sample.motion
    assert not [1 for t0, t1, _ in spans if t0 >= a + 0.5 and t1 <= b - 0.5]


class _Frame:
    """A stand-in for DecodedFrame holding a real rendered image (no decode needed here)."""

    def __init__(self, t, img):
        self.t, self._img = t, img

    def bgr(self, width):
        return cv2.resize(self._img, (width, int(self._img.shape[0] * width / self._img.shape[1])))

    def gray(self, width):
        return cv2.cvtColor(self.bgr(width), cv2.COLOR_BGR2GRAY)


class _CountingEngine:
    """Wraps the real RapidOCR engine and counts calls."""

    def __init__(self, engine):
        self.engine, self.calls = engine, 0
        self.name, self.version = engine.name, engine.version

    def read(self, image):
        self.calls += 1
        return self.engine.read(image)


def test_tracker_reads_a_static_slide_once_and_merges_spans(settings):
    from keyclip.backends.registry import make_ocr
    from keyclip.samples import DEFAULT_SLIDES, render_slide

    engine = _CountingEngine(make_ocr(settings))
    slide_a = cv2.cvtColor(render_slide(DEFAULT_SLIDES[0], 640, 360, 1), cv2.COLOR_RGB2BGR)
    slide_b = cv2.cvtColor(render_slide(DEFAULT_SLIDES[2], 640, 360, 3), cv2.COLOR_RGB2BGR)
    tracker = ScreenTextTracker(engine, OCROptions(interval_s=1.0))
    for t in np.arange(0, 10, 0.5):
        tracker.add(_Frame(float(t), slide_a if t < 6 else slide_b))
    spans = tracker.finish(10.0, cuts=[6.0])
    assert engine.calls == 2  # once per distinct slide
    title_a = next(s for s in spans if s.text == DEFAULT_SLIDES[0].title)
    title_b = next(s for s in spans if s.text == DEFAULT_SLIDES[2].title)
    assert (title_a.t0, title_a.t1) == (0.0, 6.0)
    assert (title_b.t0, title_b.t1) == (6.0, 10.0)
    assert all(isinstance(s, OCRSpan) and 0 <= s.box[0] < s.box[2] <= 1 for s in spans)


def test_tracker_reads_only_the_band_a_revealed_bullet_changed(settings):
    """Bullets revealed one by one: each reveal is read in its band of rows only, and the spans
    are the ones whole-frame reads give (the real RapidOCR engine on rendered slides)."""
    import dataclasses

    from keyclip.backends.registry import make_ocr
    from keyclip.samples import DEFAULT_SLIDES, render_slide

    slide = dataclasses.replace(DEFAULT_SLIDES[1], bullets=(
        "Two keys share one bucket", "Each bucket keeps a short list", "Probing walks to the next free slot"))
    stages = [cv2.cvtColor(render_slide(dataclasses.replace(slide, bullets=slide.bullets[:k]), 640, 360, 2),
                           cv2.COLOR_RGB2BGR) for k in (1, 2, 3)]
    results = {}
    for band_max in (0.0, 0.5):
        engine = _CountingEngine(make_ocr(settings))
        tracker = ScreenTextTracker(engine, OCROptions(interval_s=1.0, band_max=band_max))
        for t in np.arange(0, 9, 0.5):
            tracker.add(_Frame(float(t), stages[min(2, int(t // 3))]))
        spans = tracker.finish(9.0, cuts=[])
        assert engine.calls == 3
        results[band_max] = (tracker.band_reads, sorted((_norm_words(s.text), s.t0, s.t1) for s in spans), spans)
    assert results[0.0][0] == 0 and results[0.5][0] == 2
    assert results[0.5][1] == results[0.0][1]
    spans = results[0.5][2]
    title = next(s for s in spans if s.text == slide.title)
    assert (title.t0, title.t1) == (0.0, 9.0) and title.reads == 3  # kept through both band reads
    for k, bullet in enumerate(slide.bullets[:3]):
        line = next(s for s in spans if _norm_words(bullet) in _norm_words(s.text))
        assert (line.t0, line.t1) == (3.0 * k, 9.0)
        whole = next(s for s in results[0.0][2] if s.text == line.text)
        assert line.box == pytest.approx(whole.box, abs=0.02)  # band boxes mapped back to the frame


def test_changed_band_falls_back_to_the_whole_frame():
    from keyclip.tools.ocr import changed_band

    rng = np.random.default_rng(1)
    before = rng.integers(0, 255, (90, 160)).astype(np.int16)
    assert changed_band(before, 255 - before, [], 0.5) is None  # everything changed
    assert changed_band(before, before + 10, [], 0.5) is None  # a fade: no pixel changed much
    after = before.copy()
    after[40:46] = 0
    y0, y1 = changed_band(before, after, [], 0.5)
    assert y0 < 40 / 90 < 46 / 90 < y1 and y1 - y0 < 0.2
    assert changed_band(before, after, [], 0.0) is None  # band reads off
    # a line the band cuts through widens it; one far from it does not
    through = TextLine("x", (0.1, 0.30, 0.9, 0.47), 0.9)
    far = TextLine("y", (0.1, 0.80, 0.9, 0.85), 0.9)
    y0, y1 = changed_band(before, after, [through, far], 0.5)
    assert y0 <= 0.30 and y1 < 0.80


def test_tracker_merges_jittery_reads_of_one_line():
    class Jitter:
        name, version = "fixed", "1"

        def __init__(self):
            self.texts = iter(["Load Factor", "Load Factar", "Load Factor"])

        def read(self, image):
            return [TextLine(next(self.texts), (0.1, 0.1, 0.5, 0.2), 0.9)]

    tracker = ScreenTextTracker(Jitter(), OCROptions(interval_s=1.0, change_threshold=0.0))
    rng = np.random.default_rng(0)
    for t in (0.0, 1.0, 2.0):
        tracker.add(_Frame(t, rng.integers(0, 255, (90, 160, 3), dtype=np.uint8)))
    spans = tracker.finish(3.0, cuts=[])
    assert len(spans) == 1 and spans[0].reads == 3 and spans[0].t1 == 3.0


@needs_espeak()
def test_speech_transcript_and_word_times(sample_index, sample):
    result, _ = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    segs = store.db.execute("SELECT id, t0, t1, text FROM speech_segments ORDER BY t0").fetchall()
    hyp = _norm_words(" ".join(s[3] for s in segs))
    ref = _norm_words(" ".join(n["text"] for sl in sample.slides for n in sl["narration"]))
    assert jiwer.wer(ref, hyp) <= 0.3, hyp
    words = store.db.execute("SELECT segment_id, t0, t1, word FROM speech_words ORDER BY t0").fetchall()
    assert len(words) >= 0.8 * len(ref.split())
    bounds = {s[0]: (s[1], s[2]) for s in segs}
    for seg_id, t0, t1, _ in words:
        assert t0 <= t1 and bounds[seg_id][0] - 0.05 <= t0 and t1 <= bounds[seg_id][1] + 0.05
    # "collision" is said on slide 2
    said = [w for w in words if "collision" in w[3].lower()]
    slide2 = sample.slides[1]
    assert said and slide2["start"] <= said[0][1] <= slide2["end"]
    assert store.stages()["speech"]["info"]["language"] == "en"


@needs_espeak()
def test_windowed_transcription_loses_no_words(sample, settings):
    """Short windows (10 s over a 27 s talk) must give the same words as one window."""
    from keyclip.backends.registry import make_asr

    ref = _norm_words(" ".join(n["text"] for sl in sample.slides for n in sl["narration"]))
    texts = {}
    for chunk_s in (10.0, 300.0):
        s = settings.model_copy(update={"speech": settings.speech.model_copy(update={"chunk_s": chunk_s})})
        segments, _ = make_asr(s).transcribe(sample.path)
        assert all(a.t0 <= b.t0 for a, b in zip(segments, segments[1:]))
        texts[chunk_s] = _norm_words(" ".join(x.text for x in segments))
    # short windows give Whisper less context (more substitutions) but must not drop words
    deletions = {k: jiwer.process_words(ref, v).deletions for k, v in texts.items()}
    assert deletions[10.0] <= deletions[300.0] + 1, texts
    assert not re.search(r"\b(\w+ \w+ \w+) \1\b", texts[10.0])  # nothing transcribed twice


def test_blockwise_features_are_faster_whispers_own():
    """The features keyclip computes a block at a time are those of faster-whisper's extractor
    (to float32 rounding of the mel product), for audio shorter and longer than a block."""
    from faster_whisper.feature_extractor import FeatureExtractor

    from keyclip.tools import mel

    reference = FeatureExtractor(feature_size=80)
    blockwise = mel.BlockwiseFeatureExtractor.like(reference)
    rng = np.random.default_rng(7)
    for seconds in (0.3, 7.0, 2 * mel.BLOCK_FRAMES / 100 + 3.1):
        audio = (rng.standard_normal(int(seconds * 16000)) * 0.1).astype(np.float32)
        audio[: len(audio) // 3] *= 0.01  # quiet and loud parts: the normalisation is over the whole
        want, got = reference(audio, chunk_length=30), blockwise(audio, chunk_length=30)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert reference.n_samples == blockwise.n_samples == 30 * 16000


def test_small_batch_vad_gives_faster_whispers_own_speech_probabilities():
    import os

    from faster_whisper.utils import get_assets_path
    from faster_whisper.vad import SileroVADModel

    from keyclip.tools import vad

    path = os.path.join(get_assets_path(), "silero_vad_v6.onnx")
    rng = np.random.default_rng(3)
    audio = (rng.standard_normal(512 * (2 * vad.ENCODER_BATCH + 137)) * 0.1).astype(np.float32)
    audio[: len(audio) // 2] *= 0.0  # silence, then noise: the state carried across batches matters
    want = SileroVADModel(path)(audio.copy())
    got = vad.SmallBatchVAD(path)(audio.copy())
    assert got.shape == want.shape and np.array_equal(got, want)


def test_asr_uses_the_blockwise_features_and_the_small_batch_vad(settings):
    from faster_whisper.vad import get_vad_model

    from keyclip.backends.registry import make_asr
    from keyclip.tools.mel import BlockwiseFeatureExtractor
    from keyclip.tools.vad import SmallBatchVAD

    assert isinstance(make_asr(settings)._model.feature_extractor, BlockwiseFeatureExtractor)
    assert isinstance(get_vad_model(), SmallBatchVAD)  # the VAD transcribe() runs is the small-batch one


@needs_espeak()
def test_settled_transcript_feeds_voice_prints_beside_speech(sample, settings):
    """Over windows that hand over (10 s), ``on_settled`` gives exactly the final segments, in
    order, as they are recognised; a VoicePrinter fed them on another thread makes the same
    prints as printing the final turns afterwards from one long chunk."""
    import threading

    from keyclip.backends.registry import make_asr, make_voice_encoder
    from keyclip.index.voices import VoicePrinter, print_turns, sentence_turns
    from keyclip.media.audio import iter_audio_chunks
    from keyclip.media.probe import probe

    s = settings.model_copy(update={"speech": settings.speech.model_copy(update={"chunk_s": 10.0})})
    encoder, why = make_voice_encoder(s, threads=1)
    assert encoder is not None, why
    duration = probe(sample.path).duration
    printer = VoicePrinter(encoder, s, duration)
    calls = []

    def settled(segs, until):
        calls.append((list(segs), until))
        printer.add(segs, until)

    result = {}
    worker = threading.Thread(target=lambda: result.update(prints=printer.run(sample.path)))
    worker.start()
    segments, _ = make_asr(s).transcribe(sample.path, on_settled=settled)
    printer.done()
    worker.join(timeout=60)
    assert [x for segs, _ in calls for x in segs] == segments
    untils = [u for _, u in calls]
    assert untils == sorted(untils) and untils[-1] == pytest.approx(duration, abs=0.1)
    assert all(seg.t1 <= until for segs, until in calls for seg in segs)
    # settled during recognition, not all at the end: some before the last window's hand-over
    assert sum(1 for segs, _ in calls if segs) >= 3
    turns = [(a, b) for seg in segments for a, b in sentence_turns(seg) if b - a >= s.voices.min_speech_s]
    assert turns and len(result["prints"]) == len(turns)
    after = print_turns(encoder.embed, [(i, a, b) for i, (a, b) in enumerate(turns)],
                        iter_audio_chunks(sample.path, chunk_s=900.0), s, duration)
    for i, (a, b) in enumerate(turns):
        beside = result["prints"][(round(a, 3), round(b, 3))]
        assert (beside is None) == (after[i] is None)
        if beside is not None:
            assert np.allclose(beside, after[i], atol=1e-5)


def test_content_detector_is_selectable_and_finds_the_same_cuts(sample):
    from keyclip.media.frames import stream_frames
    from keyclip.settings import SceneOptions
    from keyclip.tools.scenes import SceneCutter

    cutter = SceneCutter(SceneOptions(detector="content"), fps=25)
    for frame in stream_frames(sample.path, skip_nonref=True):
        cutter.add(frame)
    cuts = [x.t0 for x in cutter.finish(sample.duration)[1:]]
    assert len(cuts) == len(sample.cuts)
    assert all(abs(a - b) <= 0.5 for a, b in zip(cuts, sample.cuts, strict=True))


def test_words_stranded_across_a_removed_silence_are_put_back_beside_their_sentence():
    from keyclip.tools.asr import Word
    from keyclip.tools.word_times import reattach_stranded_words

    # as faster-whisper returned them on the sample lecture (first word 4.8 s before the rest)
    words = (Word(15.72, 16.74, "The", 0.8), Word(21.51, 21.75, "load", 0.3), Word(21.75, 22.17, "factor", 0.9),
             Word(22.2, 22.5, "is", 0.9))
    fixed = reattach_stranded_words(words)
    assert fixed[0].t1 == 21.51 and 21.0 < fixed[0].t0 < 21.51 and fixed[1:] == words[1:]
    # a last word after a removed pause, likewise
    tail = (Word(1.0, 1.3, "we", 0.9), Word(1.3, 1.6, "call", 0.9), Word(1.6, 1.9, "it", 0.9), Word(4.0, 5.2, "done", 0.7))
    assert reattach_stranded_words(tail)[-1] == Word(1.9, 2.2, "done", 0.7)
    # left alone: a real short pause, a long pause before a normal-length word, a two-word segment
    pause = (Word(1.0, 1.6, "So", 0.9), Word(2.5, 2.8, "we", 0.9), Word(2.8, 3.1, "go", 0.9))
    assert reattach_stranded_words(pause) == pause
    calm = (Word(1.0, 1.3, "So", 0.9), Word(4.5, 4.8, "we", 0.9), Word(4.8, 5.1, "go", 0.9))
    assert reattach_stranded_words(calm) == calm
    assert reattach_stranded_words(words[:2]) == words[:2]
