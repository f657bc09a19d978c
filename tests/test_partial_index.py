"""Answering while indexing: each stage is readable once committed (speech first, from its own
thread), an answer from a partial index says what is still to come, and `ask --early` answers
from the speech before the visual pass ends, then again from the whole index. Real models, a
real build, a real CLI process; nothing mocked.

The visual pass is made slower than speech on purpose (OCR on every sample, `change_threshold
= 0`), so that the transcript is committed while the visual pass still runs on any machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keyclip.agent.run import Asker
from keyclip.index.build import build_index
from keyclip.index.partial import partial_notice, pending_stages
from keyclip.index.store import IndexStore
from keyclip.samples import make_sample_lecture
from keyclip.settings import Settings

from .conftest import needs_espeak

REPO = Path(__file__).resolve().parent.parent
SLOW_VISUAL = {"ocr": {"change_threshold": 0.0, "interval_s": 1.0}}

pytestmark = needs_espeak()


@pytest.fixture(scope="module")
def lecture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("partial") / "lecture.mp4"
    make_sample_lecture(path)
    return path


def test_an_answer_from_the_committed_speech_says_what_is_still_to_come(lecture, settings):
    """The asker opened on the partial index is kept open (as the chat keeps askers warm): once
    the build ends, its next answer rests on the whole index, not on the records it read first."""
    s = Settings(cache_dir=settings.cache_dir, **SLOW_VISUAL)
    seen: dict = {}

    def on_commit(stage: str, db: Path) -> None:
        if stage == "speech":
            store = IndexStore.open(db, readonly=True)
            seen["pending"] = pending_stages(store)
            store.close()
            seen["asker"] = Asker(db, lecture, s)
            seen["answer"] = seen["asker"].ask("what is a collision?")

    result = build_index(lecture, s, on_commit=on_commit)
    assert {"scenes", "ocr", "objects", "embed"} <= set(seen["pending"]), seen["pending"]
    early = seen["answer"]
    assert early.spans and early.citations[0].kind == "speech", early
    assert 7.0 <= early.spans[0][0] <= 9.0  # "when two keys land in the same bucket, we call it a collision"
    notice = partial_notice(seen["pending"])
    assert notice in early.notices and "on-screen text" in notice and "speech" not in notice.split(":")[2]
    assert {"ocr", "scenes", "embed"} <= set(early.pending) and "speech" not in early.pending
    assert not any(r.kind == "ocr" for r in seen["asker"].tools.evidence.records)
    with seen["asker"] as warm:  # the same asker, after the build
        again = warm.ask("what is a collision?")
        assert any(r.kind == "ocr" for r in warm.tools.evidence.records)
    with Asker(result.index_path, lecture, s) as asker:
        full = asker.ask("what is a collision?")
    for answer in (full, again):
        assert not any("still being indexed" in n for n in answer.notices), answer.notices
        assert answer.pending == []
    assert (again.answer, again.spans, again.confidence) == (full.answer, full.spans, full.confidence)
    store = IndexStore.open(result.index_path, readonly=True)
    assert pending_stages(store) == []
    store.close()


def test_pending_stages_name_only_stages_with_no_result_yet(sample_index):
    result, s = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    assert pending_stages(store) == []
    assert partial_notice([]) == "" and partial_notice(["kinds", "frames"]) == ""
    store.close()


def test_ask_early_answers_from_speech_then_from_the_whole_index(lecture, cache):
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "KEYCLIP_OCR__CHANGE_THRESHOLD": "0",
           "KEYCLIP_OCR__INTERVAL_S": "1"}
    proc = subprocess.run([sys.executable, str(REPO / "app.py"), "ask", str(lecture), "what is a collision?",
                           "--early", "--json"], capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    answers = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [a["partial"] for a in answers] == [True, False], proc.stdout[:500]
    early, full = answers
    assert early["spans"] and full["spans"]
    assert any("still being indexed" in n for n in early["notices"])
    assert not any("still being indexed" in n for n in full["notices"])
    assert "still being indexed" in proc.stderr  # the notice is printed as it happens
    # the full index adds the on-screen evidence the early answer could not have
    assert not any(e["kind"] == "ocr" for e in early["evidence"])
    assert any(e["kind"] == "ocr" for e in full["evidence"])
    # asked again: the index is finished, one answer, no early one
    again = subprocess.run([sys.executable, str(REPO / "app.py"), "ask", str(lecture), "what is a collision?",
                            "--early", "--json"], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert [json.loads(line)["partial"] for line in again.stdout.splitlines() if line.strip()] == [False]


def test_ask_early_answers_from_an_index_another_process_is_building(lecture, cache):
    """`index` runs in one process; `ask --early` in another waits for the build lock, reads the
    transcript the first one committed, and answers from it before that build ends."""
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "KEYCLIP_OCR__CHANGE_THRESHOLD": "0",
           "KEYCLIP_OCR__INTERVAL_S": "0.5"}
    builder = subprocess.Popen([sys.executable, str(REPO / "app.py"), "index", str(lecture)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(cache.glob("videos/*/index.sqlite")) and time.monotonic() < deadline:
            time.sleep(0.1)  # the index exists once the builder holds the video's lock
        assert builder.poll() is None, builder.stderr.read()
        asker = subprocess.Popen([sys.executable, str(REPO / "app.py"), "ask", str(lecture), "what is a collision?",
                                  "--early", "--json"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        first = asker.stdout.readline()
        builder_running = builder.poll() is None
        rest, errors = asker.communicate(timeout=600)
    finally:
        if builder.poll() is None:
            builder.wait(timeout=600)
    assert asker.returncode == 0, errors[-2000:]
    answers = [json.loads(line) for line in [first, *rest.splitlines()] if line.strip()]
    assert [a["partial"] for a in answers] == [True, False], answers
    assert builder_running, "the other build had ended before the early answer"
    assert answers[0]["spans"] and any("still being indexed" in n for n in answers[0]["notices"])
    assert builder.returncode == 0


class _Killed(RuntimeError):
    """Stands in for a kill after a window was committed (raised on the speech thread)."""


def store_until(part: dict) -> float:
    return part["part"]["until"]


def test_a_transcript_is_kept_window_by_window_and_a_build_resumes_after_the_last_one(lecture, tmp_path):
    """Speech in 10-s windows over the 27-s lecture: each window's transcript is committed (and
    answerable, with a notice saying how far speech has got); a build that dies after the first
    window that holds speech resumes there, keeping the transcript before it, and reads as a fresh
    build's. (The windows hand over inside pauses: here at 0.06 s and about 7.6 s.)"""
    s = Settings(cache_dir=tmp_path / "cache", speech={"chunk_s": 10.0})
    parts: list[dict] = []

    def on_commit(stage: str, db: Path) -> None:
        if stage != "speech:part":
            return
        store = IndexStore.open(db, readonly=True)
        parts.append({"part": store.speech_part(), "segments": store.speech(), "pending": pending_stages(store),
                      "records": len(store.records("speech"))})
        store.close()
        if store_until(parts[-1]) >= 5.0:
            raise _Killed("killed after the first window that holds speech")

    with pytest.raises(_Killed):
        build_index(lecture, s, on_commit=on_commit)
    assert [p["part"]["until"] for p in parts] == sorted(p["part"]["until"] for p in parts)
    until = parts[-1]["part"]["until"]
    assert len(parts) >= 2 and 5.0 <= until < 20.0 and "speech" in parts[-1]["pending"]
    assert parts[-1]["records"] == len(parts[-1]["segments"]) > len(parts[0]["segments"])
    assert all(seg.t1 <= until for seg in parts[-1]["segments"])
    db = next((tmp_path / "cache" / "videos").glob("*/index.sqlite"))
    with Asker(db, lecture, s) as asker:
        early = asker.ask("what are we talking about today?")  # "Today we talk about hash tables", 0:00-0:07
    notice = next(n for n in early.notices if "still being indexed" in n)
    m, sec = divmod(int(until), 60)
    assert f"speech after 0:{m:02d}:{sec:02d}" in notice, notice
    assert early.spans and early.citations[0].kind == "speech" and early.spans[0][1] <= until + 0.5, early

    kept = parts[-1]["segments"]
    resumed = build_index(lecture, s)
    assert any("speech resumed at" in n for n in resumed.notices), resumed.notices
    store = IndexStore.open(resumed.index_path, readonly=True)
    info = store.stages()["speech"]["info"]
    assert info["resumed_at"] == until and store.speech_part() is None
    final = store.speech()
    assert final[:len(kept)] == kept and len(final) > len(kept)
    assert pending_stages(store) == [] and store.voices()
    store.close()
    fresh = build_index(lecture, Settings(cache_dir=tmp_path / "fresh", speech={"chunk_s": 10.0}))
    fresh_store = IndexStore.open(fresh.index_path, readonly=True)
    words = lambda segs: " ".join(x.text for x in segs).lower().split()  # noqa: E731
    import jiwer

    assert jiwer.wer(" ".join(words(fresh_store.speech())), " ".join(words(final))) <= 0.1
    fresh_store.close()
