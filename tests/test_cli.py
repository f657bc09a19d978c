"""The command line as a user runs it: real processes, real files, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from keyclip.samples import DEFAULT_SLIDES, make_sample_lecture

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cache: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "app.py"), *args], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_models_table_lists_every_role(cache):
    proc = run("models", "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    rows = {r["role"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == {"asr", "ocr", "detector", "voices", "image classes", "text-embedder", "llm", "vlm",
                         "image-text scorer"}
    for role in ("asr", "ocr", "text-embedder"):
        assert rows[role]["present"], rows[role]
    # the packages the fetched model files come from say what their licences are; the table repeats it
    assert "licence" in rows["voices"]["source"] and "public domain" in rows["detector"]["source"]
    assert not rows["vlm"]["present"] and "no VLM" in rows["vlm"]["detail"]


def test_missing_weights_are_one_clear_line(cache, sample):
    proc = run("models", "--json", cache=cache, env={"KEYCLIP_SPEECH__MODEL": "/nonexistent/whisper"})
    row = next(r for r in json.loads(proc.stdout) if r["role"] == "asr")
    assert not row["present"] and "KEYCLIP_SPEECH__MODEL" in row["detail"]
    proc = run("index", sample.path, cache=cache, env={"KEYCLIP_SPEECH__MODEL": "/nonexistent/whisper"})
    assert_one_line_error(proc, "speech model", "/nonexistent/whisper")
    assert proc.returncode == 3


def test_whisper_is_assembled_once_and_verified(settings):
    from keyclip.backends.packaged import whisper_model_dir

    first = whisper_model_dir("packaged:whisper-base", settings.cache_dir)
    assert (first / "model.bin").stat().st_size == 94371840 + 50845767
    assert (first / ".verified").read_text().strip().startswith("905e5bf8")
    mtime = (first / "model.bin").stat().st_mtime_ns
    again = whisper_model_dir("packaged:whisper-base", settings.cache_dir)
    assert again == first and (again / "model.bin").stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("missing.mp4", None, "no such file"),
        ("empty.mp4", b"", "empty"),
        ("notes.mp4", b"just some text, not a video\n" * 50, "not a video"),
        ("noise.mkv", np.random.default_rng(1).integers(0, 256, 40_000, dtype=np.uint8).tobytes(), "noise.mkv"),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(cache, tmp_path, name, content, needle):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    for cmd in (("index", str(path)), ("ask", str(path), "what is this?")):
        proc = run(*cmd, cache=cache)
        assert_one_line_error(proc, needle)


def test_directory_and_unwritable_cache_are_clear(cache, tmp_path, sample):
    assert_one_line_error(run("index", str(tmp_path), cache=cache), "not a file")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = run("index", sample.path, cache=blocker / "cache")
    assert_one_line_error(proc, "cache folder", "KEYCLIP_CACHE_DIR")
    assert proc.returncode == 4


def test_truncated_file_fails_or_indexes_what_it_has(cache, tmp_path, sample):
    data = Path(sample.path).read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: int(len(data) * 0.6)])
    proc = run("index", str(path), "--json", cache=cache)
    if proc.returncode:
        assert_one_line_error(proc, "truncated.mp4")
    else:
        assert json.loads(proc.stdout)["indexed"][0]["counts"]["scenes"] >= 1


def test_a_failed_input_never_touches_an_existing_index(cache, tmp_path, sample):
    ok = run("index", sample.path, "--json", cache=cache)
    assert ok.returncode == 0, ok.stderr
    index_path = Path(json.loads(ok.stdout)["indexed"][0]["index_path"])
    before = index_path.read_bytes()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    both = run("index", str(bad), sample.path, "--json", cache=cache)
    assert both.returncode != 0
    report = json.loads(both.stdout)
    assert [f["video"] for f in report["failed"]] == [str(bad)]
    assert report["indexed"][0]["cache_hit"]
    assert index_path.read_bytes() == before


def test_audio_only_file_is_indexed_for_speech(cache, tmp_path):
    truth = make_sample_lecture(tmp_path / "talk.mp4", slides=DEFAULT_SLIDES[:1], motion_s=0)
    if not truth.has_audio:
        pytest.skip("espeak-ng not installed")
    import av

    wav = tmp_path / "talk.wav"
    with av.open(str(tmp_path / "talk.mp4")) as src, wave.open(str(wav), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        for frame in src.decode(audio=0):
            for out in resampler.resample(frame):
                w.writeframes(out.to_ndarray().tobytes())
    proc = run("index", str(wav), "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)["indexed"][0]
    assert report["counts"]["speech_segments"] >= 1 and report["counts"]["ocr_spans"] == 0
    assert any("no video stream" in n for n in report["notices"])
    ask = run("ask", str(wav), "hash tables", "--json", cache=cache)
    assert ask.returncode == 0 and json.loads(ask.stdout)["evidence"][0]["kind"] == "speech"


def test_video_without_audio_skips_speech(cache, tmp_path):
    path = tmp_path / "silent.mp4"
    make_sample_lecture(path, slides=DEFAULT_SLIDES[:2], motion_s=0, with_audio=False)
    proc = run("index", str(path), "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)["indexed"][0]
    assert report["counts"]["speech_segments"] == 0 and report["counts"]["ocr_spans"] >= 4
    assert any("no audio stream" in n for n in report["notices"])


def test_ask_prints_evidence_with_times(cache, sample):
    proc = run("ask", sample.path, "what is the load factor?", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "Load Factor" in proc.stdout
    slide3 = sample.slides[2]
    m, s = divmod(slide3["start"], 60)
    assert f"{int(m)}:{int(s):02d}" in proc.stdout  # the slide's start time, as M:SS.s
    js = run("ask", sample.path, "what is the load factor?", "--json", "-k", "3", cache=cache)
    data = json.loads(js.stdout)
    assert len(data["evidence"]) == 3
    top = data["evidence"][0]
    assert {"kind", "start", "end", "text", "score"} <= set(top)
    assert slide3["start"] - 0.5 <= top["start"] <= slide3["end"]
    empty = run("ask", sample.path, "   ", cache=cache)
    assert_one_line_error(empty, "question is empty")


def test_ask_with_a_subtitle_file_answers_from_its_cues_in_an_index_of_its_own(cache, sample, tmp_path):
    slide2 = sample.slides[1]
    a, b = slide2["start"] + 1.0, slide2["start"] + 4.0
    srt = tmp_path / "captions.srt"  # a caption the narration never says: only the subtitles hold it
    srt.write_text(f"1\n00:00:{a:06.3f} --> 00:00:{b:06.3f}\nThe chaining list is called a marmalade chain.\n\n"
                   .replace(".", ",", 2))
    question = "what is the chaining list called?"
    proc = run("ask", sample.path, question, "--subtitles", str(srt), "--json", cache=cache)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    speech = [e for e in data["evidence"] if e["kind"] == "speech"]
    assert speech and "marmalade" in speech[0]["text"] and abs(speech[0]["start"] - a) < 0.01
    plain = json.loads(run("ask", sample.path, question, "--json", cache=cache).stdout)  # keyclip's own ASR
    assert not any("marmalade" in e["text"] for e in plain["evidence"])
    folders = [p.name for p in (cache / "videos").iterdir()]
    assert len(folders) == 2 and any("-subtitles-" in f for f in folders)
    bad = tmp_path / "bad.srt"
    bad.write_text("this is not a subtitle file\n")
    assert_one_line_error(run("ask", sample.path, question, "--subtitles", str(bad), cache=cache), "bad.srt")
    assert_one_line_error(run("ask", sample.path, question, "--subtitles", str(tmp_path / "none.srt"), cache=cache),
                          "none.srt")


def test_objects_stage_skipped_with_a_notice_without_weights(cache, tmp_path):
    path = tmp_path / "two.mp4"
    make_sample_lecture(path, slides=DEFAULT_SLIDES[:2], motion_s=0, with_audio=False)
    proc = run("index", str(path), "--json", cache=cache, env={"KEYCLIP_DETECT__WEIGHTS": str(tmp_path / "nope.pt")})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)["indexed"][0]
    notes = [n for n in report["notices"] if "objects stage skipped" in n]
    assert len(notes) == 1 and "nope.pt" in notes[0]
    assert report["counts"]["detections"] == 0 and report["counts"]["ocr_spans"] >= 4
