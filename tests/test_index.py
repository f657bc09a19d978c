"""The index: schema migrations, cache hits, resume after a crash or Ctrl-C, concurrent builds,
hybrid retrieval. Real SQLite, real models, real processes for the kill tests."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keyclip.errors import IndexError_
from keyclip.index.build import build_index, stage_fingerprints
from keyclip.index.query import fts_query, search_store
from keyclip.index.schema import MIGRATIONS, migrate
from keyclip.index.store import IndexStore
from keyclip.samples import DEFAULT_SLIDES, make_sample_lecture

REPO = Path(__file__).resolve().parent.parent


def test_blank_database_migrates_and_reopens(tmp_path):
    db = sqlite3.connect(tmp_path / "i.sqlite", isolation_level=None)
    assert migrate(db) == [name for name, _ in MIGRATIONS]
    assert migrate(db) == []  # idempotent
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table')")}
    assert {"scenes", "clips", "keyframes", "speech_segments", "speech_words", "ocr_spans", "detections",
            "records", "records_fts", "embeddings", "stages", "meta"} <= tables
    assert db.execute("PRAGMA user_version").fetchone()[0] >= 1


def test_index_from_a_newer_keyclip_is_refused(tmp_path):
    path = tmp_path / "i.sqlite"
    IndexStore.open(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO migrations VALUES ('999_future', 0)")
    db.commit()
    with pytest.raises(IndexError_, match="newer keyclip"):
        IndexStore.open(path)


def test_fts_records_follow_their_table(tmp_path):
    store = IndexStore.open(tmp_path / "i.sqlite")

    class Seg:
        def __init__(self, t0, text):
            self.t0, self.t1, self.text, self.words, self.avg_logprob, self.no_speech_prob = t0, t0 + 1, text, (), 0, 0

    store.write_speech("fp1", 1.0, [Seg(0, "entropy is defined here"), Seg(5, "unrelated words")], {})
    assert store.db.execute("SELECT rowid FROM records_fts WHERE records_fts MATCH 'entropy'").fetchall()
    store.write_speech("fp2", 1.0, [Seg(0, "something else")], {})  # replaces, FTS follows
    assert not store.db.execute("SELECT rowid FROM records_fts WHERE records_fts MATCH 'entropy'").fetchall()
    assert store.stage_fingerprint("speech") == "fp2"


@pytest.mark.parametrize("question", ['"unbalanced', "NEAR(a b)", "a AND OR NOT", "*", "col:umn", "-"])
def test_user_text_never_breaks_fts(sample_index, question):
    result, _ = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    q = fts_query(question)
    if q is not None:
        store.db.execute("SELECT rowid FROM records_fts WHERE records_fts MATCH ?", (q,)).fetchall()
    search_store(store, question, None)  # no exception


def test_hybrid_search_finds_said_and_shown_evidence(sample_index, sample):
    from keyclip.backends.registry import make_embedder

    result, s = sample_index
    store = IndexStore.open(result.index_path, readonly=True)
    embedder = make_embedder(s)
    hits = search_store(store, "what happens when two keys land in the same bucket?", embedder, k=3)
    slide2 = sample.slides[1]
    assert hits and slide2["start"] - 0.5 <= hits[0].record.t0 <= slide2["end"]
    # dense alone finds a paraphrase that shares no keyword with the slide
    para = search_store(store, "ratio of stored items to available slots", embedder, k=3)
    slide3 = sample.slides[2]
    assert any(slide3["start"] - 0.5 <= h.record.t0 <= slide3["end"] for h in para)
    assert any(h.bm25_rank is None and h.dense_rank is not None for h in para)


def test_unchanged_file_is_a_cache_hit(sample_index):
    result, s = sample_index
    again = build_index(result.video, s)
    assert again.cache_hit and again.stages_run == []
    assert again.index_path == result.index_path
    assert again.counts == result.counts


def test_changed_option_reruns_only_its_stage(sample_index, tmp_path):
    result, s = sample_index
    before = IndexStore.open(result.index_path, readonly=True).stages()
    changed = s.model_copy(update={"ocr": s.ocr.model_copy(update={"min_confidence": 0.61})})
    fps_old, fps_new = stage_fingerprints(s), stage_fingerprints(changed)
    # screen text feeds the scene kinds (text lines) and the embeddings
    assert {k for k in fps_old if fps_old[k] != fps_new[k]} == {"ocr", "kinds", "embed"}
    rerun = build_index(result.video, changed)
    assert set(rerun.stages_run) == {"ocr", "kinds", "embed"}
    after = IndexStore.open(result.index_path, readonly=True).stages()
    for name in ("scenes", "speech", "objects"):
        assert after[name]["finished_at"] == before[name]["finished_at"]
    build_index(result.video, s)  # put the session index back as it was


def test_changed_speech_option_reruns_speech_and_the_stages_that_read_it(sample_index):
    """Speech again on an index that has voice turns (they refer to the segments): the old turns
    go with the old segments and the voices stage runs again; the visual stages do not."""
    result, s = sample_index
    before = IndexStore.open(result.index_path, readonly=True).stages()
    changed = s.model_copy(update={"speech": s.speech.model_copy(update={"vad_filter": False})})
    rerun = build_index(result.video, changed)
    assert set(rerun.stages_run) == {"speech", "voices", "embed"}
    store = IndexStore.open(result.index_path, readonly=True)
    assert store.speech() and store.voices()
    assert store.stages()["scenes"]["finished_at"] == before["scenes"]["finished_at"]
    build_index(result.video, s)  # put the session index back as it was


def test_same_content_under_another_name_shares_the_index(sample_index, tmp_path):
    result, s = sample_index
    copy = tmp_path / "renamed copy.mp4"
    copy.write_bytes(Path(result.video).read_bytes())
    again = build_index(copy, s)
    assert again.cache_hit and again.index_path == result.index_path


@pytest.fixture(scope="module")
def short_video(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("short") / "short.mp4"
    make_sample_lecture(path, slides=DEFAULT_SLIDES[:2], motion_s=0)
    return path


def _cli(*args: str, cache: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, str(REPO / "app.py"), *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _wait_for_a_stage(cache: Path, timeout: float = 240) -> Path:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for db_path in cache.glob("videos/*/index.sqlite"):
            try:
                db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
                n = db.execute("SELECT COUNT(*) FROM stages").fetchone()[0]
                db.close()
                if n:
                    return db_path
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    raise AssertionError("no stage finished in time")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_build_keeps_finished_stages_and_resumes(short_video, tmp_path, model_cache, sig):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    proc = _cli("index", str(short_video), cache=cache)
    db_path = _wait_for_a_stage(cache)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    if sig == signal.SIGINT and proc.returncode != 0:  # it may have finished first
        assert proc.returncode == 130
        lines = [line for line in stderr.strip().splitlines() if line.startswith("error:")]
        assert lines == ["error: interrupted; finished index stages are kept and a re-run resumes"]
        assert "Traceback" not in stderr
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done_before = {r[0]: r[1] for r in db.execute("SELECT name, finished_at FROM stages")}
    db.close()
    assert done_before
    rerun = _cli("index", str(short_video), "--json", cache=cache)
    stdout, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr
    report = json.loads(stdout)["indexed"][0]
    assert not set(report["stages_run"]) & set(done_before)
    db = sqlite3.connect(db_path)
    after = {r[0]: r[1] for r in db.execute("SELECT name, finished_at FROM stages")}
    assert set(after) == {"scenes", "speech", "ocr", "objects", "kinds", "classes", "voices", "embed", "frames"}
    assert all(after[k] == v for k, v in done_before.items())


def test_concurrent_builds_of_one_video_do_not_collide(short_video, tmp_path, model_cache):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    procs = [_cli("index", str(short_video), "--json", cache=cache) for _ in range(2)]
    reports = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=900)
        assert p.returncode == 0, stderr
        reports.append(json.loads(stdout)["indexed"][0])
    assert sorted(r["cache_hit"] for r in reports) == [False, True]
    db = sqlite3.connect(reports[0]["index_path"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM stages").fetchone()[0] == 9
