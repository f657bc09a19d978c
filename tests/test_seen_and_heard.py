"""What was seen and heard, with real weights: both COCO detectors on generated frames holding
real photographs at known boxes, the tracker, scene kinds, voice prints, and a generated video
(a slide read by one espeak voice, then moving footage with a cat read by another) indexed end to
end. The photographs are scikit-image samples (tests/data/objects, public domain / CC0)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from keyclip.backends.registry import make_detector
from keyclip.settings import Settings
from keyclip.tools.detect import Detection, count_tracks, summarise
from keyclip.tools.scene_kinds import scene_kind
from keyclip.tools.voices import group_voices

from .conftest import needs_espeak

OBJECTS = Path(__file__).parent / "data" / "objects"


def _detector(spec: str):
    detector, why = make_detector(Settings(detect={"weights": spec}))
    if detector is None:
        pytest.skip(why)
    return detector


def _pasted(name: str, background: str = "flat", size: float = 0.6) -> tuple[np.ndarray, tuple]:
    h, w = 360, 640
    if background == "flat":
        frame = np.full((h, w, 3), (236, 228, 220), np.uint8)
    else:
        rng = np.random.default_rng(3)
        frame = cv2.resize(np.clip(128 + 40 * rng.normal(0, 1, (h // 8, w // 8, 3)), 0, 255).astype(np.uint8), (w, h))
    photo = cv2.imread(str(OBJECTS / name))
    ph = int(size * h)
    pw = int(photo.shape[1] * ph / photo.shape[0])
    x0, y0 = (w - pw) // 2, (h - ph) // 2
    frame[y0:y0 + ph, x0:x0 + pw] = cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_AREA)
    return frame, (x0 / w, y0 / h, (x0 + pw) / w, (y0 + ph) / h)


def _inside(d: Detection, box) -> bool:
    cx, cy = (d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


@pytest.mark.parametrize("spec", ["packaged:yolov3-tiny", "packaged:ssd-mobilenet-v2"])
@pytest.mark.parametrize("name,label", [("person.jpg", "person"), ("cat.jpg", "cat"), ("cup.jpg", "cup")])
def test_a_pasted_photograph_is_found_where_it_is(spec, name, label):
    detector = _detector(spec)
    for background in ("flat", "texture"):
        frame, box = _pasted(name, background)
        found = detector.detect(frame, 2.0)
        assert any(d.label == label and _inside(d, box) for d in found), (background, found)
        assert all(d.t == 2.0 and 0 <= d.box[0] < d.box[2] <= 1 for d in found)


def test_the_image_classifier_labels_a_photograph():
    from keyclip.backends.registry import make_classifier

    classifier, why = make_classifier(Settings(classify={"model": "packaged:efficientnet-lite3"}))
    if classifier is None:
        pytest.skip(why)
    labels = [label for label, _ in classifier.classify(cv2.imread(str(OBJECTS / "cat.jpg")))]
    assert labels and ("cat" in labels[0].lower() or labels[0] == "tabby"), labels
    grey = classifier.classify(np.full((200, 300, 3), 128, np.uint8))  # nothing there: any guess is weak
    assert all(score < 0.9 for _, score in grey), grey


def test_the_tracker_counts_objects_not_objects_times_frames():
    # two people walking side by side over five frames, a third who appears once among them
    dets = []
    for k in range(5):
        x = 0.1 + 0.02 * k
        dets += [Detection(k * 1.0, "person", 0.9, (x, 0.2, x + 0.1, 0.8)),
                 Detection(k * 1.0, "person", 0.9, (x + 0.4, 0.2, x + 0.5, 0.8))]
    assert count_tracks(dets, max_gap_s=3.0) == 2
    dets.append(Detection(2.0, "person", 0.8, (0.8, 0.1, 0.9, 0.5)))
    summary = summarise(dets, max_gap_s=3.0)
    person = summary.seen[0]
    assert (person.count, person.at_once, person.first_t, person.last_t) == (3, 3, 0.0, 4.0)
    # one person seen again after a long gap in another place is not merged with the first
    apart = [Detection(0.0, "person", 0.9, (0.1, 0.1, 0.2, 0.5)), Detection(1.0, "person", 0.9, (0.1, 0.1, 0.2, 0.5)),
             Detection(20.0, "person", 0.9, (0.7, 0.1, 0.8, 0.5)), Detection(21.0, "person", 0.9, (0.7, 0.1, 0.8, 0.5))]
    assert count_tracks(apart, max_gap_s=3.0) == 2


@pytest.mark.parametrize("features,lines,people,kind", [
    ({"motion": 0.0, "flat": 0.8}, 6, 0.0, "slide"),
    ({"motion": 0.0, "flat": 0.2}, 8, 0.0, "still image"),
    ({"motion": 0.9, "flat": 0.1}, 0, 0.0, "footage"),
    ({"motion": 0.6, "flat": 0.7}, 12, 0.0, "screen recording"),
    ({"motion": 0.7, "flat": 0.2}, 0, 0.9, "talking head"),
])
def test_scene_kinds_follow_their_measures(features, lines, people, kind):
    assert scene_kind(features, lines, people)[0] == kind


def test_voice_groups_need_a_long_segment_to_found_a_voice():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=256), rng.normal(size=256)

    def near(v, noise=0.3):
        x = v + noise * rng.normal(size=256) * np.linalg.norm(v) / 16
        return x / np.linalg.norm(x)

    prints = [near(a), near(a), near(b), near(a), near(b), rng.normal(size=256)]
    prints[-1] /= np.linalg.norm(prints[-1])
    founding = [True, True, True, True, False, False]
    assert group_voices(prints, 0.75, founding=founding) == [0, 0, 1, 0, 1, None]
    assert group_voices([], 0.75) == []


# -- a generated video, indexed end to end ------------------------------------------------------------

FPS = 25
RATE = 16000


def _speak(text: str, voice: str, tmp: Path, pitch: int = 50) -> np.ndarray:
    out = tmp / f"{voice.replace('+', '_')}-{pitch}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "150", "-w", str(out), text], check=True,
                   capture_output=True)
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    idx = np.linspace(0, len(pcm) - 1, int(len(pcm) * RATE / rate)).astype(int)
    return pcm[idx]


def _seen_and_heard_video(path: Path, tmp: Path) -> dict:
    """8 s of a static slide read by en-us, then 8 s of moving footage (a textured background
    panning, a cat walking across it) read by en-us+f3 at a higher pitch."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 640, 360
    slide = Image.new("RGB", (w, h), (245, 245, 240))
    draw = ImageDraw.Draw(slide)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    draw.text((30, 30), "Animals in the Field", fill=(20, 20, 20), font=font)
    for i, line in enumerate(("Cameras left out overnight", "Counting what walks past", "Sorting the footage")):
        draw.text((50, 110 + 50 * i), line, fill=(20, 20, 20), font=small)
    slide_rgb = np.asarray(slide)
    rng = np.random.default_rng(5)
    field = cv2.resize(np.clip(110 + 45 * rng.normal(0, 1, (h // 6, 2 * w // 6, 3)), 0, 255).astype(np.uint8),
                       (2 * w, h))
    cat = cv2.cvtColor(cv2.imread(str(OBJECTS / "cat.jpg")), cv2.COLOR_BGR2RGB)
    ch = int(0.55 * h)
    cw = int(cat.shape[1] * ch / cat.shape[0])
    cat = cv2.resize(cat, (cw, ch), interpolation=cv2.INTER_AREA)
    first = _speak("Cameras were left out overnight to count the animals that walk past them.", "en-us", tmp)
    # en-us+f3 at espeak's default pitch is only 0.60 from en-us to the voice encoder (ambiguous);
    # at pitch 80 it is 0.48, a voice of its own
    second = _speak("Here is what one of the cameras recorded just after midnight in the garden.", "en-us+f3", tmp,
                    pitch=80)
    audio = np.zeros(16 * RATE, dtype=np.int16)
    audio[int(0.5 * RATE):int(0.5 * RATE) + len(first)] = first[: 7 * RATE]
    audio[int(8.5 * RATE):int(8.5 * RATE) + len(second)] = second[: 7 * RATE]
    with av.open(str(path), "w") as container:
        vs = container.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "28", "g": "50"})
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        aus = container.add_stream("aac", rate=RATE, layout="mono")
        for n in range(16 * FPS):
            t = n / FPS
            if t < 8.0:
                img = slide_rgb
            else:
                k = (t - 8.0) / 8.0
                img = field[:, int(k * w):int(k * w) + w].copy()
                x = int(20 + k * (w - cw - 40))
                img[(h - ch) // 2:(h - ch) // 2 + ch, x:x + cw] = cat
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            frame.pts, frame.time_base = n, Fraction(1, FPS)
            for packet in vs.encode(frame):
                container.mux(packet)
        for packet in vs.encode():
            container.mux(packet)
        block = 1024
        for i in range(0, len(audio), block):
            chunk = audio[i:i + block]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, i, Fraction(1, RATE)
            for packet in aus.encode(frame):
                container.mux(packet)
        for packet in aus.encode():
            container.mux(packet)
    return {"slide": (0.0, 8.0), "footage": (8.0, 16.0)}


@needs_espeak()
@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(), reason="no DejaVu font")
def test_a_video_indexed_end_to_end_says_what_was_seen_and_heard(tmp_path, settings):
    from keyclip.agent.run import Asker
    from keyclip.backends.registry import make_classifier
    from keyclip.index.build import build_index
    from keyclip.index.store import IndexStore

    video = tmp_path / "garden.mp4"
    truth = _seen_and_heard_video(video, tmp_path)
    classify = make_classifier(Settings(classify={"model": "packaged:efficientnet-lite3"}))[0] is not None
    if classify:  # the classes extra and the openpibo models are there (the test install): use them
        settings = settings.model_copy(update={"classify": settings.classify.model_copy(
            update={"model": "packaged:efficientnet-lite3"})})
    result = build_index(video, settings)
    store = IndexStore.open(result.index_path, readonly=True)
    kinds = [(round(r.t0), r.kind) for r in store.scene_rows()]
    assert kinds == [(0, "slide"), (8, "footage")], kinds
    # the detector ran on the slide once (and not every second) and on the moving footage often
    checked = store.stages()["objects"]["info"]["checked_t"]
    assert sum(t < 8.0 for t in checked) <= 2 and sum(t >= 8.0 for t in checked) >= 5, checked
    seen = [o for o in store.seen_objects() if o.label == "cat"]
    assert seen and seen[0].count == 1 and seen[0].first_t >= truth["footage"][0], store.seen_objects()
    thumb = store.seen_thumbnail(seen[0].clip_id, "cat")
    assert thumb is not None and cv2.imdecode(np.frombuffer(thumb, np.uint8), cv2.IMREAD_COLOR).shape[0] >= 60
    assert not [o for o in store.seen_objects() if o.first_t < truth["slide"][1]]
    assert any(r.text.startswith("seen: 1 cat") for r in store.records("objects"))
    if classify:  # weak labels for the footage's keyframes only, never for the slide
        guesses = store.frame_classes()
        assert guesses and all(t >= truth["footage"][0] for t, _, _ in guesses), guesses
    voices = [v for _, _, v in store.voices()]
    assert sorted(set(voices) - {None}) == [0, 1], store.voices()
    # every turn was printed beside speech, and the same as printing them after it
    beside, wanted = store.stages()["voices"]["info"]["printed_beside_speech"]
    assert beside == wanted > 0
    turns = store.voices()
    store.close()
    from keyclip.index.build import SilentProgress
    from keyclip.index.models import IndexModels
    from keyclip.index.voices import run_voices

    store = IndexStore.open(result.index_path)
    run_voices(store, video, result.media, settings, store.stage_fingerprint("voices"), SilentProgress(),
               lambda msg: None, IndexModels(settings))
    assert store.voices() == turns
    assert store.stages()["voices"]["info"]["printed_beside_speech"] == [0, wanted]
    store.close()

    with Asker(result.index_path, video, settings) as asker:
        voices = asker.ask("How many different voices can be heard in the video?",
                           options=["A. 1", "B. 2", "C. 3", "D. 4"])
        animal = asker.ask("Which animal walks across the footage?",
                           options=["A. A dog", "B. A horse", "C. A cat", "D. A bird"])
        unseen = asker.ask("What colour is the cat's collar?",
                           options=["A. Red", "B. Blue", "C. Green", "D. It has none"])
    assert voices.letter == "B", voices
    assert animal.letter == "C" and any(c.kind == "seen" for c in animal.citations), animal
    assert unseen.letter is None, unseen  # the detector sees a cat, not its collar


def test_broken_model_files_skip_their_stage_and_nothing_else(tmp_path, settings, sample, monkeypatch):
    """A truncated detector weights file (it would load as noise) and a voice encoder that is not
    an ONNX model: each stage is recorded as skipped with a one-line notice; speech, screen text
    and scenes are indexed as usual."""
    from keyclip.backends import fetch
    from keyclip.index.build import build_index
    from keyclip.index.store import IndexStore

    source = fetch.fetched(fetch.YOLOV3_TINY)
    if source is None:
        pytest.skip("YOLOv3-tiny is not fetched (scripts/setup.sh)")
    models = tmp_path / "models"
    shutil.copytree(source, models / "yolov3-tiny")
    weights = models / "yolov3-tiny" / "yolov3-tiny.weights"
    weights.write_bytes(weights.read_bytes()[: 10_000_000])
    monkeypatch.setenv("KEYCLIP_MODELS_DIR", str(models))
    bad = tmp_path / "voice.onnx"
    bad.write_bytes(b"not a model")
    s = settings.model_copy(update={"voices": settings.voices.model_copy(update={"model": str(bad)})})
    result = build_index(sample.path, s)
    notices = [n for n in result.notices if "skipped" in n]
    assert any(n.startswith("objects stage skipped: YOLOv3-tiny is not fetched") for n in notices), result.notices
    assert any(n.startswith("voices stage skipped:") and "voice.onnx" in n for n in notices), result.notices
    assert all("\n" not in n for n in notices)
    store = IndexStore.open(result.index_path, readonly=True)
    stages = store.stages()
    assert stages["objects"]["info"]["skipped"] and stages["voices"]["info"]["skipped"]
    counts = store.counts()
    assert counts["speech_segments"] > 0 and counts["ocr_spans"] > 0 and counts["scenes"] >= 4
    assert all(r.kind for r in store.scene_rows())
    store.close()
