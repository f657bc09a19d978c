"""Shared fixtures: real media generated on the fly, real models, a real SQLite index.

Nothing here is mocked. The dev lecture in ../shared/eval/dev/ is used when present; tests
that need it skip cleanly when it is absent.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from keyclip.samples import make_sample_lecture
from keyclip.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEV_DIR = Path(os.environ.get("KEYCLIP_DEV_SET", REPO.parent / "shared" / "eval" / "dev"))
DEV_VIDEO = DEV_DIR / "hash_tables_lecture.mp4"
BUILT_SETS = sorted(p.parent for p in (REPO / "devsets" / "out").glob("*/qa.jsonl"))
"""The evaluation lectures built under ``devsets/out/`` (``bash devsets/build.sh NAME``)."""


def needs_espeak():
    return pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (scripts/setup.sh)")


@pytest.fixture(autouse=True)
def fail_on_error_logs(caplog):
    """Any ERROR logged by keyclip during a test fails it."""
    caplog.set_level(logging.WARNING, logger="keyclip")
    yield
    errors = [r for r in caplog.get_records("call") if r.name.startswith("keyclip") and r.levelno >= logging.ERROR]
    assert not errors, f"keyclip logged errors: {[r.getMessage() for r in errors]}"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """One cache for assembled model files across the session (indexes go elsewhere)."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def settings(tmp_path, model_cache) -> Settings:
    """Defaults, with a fresh cache folder whose models/ is shared for the session."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    return Settings(cache_dir=cache)


@pytest.fixture
def cache(tmp_path, model_cache) -> Path:
    """An empty keyclip cache folder sharing the session's models (it shadows pytest's own
    ``cache`` fixture, on purpose: every CLI test needs a private keyclip cache)."""
    c = tmp_path / "cache"
    c.mkdir()
    (c / "models").symlink_to(model_cache, target_is_directory=True)
    return c


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """A ~27 s lecture: 3 slides with narration, a moving segment, hard cuts; with its truth."""
    path = tmp_path_factory.mktemp("media") / "sample.mp4"
    return make_sample_lecture(path)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, sample, model_cache):
    """The sample lecture indexed once with the offline defaults."""
    from keyclip.index.build import build_index

    cache = tmp_path_factory.mktemp("sample-cache")
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    s = Settings(cache_dir=cache)
    return build_index(sample.path, s), s


@pytest.fixture(scope="session")
def dev_truth():
    if not DEV_VIDEO.is_file():
        pytest.skip(f"dev set not present at {DEV_DIR}")
    return json.loads((DEV_DIR / "ground_truth.json").read_text())


@pytest.fixture(scope="session")
def dev_index(tmp_path_factory, dev_truth, model_cache):
    """The dev lecture indexed once (a few minutes on 2 cores)."""
    from keyclip.index.build import build_index

    cache = tmp_path_factory.mktemp("dev-cache")
    (cache / "models").symlink_to(model_cache, target_is_directory=True)
    s = Settings(cache_dir=cache)
    return build_index(DEV_VIDEO, s), s


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, model_cache):
    """``built_index(folder)``: that built set's lecture indexed once per session with the offline
    defaults, as ``(BuildResult, Settings, qa items)``."""
    from keyclip.index.build import build_index

    done: dict[Path, tuple] = {}

    def index(folder: Path):
        if folder not in done:
            qa = [json.loads(line) for line in (folder / "qa.jsonl").read_text().splitlines() if line.strip()]
            cache = tmp_path_factory.mktemp(f"{folder.name}-cache")
            (cache / "models").symlink_to(model_cache, target_is_directory=True)
            s = Settings(cache_dir=cache)
            done[folder] = (build_index(folder / qa[0]["video"], s), s, qa)
        return done[folder]

    return index


def stream_copy_late(source: Path, target: Path, fmt: str, late_s: float) -> Path:
    """``source``'s first video and audio packets into ``target`` (container ``fmt``), every
    timestamp ``late_s`` seconds later: a stream copy whose timestamps do not start at 0, as a
    recorder or a cutter writes it (no re-encoding)."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format=fmt) as out:
        streams = [inp.streams.video[0], inp.streams.audio[0]]
        outputs = {st.index: out.add_stream_from_template(st) for st in streams}
        for packet in inp.demux(streams):
            if packet.dts is None:  # a demuxer's flush packet
                continue
            shift = round(late_s / packet.time_base)
            packet.dts += shift
            packet.pts += shift
            packet.stream = outputs[packet.stream.index]
            out.mux(packet)
    return target
