"""Bad flags, settings and paths as a careful user (or a typo) gives them: each is one `error:`
line, exit 2 and no traceback, refused before any model loads, and an existing index is left
byte-identical. Real CLI processes (the start of issue 16's battery)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_cli import REPO, assert_one_line_error, run

VIDEO = "/nonexistent/talk.mp4"
"""Flags are checked before the path, so a flag error is reported whatever the path."""


@pytest.mark.parametrize("args,needle", [
    (["ask", VIDEO, "q", "--budget", "0"], "--budget"),
    (["ask", VIDEO, "q", "--budget", "-5"], "--budget"),
    (["select", VIDEO, "q", "--budget", "-5"], "--budget"),
    (["ask", VIDEO, "q", "--max-turns", "99"], "--max-turns"),
    (["ask", VIDEO, "q", "--max-turns", "0"], "--max-turns"),
    (["ask", VIDEO, "q", "-k", "-1"], "-k"),
    (["ask", VIDEO, "q", "-k", "0"], "-k"),
    (["select", VIDEO, "q", "--token-model", "nosuch-vlm"], "unknown token model"),
    (["select", VIDEO, "q", "--token-model", "fixed:abc"], "--token-model"),
    (["ask", VIDEO, "q", "--option", "", "--option", ""], "is empty"),
    (["ask", VIDEO, "q", "--option", "A.   ", "--option", "B. x"], "--option 1 is empty"),
    (["ask", VIDEO, "q", "--option", "A. x", "--option", "A. y"], "letters repeat (A)"),
    (["select", VIDEO, "q", "--option", "B) x", "--option", "b. y"], "letters repeat (B)"),
    (["ask", VIDEO, "   "], "question is empty"),
    (["ask", VIDEO, "???"], "has no words"),
    (["ask", VIDEO, "why " * 2000], "too long"),
    (["select", VIDEO, "  "], "question is empty"),
    (["ask", VIDEO, "q", "--option", "A. x"], "given once"),
    (["ask", VIDEO, "q", "--session", " "], "--session is empty"),
    (["search", "/nonexistent/archive", " "], "query is empty"),
    (["ask", VIDEO, "q", "--frob"], "No such option: --frob"),
    (["ask", VIDEO, "q", "--budget", "abc"], "'--budget'"),
    (["ask", VIDEO, "q", "--max-turns", "1.5"], "'--max-turns'"),
    (["index"], "Missing argument"),
    (["ask", VIDEO], "Missing argument"),
    (["nosuchcommand"], "No such command"),
    (["chat", "--port", "99999"], "--port"),
    (["ask", VIDEO, "q"], "no such file"),
    (["search", "/nonexistent/archive", "q"], "not an annotated archive"),
    (["search", "/nonexistent/archive", "q", "-k", "0"], "-k"),
])
def test_a_bad_flag_or_path_is_one_line_and_exit_2(args, needle, cache):
    proc = run(*args, cache=cache)
    assert_one_line_error(proc, needle)
    assert proc.returncode == 2


def _media_cases(tmp_path: Path, sample) -> dict[str, tuple[str, str]]:
    """Files that are not usable media, made here: name -> (path, what the error says)."""
    data = Path(sample.path).read_bytes()
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    png = tmp_path / "picture.mp4"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    headless = tmp_path / "headless.mp4"  # the first 30 % (the header) cut off
    headless.write_bytes(data[int(len(data) * 0.3):])
    tiny = tmp_path / "tiny.mp4"
    tiny.write_bytes(data[:64])
    html = tmp_path / "page.mp4"
    html.write_text("<html><body>not a video</body></html>\n" * 20)
    return {"fifo": (str(fifo), "not a file"), "device": ("/dev/zero", "not a file"),
            "png": (str(png), "picture.mp4"), "headless": (str(headless), "headless.mp4"),
            "tiny": (str(tiny), "tiny.mp4"), "html": (str(html), "page.mp4"),
            "folder-for-index": (str(tmp_path), "not a file")}


def test_files_that_are_not_media_are_one_line_and_exit_2(tmp_path, sample, sample_index, cache):
    result, _ = sample_index
    before = hashlib.sha256(result.index_path.read_bytes()).hexdigest()
    for name, (path, needle) in _media_cases(tmp_path, sample).items():
        proc = run("index", path, cache=cache, timeout=60)
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2, (name, proc.stderr)
    assert hashlib.sha256(result.index_path.read_bytes()).hexdigest() == before


def test_an_output_folder_that_is_a_file_is_exit_4(sample, cache):
    proc = run("annotate", sample.path, "--out", "/dev/null", cache=cache)
    assert_one_line_error(proc, "/dev/null is a file")
    assert proc.returncode == 4


def test_a_folder_that_is_not_an_archive_is_refused(tmp_path, cache):
    for command in ("ask", "search"):
        proc = run(command, str(tmp_path), "what is said?", cache=cache)
        assert_one_line_error(proc, "not an annotated archive")
        assert proc.returncode == 2


@pytest.mark.parametrize("env,needle", [
    ({"KEYCLIP_SELECT__BUDGET": "abc"}, "select.budget"),
    ({"KEYCLIP_SELECT__BUDGET": "0"}, "KEYCLIP_SELECT__BUDGET"),
    ({"KEYCLIP_DETECT__MIN_CONFIDENCE": "2"}, "detect.min_confidence"),
    ({"KEYCLIP_VOICES__SAME_VOICE": "-1"}, "voices.same_voice"),
    ({"KEYCLIP_SELECT__TOKEN_MODEL": "nosuch"}, "unknown token model"),
])
def test_a_bad_setting_in_the_environment_is_one_line(env, needle, cache):
    for args in (["index", VIDEO], ["models"], ["ask", VIDEO, "q"]):
        proc = run(*args, cache=cache, env=env)
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2


def test_a_broken_config_file_is_one_line_and_the_index_is_untouched(tmp_path, sample_index):
    result, s = sample_index
    before = hashlib.sha256(result.index_path.read_bytes()).hexdigest()
    bad = tmp_path / "bad.toml"
    bad.write_text("[select\nbudget = ")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[select]\nbudget = -3\n")
    for config, needle in ((bad, "cannot read the settings file"), (wrong, "select.budget")):
        proc = run("ask", result.video, "what is a collision?", cache=s.cache_dir, env={"KEYCLIP_CONFIG": str(config)})
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2
    assert hashlib.sha256(result.index_path.read_bytes()).hexdigest() == before


def test_links_that_lead_nowhere_and_a_cache_that_is_a_file_say_so(tmp_path, sample, cache):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone.mp4")
    for name, needle in (("loop1", "loops back on itself"), ("dangling", "which does not exist")):
        proc = run("index", str(tmp_path / name), cache=cache)
        assert_one_line_error(proc, needle)
        assert proc.returncode == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "sub"):
        proc = run("index", sample.path, "--cache-dir", str(folder), cache=cache)
        assert_one_line_error(proc, f"{blocker} is a file")
        assert proc.returncode == 4


# -- faults: a full disk, a kill ------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """``make(kib)``: a folder on a tmpfs of that size; ``resize(folder, kib)`` grows it. Needs
    the right to mount (root, as on CI and the development machine); skipped without it."""
    mounts: list[Path] = []

    def make(kib: int) -> Path:
        folder = tmp_path / f"disk{len(mounts)}"
        folder.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if proc.returncode:
            pytest.skip(f"cannot mount a small tmpfs here ({proc.stderr.strip()})")
        mounts.append(folder)
        return folder

    yield make
    for folder in mounts:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _resize(folder: Path, kib: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={kib}k", str(folder)], check=True)


def _cache_on(disk: Path, model_cache: Path) -> Path:
    cache = disk / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    return cache


def _stages(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in con.execute("SELECT name FROM stages")}


def test_a_disk_too_full_to_create_the_index_is_exit_4(small_disk, sample, model_cache):
    cache = _cache_on(small_disk(24), model_cache)
    proc = run("index", sample.path, cache=cache)
    assert_one_line_error(proc, "no space left", "MiB free", "KEYCLIP_CACHE_DIR")
    assert proc.returncode == 4


def test_a_disk_that_fills_mid_build_is_exit_4_and_a_rerun_resumes(small_disk, sample, sample_index, model_cache):
    """Room for the first stages, not for all of them: exit 4 with the free
    space, the stages already done stay committed, and with room again the build resumes
    from them."""
    result, _ = sample_index
    full = result.index_path.stat().st_size // 1024
    disk = small_disk(max(300, full * 3 // 2))  # the WAL needs room beside the database
    cache = _cache_on(disk, model_cache)
    proc = run("index", sample.path, cache=cache)
    assert_one_line_error(proc, "no space left", "finished work is kept")
    assert proc.returncode == 4
    db = next(cache.glob("videos/*/index.sqlite"))
    kept = _stages(db)
    assert kept, "no stage was committed before the disk filled: make the disk larger"
    _resize(disk, 4 * full + 8192)
    again = run("index", sample.path, "--json", cache=cache)
    assert again.returncode == 0, again.stderr
    ran = set(json.loads(again.stdout)["indexed"][0]["stages_run"])
    assert not (ran & kept), (ran, kept)
    assert _stages(db) >= {"scenes", "speech", "ocr", "objects", "embed"}


def test_asking_on_a_full_disk_answers_and_leaves_the_index_alone(small_disk, sample, sample_index, model_cache):
    result, _ = sample_index
    disk = small_disk(4 * result.index_path.stat().st_size // 1024 + 8192)
    cache = _cache_on(disk, model_cache)
    built = run("index", sample.path, "--json", cache=cache)
    assert built.returncode == 0, built.stderr
    db = Path(json.loads(built.stdout)["indexed"][0]["index_path"])
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with open(disk / "filler", "wb") as filler:  # the rest of the disk
        try:
            while True:
                filler.write(b"\0" * (1 << 16))
        except OSError:
            pass
    proc = run("ask", sample.path, "what is a collision?", "--json", cache=cache)
    if proc.returncode:  # allowed: one line, exit 4; never a traceback or a damaged index
        assert_one_line_error(proc, "no space left")
        assert proc.returncode == 4
    else:
        assert json.loads(proc.stdout)["spans"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_finished_speech_survives_a_kill_during_the_visual_pass(tmp_path, cache):
    """A silent track transcribes in seconds; a minute of changing 720p pictures keeps the
    visual pass busy much longer. Speech is committed as soon as it is done, so a kill in the
    middle of the pictures keeps it, and the re-run does not transcribe again."""
    video = tmp_path / "busy.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                    "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "60", "-shortest",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(video)], check=True)
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache)}
    child = subprocess.Popen([sys.executable, str(REPO / "app.py"), "index", str(video)], cwd=REPO, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        stages: set[str] = set()
        while time.monotonic() < deadline and child.poll() is None:
            dbs = list(cache.glob("videos/*/index.sqlite"))
            if dbs:
                try:
                    stages = _stages(dbs[0])
                except sqlite3.Error:
                    stages = set()
                if "speech" in stages:
                    break
            time.sleep(0.2)
        assert child.poll() is None, f"the build ended before the test could kill it: {child.stderr.read()}"
        assert "speech" in stages and "scenes" not in stages, stages
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    again = run("index", str(video), "--json", cache=cache)
    assert again.returncode == 0, again.stderr
    ran = json.loads(again.stdout)["indexed"][0]["stages_run"]
    assert "speech" not in ran and "scenes" in ran, ran


def test_version_and_no_command(cache):
    from keyclip import __version__

    proc = run("--version", cache=cache)
    assert proc.returncode == 0 and proc.stdout.strip() == f"keyclip {__version__}"
    proc = run(cache=cache)
    assert proc.returncode == 2 and "Usage" in proc.stdout and "error:" not in proc.stderr


def test_a_video_damaged_in_the_middle_keeps_what_decodes_with_one_notice_per_stream(tmp_path, sample, cache):
    """Garbage over the middle fifth of the sample's bytes (video and audio packets interleaved
    there): the index keeps the speech and the slides before and after the damage, and says once
    per stream where it is damaged, in `index --json`'s notices."""
    data = bytearray(Path(sample.path).read_bytes())
    rng = __import__("random").Random(7)
    start, end = int(len(data) * 0.45), int(len(data) * 0.65)
    data[start:end] = bytes(rng.randrange(256) for _ in range(end - start))
    video = tmp_path / "damaged.mp4"
    video.write_bytes(bytes(data))
    proc = run("index", str(video), "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)["indexed"][0]
    damaged = [n for n in report["notices"] if "is damaged" in n]
    assert len(damaged) == len({n.split(" is damaged")[0] for n in damaged}) >= 1, report["notices"]
    picture = next(n for n in damaged if "picture is damaged" in n)
    assert "undecodable packets skipped between 0:00:" in picture, picture
    # what decodes is indexed: speech, and screen text on both sides of the damage
    db = Path(report["index_path"])
    con = sqlite3.connect(db)
    spans = con.execute("SELECT t0, t1 FROM ocr_spans").fetchall()
    speech = con.execute("SELECT COUNT(*) FROM speech_segments").fetchone()[0]
    con.close()
    first, last = (int(x) for x in picture.split("between ")[1].split(";")[0].replace("0:00:", "").split(" and "))
    assert speech > 0
    assert any(t0 < first for t0, _ in spans) and any(t1 > last for _, t1 in spans), (spans, first, last)
