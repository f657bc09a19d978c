"""Batch annotation end to end with the real offline models: outputs that real parsers accept,
chapters and slides against the generated videos' truth, the catalog, a killed batch resumed,
a corrupt file failing alone; and the pieces (inputs, catalog, subtitle writers) on their own."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import pytest
import srt
import webvtt

from keyclip.batch import transcript
from keyclip.batch.catalog import Catalog
from keyclip.batch.sources import expand
from keyclip.errors import InputError
from keyclip.samples import DEFAULT_SLIDES, Slide, make_sample_lecture
from keyclip.tools.asr import SpeechSegment, Word

from .conftest import REPO, needs_espeak

OTHER_SLIDES = (
    Slide("Binary Search Trees", ("Left is smaller", "Right is larger"),
          ("A binary search tree keeps smaller keys on the left.", "Larger keys go to the right."),
          (30, 40, 80), (240, 240, 240)),
    Slide("Tree Rotations", ("Rotate left", "Rotate right"),
          ("A rotation changes the shape of a tree but keeps the order of its keys.",),
          (230, 230, 210), (30, 30, 30)),
    Slide("Balanced Trees", ("Height stays logarithmic",),
          ("Balanced trees keep their height logarithmic in the number of keys.",),
          (70, 20, 20), (250, 240, 220)),
)
THIRD_SLIDES = (
    Slide("Sorting Algorithms", ("Compare and swap",),
          ("Sorting puts items in order by comparing them.", "Most sorts compare two items at a time."),
          (20, 60, 60), (240, 240, 240)),
    Slide("Merge Sort", ("Split, sort, merge",),
          ("Merge sort splits the list in half and merges the sorted halves.",), (240, 230, 200), (40, 20, 20)),
)


# -- pieces --------------------------------------------------------------------------------------


def test_subtitles_parse_with_real_parsers_even_when_speech_contains_cue_syntax():
    segs = [SpeechSegment(0.5, 2.0, "Hello --> world", (Word(0.5, 1.0, "Hello", 0.9),), -0.2, 0.01),
            SpeechSegment(1.9, 4.25, "Line one\n\nline two", (), -0.3, 0.02),
            SpeechSegment(3661.5, 3662.0, "an hour in: Vector<T> & R&D", (), -0.1, 0.0)]
    subs = list(srt.parse(transcript.to_srt(segs)))
    assert [s.content for s in subs] == ["Hello → world", "Line one\nline two", "an hour in: Vector<T> & R&D"]
    assert subs[2].start.total_seconds() == pytest.approx(3661.5)
    assert subs[0].end.total_seconds() <= subs[1].start.total_seconds()  # cues never overlap
    cues = webvtt.from_buffer(io.StringIO(transcript.to_vtt(segs))).captions
    assert [c.start for c in cues] == ["00:00:00.500", "00:00:01.900", "01:01:01.500"]
    assert cues[2].raw_text == "an hour in: Vector&lt;T&gt; &amp; R&amp;D"  # entities, not a <T> tag
    data = transcript.to_json(segs, "en")
    assert data["segments"][0]["words"][0] == {"start": 0.5, "end": 1.0, "word": "Hello", "probability": 0.9}


def test_inputs_expand_from_folders_globs_and_list_files(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/one.mp4", "a/two.MKV", "a/notes.pdf", "three.webm", "a/.hidden/four.mp4"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    listing = tmp_path / "more.txt"
    listing.write_text("# lectures\nthree.webm\n\na/one.mp4\n")
    got = expand([str(tmp_path / "a"), str(tmp_path / "*.webm"), f"@{listing}"])
    assert [p.name for p in got] == ["one.mp4", "two.MKV", "three.webm"]  # each once, in order given
    with pytest.raises(InputError, match="no such file"):
        expand([str(tmp_path / "missing.mp4")])
    with pytest.raises(InputError, match="matches no video"):
        expand([str(tmp_path / "*.mov")])
    # a list naming itself and a missing file: no endless loop, the missing file is kept (it fails alone)
    loop = tmp_path / "loop.txt"
    loop.write_text("loop.txt\ngone.mp4\n")
    assert [p.name for p in expand([str(loop)])] == ["gone.mp4"]
    (tmp_path / "latin1.txt").write_bytes("caf\xe9.mp4\n".encode("latin-1"))
    with pytest.raises(InputError, match="cannot read the list file"):
        expand([str(tmp_path / "latin1.txt")])


def test_catalog_retries_unfinished_and_failed_and_skips_done(tmp_path):
    videos = []
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        (tmp_path / name).write_bytes(b"x")
        videos.append(tmp_path / name)
    out = tmp_path / "out" / "a-1"
    out.mkdir(parents=True)
    (out / "annotation.json").write_text("{}")
    with Catalog.open(tmp_path / "catalog.sqlite") as cat:
        assert cat.add(videos) == 3
        cat.start(str(videos[0]))
        index = tmp_path / "index.sqlite"
        index.write_bytes(b"")
        cat.done(str(videos[0]), "h", 1.0, str(out), str(index), ["annotation.json"], {})
        cat.start(str(videos[1]))  # then the process dies: b stays 'running'
        cat.start(str(videos[2]))
        cat.failed(str(videos[2]), "bad file\nwith a second line")
        assert cat.entries("failed")[0].reason == "bad file"
    with Catalog.open(tmp_path / "catalog.sqlite") as cat:
        assert cat.add(videos) == 2
        assert cat.todo([str(v) for v in videos]) == [str(videos[1]), str(videos[2])]
        (out / "annotation.json").unlink()  # outputs gone: do it again
        cat.add(videos)
        assert str(videos[0]) in cat.todo()
        cat.done(str(videos[0]), "h", 1.0, str(out), str(index), ["annotation.json"], {})
        (out / "annotation.json").write_text("{}")
        index.unlink()  # the index cache was cleared: do it again
        cat.add(videos)
        assert str(videos[0]) in cat.todo()


def test_slides_keep_repeated_titles_and_join_bullets_revealed_one_by_one():
    from keyclip.batch.slides import distinct_slides
    from keyclip.tools.ocr import OCRSpan

    def line(t0, t1, text, y, h=0.04):
        return OCRSpan(t0, t1, text, (0.1, y, 0.9, y + h), 0.95)

    spans = [line(0, 90, "CS 201 - Lecture 7", 0.93, 0.03)]  # a footer over all three slides
    # slide 1: its bullets appear one by one while the title stays
    spans += [line(0, 30, "Hash Tables", 0.05, 0.09), line(0, 30, "Keys map to buckets", 0.3),
              line(10, 30, "Collisions happen", 0.4), line(20, 30, "Chains resolve them", 0.5)]
    # slides 2 and 3 repeat the title with other content
    spans += [line(30, 60, "Hash Tables", 0.05, 0.09), line(30, 60, "Open addressing probes", 0.3)]
    spans += [line(60, 90, "Hash Tables", 0.05, 0.09), line(60, 90, "Resize at three quarters", 0.3)]
    slides = distinct_slides(spans)
    assert [(s.title, s.spans) for s in slides] == [("Hash Tables", [(0.0, 30.0)]), ("Hash Tables", [(30.0, 60.0)]),
                                                    ("Hash Tables", [(60.0, 90.0)])]
    assert slides[0].lines == ["Hash Tables", "Keys map to buckets", "Collisions happen", "Chains resolve them"]
    assert all("CS 201 - Lecture 7" not in s.lines for s in slides)


# -- end to end ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    # moving segments of 6 s: longer than annotate.min_chapter_s, so each is a chapter of its own
    truths = [make_sample_lecture(folder / "hashing.mp4", slides=DEFAULT_SLIDES, motion_s=6),
              make_sample_lecture(folder / "trees.mp4", slides=OTHER_SLIDES, motion_s=6),
              make_sample_lecture(folder / "sorting.mp4", slides=THIRD_SLIDES, motion_s=0)]
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a video")
    return folder, truths


def _env(cache: Path, model_cache: Path) -> dict:
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "models").exists():
        (cache / "models").symlink_to(model_cache, target_is_directory=True)
    return {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"}


def _catalog(out: Path) -> dict[str, tuple[str, int]]:
    db = sqlite3.connect(f"file:{out / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return {Path(p).name: (s, a) for p, s, a in db.execute("SELECT path, status, attempts FROM videos")}
    except sqlite3.OperationalError:  # the batch is still creating it
        return {}
    finally:
        db.close()


def _check_outputs(folder: Path, truth) -> None:
    subs = list(srt.parse((folder / "transcript.srt").read_text()))
    assert subs and all(s.start < s.end for s in subs)
    said = " ".join(s.content for s in subs)
    narration = " ".join(n["text"] for sl in truth.slides for n in sl["narration"])
    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                          jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    assert jiwer.wer(narration, said, reference_transform=norm, hypothesis_transform=norm) < 0.3
    webvtt.read(str(folder / "transcript.vtt"))
    chapters = webvtt.read(str(folder / "chapters.vtt")).captions
    titles = [c.text for c in chapters]
    assert titles[: 2] == [sl["title"] for sl in truth.slides[:2]]
    assert truth.slides[-1]["title"] in titles
    # chapter starts at the slide changes (and the moving segment), to a second
    starts = [c.start_in_seconds + c.start_time.milliseconds / 1000 for c in chapters]
    expected = [0.0] + list(truth.cuts)
    assert len(starts) == len(expected) and all(abs(a - b) <= 1.0 for a, b in zip(starts, expected))
    md = (folder / "chapters.md").read_text().splitlines()
    assert md[2].startswith("0:00:00 ") and len(md) == 2 + len(chapters)
    slides = json.loads((folder / "slides.json").read_text())["slides"]
    assert [s["title"] for s in slides] == [sl["title"] for sl in truth.slides]
    assert "## Keywords" in (folder / "summary.md").read_text()
    meta = json.loads((folder / "annotation.json").read_text())
    assert meta["video"]["duration"] == pytest.approx(truth.duration, abs=0.1)
    assert set(meta["outputs"]) == {p.name for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.fixture(scope="module")
def killed_then_resumed(archive, tmp_path_factory, model_cache):
    """The archive annotated with one worker, the whole process group killed once the first video
    is done, then annotated again to the end."""
    folder, truths = archive
    base = tmp_path_factory.mktemp("batch")
    out = base / "out"
    env = _env(base / "cache", model_cache)
    cmd = [sys.executable, str(REPO / "app.py"), "annotate", str(folder), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "catalog.sqlite").exists() and any(s == "done" for s, _ in _catalog(out).values()):
            break
        time.sleep(0.5)
    alive = proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = _catalog(out)
    run = subprocess.run(cmd + ["--json"], env=env, cwd=REPO, capture_output=True, text=True, timeout=900)
    return {"alive": alive, "first": first, "run": run, "second": _catalog(out), "out": out, "env": env,
            "truths": truths, "folder": folder}


@needs_espeak()
def test_annotate_resumes_after_a_kill_and_a_corrupt_file_fails_alone(killed_then_resumed):
    k = killed_then_resumed
    assert k["alive"], "the batch ended before it could be killed"
    first, run, second, out = k["first"], k["run"], k["second"], k["out"]
    done_first = [n for n, (s, _) in first.items() if s == "done"]
    assert len(done_first) == 1 and len(first) == 4
    assert all(s in ("pending", "running") for n, (s, _) in first.items() if n not in done_first + ["broken.mp4"])
    # the second run did only the unfinished videos; the corrupt one failed alone, exit 1
    assert run.returncode == 1, run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["skipped"] == 1
    assert {Path(r["video"]).name for r in report["done"]} == {"hashing.mp4", "trees.mp4", "sorting.mp4"} - set(done_first)
    assert [Path(f["video"]).name for f in report["failed"]] == ["broken.mp4"]
    assert "\n" not in report["failed"][0]["reason"] and "Traceback" not in run.stderr
    assert second[done_first[0]] == ("done", 1)  # not redone
    # one worker did the rest: its models were loaded for its first video and reused after
    made = [r["models_made"] for r in report["done"]]
    assert len({r["worker"] for r in report["done"]}) == 1 and made[0] > 0 and made == [made[0]] * len(made)
    assert {n: s for n, (s, _) in second.items()} == {"hashing.mp4": "done", "trees.mp4": "done",
                                                      "sorting.mp4": "done", "broken.mp4": "failed"}
    for truth in k["truths"]:
        name = Path(truth.path).stem
        (target,) = [p for p in out.iterdir() if p.name.startswith(name + "-")]
        _check_outputs(target, truth)
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporaries


@needs_espeak()
def test_search_and_ask_across_the_archive_name_the_right_video(killed_then_resumed):
    k = killed_then_resumed
    app = [sys.executable, str(REPO / "app.py")]
    found = subprocess.run(app + ["search", str(k["out"]), "rotations change the shape of a tree", "--json", "-k", "3"],
                           env=k["env"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stderr[-2000:]
    hits = json.loads(found.stdout)
    assert hits[0]["name"] == "trees.mp4"
    truth = next(t for t in k["truths"] if t.path.endswith("trees.mp4"))
    rotations = next(sl for sl in truth.slides if sl["title"] == "Tree Rotations")
    assert hits[0]["t0"] < rotations["end"] and hits[0]["t1"] > rotations["start"]
    asked = subprocess.run(app + ["ask", str(k["out"]), "Which lecture explains merge sort?", "--json"],
                           env=k["env"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert asked.returncode == 0, asked.stderr[-2000:]
    answer = json.loads(asked.stdout)
    assert answer["answer"].startswith("sorting.mp4: ") and answer["videos"][0]["name"] == "sorting.mp4"
    assert answer["citations"] and all(c["video"] == "sorting.mp4" for c in answer["citations"])
    bad = subprocess.run(app + ["search", str(k["folder"]), "anything"], env=k["env"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not an annotated archive" in bad.stderr and "Traceback" not in bad.stderr


@needs_espeak()
def test_ray_engine_on_a_local_cluster_gives_the_local_engines_outputs(killed_then_resumed, tmp_path, model_cache):
    """``--engine ray`` starts a private local Ray instance, indexes the archive again from scratch
    (its own cache) in Ray actors, and writes the same outputs as the local engine did, given the
    same layout (one worker on every core, as the local run had: with one-core actors instead,
    Whisper heard "a hash table map, every key" for "map is every key" on one AMD machine, and
    the transcripts differed by that word)."""
    pytest.importorskip("ray")
    k = killed_then_resumed
    out = tmp_path / "ray-out"
    env = _env(tmp_path / "ray-cache", model_cache)
    temps = set(Path("/tmp").glob("kcray-*"))
    run = subprocess.run([sys.executable, str(REPO / "app.py"), "annotate", str(k["folder"]), "--out", str(out),
                          "--engine", "ray", "--workers", "1", "--json"], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 1, run.stderr[-3000:]  # the corrupt file fails here too
    report = json.loads(run.stdout)
    assert report["engine"] == "ray" and len(report["done"]) == 3
    assert [Path(f["video"]).name for f in report["failed"]] == ["broken.mp4"]
    for folder in sorted(p for p in k["out"].iterdir() if p.is_dir()):
        for name in ("transcript.srt", "transcript.vtt", "chapters.vtt", "chapters.md", "slides.json", "summary.md"):
            assert (out / folder.name / name).read_text() == (folder / name).read_text(), (folder.name, name)
    assert set(Path("/tmp").glob("kcray-*")) <= temps, "the Ray temp folder is removed after the run"


# -- the dev lecture -----------------------------------------------------------------------------


@pytest.mark.slow
def test_dev_lecture_chapters_match_its_slide_changes_and_slides_its_titles(dev_index, dev_truth, tmp_path):
    from keyclip.batch.annotate import annotate_video

    built, s = dev_index
    result = annotate_video(Path(built.video), tmp_path / "out", s)
    chapters = json.loads((result.folder / "annotation.json").read_text())["chapters"]
    truth = [seg["start"] for seg in dev_truth["segments"]][1:]  # every change of slide or segment
    found = [c["start"] for c in chapters][1:]
    hits = sum(1 for t in truth if any(abs(t - f) <= 1.0 for f in found))
    precision = sum(1 for f in found if any(abs(t - f) <= 1.0 for t in truth)) / max(1, len(found))
    recall = hits / len(truth)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    assert f1 >= 0.9, (found, truth)
    slide_titles = {seg["title"] for seg in dev_truth["segments"] if seg["kind"] == "slide"}
    chapter_titles = {c["title"] for c in chapters}
    assert slide_titles <= chapter_titles
    slides = json.loads((result.folder / "slides.json").read_text())["slides"]
    by_title = {s["title"]: s for s in slides}
    for seg in dev_truth["segments"]:
        if seg["kind"] == "slide":
            shown = by_title[seg["title"]]
            assert abs(shown["start"] - seg["start"]) <= 1.0 and abs(shown["end"] - seg["end"]) <= 1.0
            assert shown["lines"][0] == seg["title"]


@pytest.mark.slow
def test_llm_titles_untitled_chapters_and_writes_the_summary_from_fenced_text(dev_index):
    """``--llm-text`` with the packaged SmolLM2 (real llama.cpp): the chapter without a slide
    but with speech (the Dashwood reading over city footage) gets an LLM title; slides keep theirs;
    the summary is the LLM's prose."""
    from keyclip.backends.registry import make_llm
    from keyclip.batch.chapters import make_chapters
    from keyclip.batch.summary import summarise
    from keyclip.index.store import IndexStore

    built, s = dev_index
    options = s.annotate.model_copy(update={"llm_text": True})
    from keyclip.backends import packaged

    if not packaged.installed("llama_cpp") or packaged.smollm2_gguf() is None:
        pytest.skip("no LLM installed (pip install 'keyclip[llm]')")
    llm = make_llm(s.model_copy(update={"llm": s.llm.model_validate({"model": "packaged:smollm2-135m"})}))
    prompts_seen: list[str] = []
    chat = llm.chat

    def recording_chat(messages, **kw):  # the real model; only the prompts are kept to look at
        prompts_seen.append(messages[-1]["content"])
        return chat(messages, **kw)

    llm.chat = recording_chat
    store = IndexStore.open(built.index_path, readonly=True)
    try:
        chapters = make_chapters(store, options, built.media.duration, llm=llm)
        assert len([c for c in chapters if c.source == "slide"]) == 17  # 16 slides and the scanned page
        (dashwood,) = [c for c in chapters if c.start <= 475 < c.end]
        # asked the LLM with the reading fenced as untrusted data; its title is used when its words
        # were said, else the words said are
        assert any("Dashwood" in p and "untrusted data from the video" in p for p in prompts_seen)
        assert dashwood.source in ("llm", "speech") and 0 < len(dashwood.title) <= 80 and "\n" not in dashwood.title
        titled_by_llm = [c for c in chapters if c.slide is None and
                         any(r.t0 < c.end and r.t1 > c.start for r in store.records("speech"))]
        assert len(prompts_seen) == len(titled_by_llm) >= 1  # one title prompt per untitled chapter with speech
        prose, keys, method = summarise(store, chapters, options, llm=llm)
        # then one summary prompt (how many chapters lack a slide varies a little between index builds)
        assert len(prompts_seen) == len(titled_by_llm) + 1 and "untrusted data" in prompts_seen[-1], \
            [(round(c.start), round(c.end), c.source, c.title[:30]) for c in titled_by_llm]
        assert prose.strip() and keys and ("LLM" in method)
    finally:
        store.close()


@needs_espeak()
def test_a_talk_without_slide_changes_is_split_where_the_topic_changes(sample, sample_index):
    """TextTiling on the real MiniLM vectors of the sample's speech, ignoring its slides: with
    chapters of at most 12 s, the splits fall where the narration moves to the next slide's topic
    (a split is made at the start of a speech segment, so within a few seconds of a cut)."""
    from keyclip.batch.chapters import _topic_splits
    from keyclip.index.store import IndexStore

    built, _ = sample_index
    store = IndexStore.open(built.index_path, readonly=True)
    try:
        speech = store.records("speech")
        ids, matrix = store.embeddings()
        vectors = {i: matrix[k] for k, i in enumerate(ids)}
        splits = _topic_splits(0.0, built.media.duration, speech, vectors, max_s=12.0)
    finally:
        store.close()
    assert splits and all(any(abs(t - c) <= 2.5 for c in sample.cuts) for t in splits), (splits, sample.cuts)
