"""``manifest.json`` of an evaluation run: what it takes to reproduce its numbers.

keyclip's version (and git commit when run from a checkout), the locked package versions and any
installed version that differs from the lock, each model role with its weights' SHA-256, the
settings, methods and budgets, the run's fingerprint and each index stage's, and the machine.

Example:
    >>> write_manifest(Path("eval-results/dev"), spec, settings, spec.fingerprint(settings))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import keyclip
from keyclip.eval.jsonl import write_json
from keyclip.eval.spec import EvalSpec
from keyclip.settings import Settings

REPO = Path(keyclip.__file__).resolve().parent.parent
KEY_PACKAGES = ("faster-whisper", "ctranslate2", "onnxruntime", "rapidocr", "opencv-python-headless", "av",
                "scenedetect-headless", "langgraph", "numpy", "llama-cpp-python", "transformers", "torch")


def write_manifest(out: Path, spec: EvalSpec, settings: Settings, fingerprint: str, extra: dict | None = None
                   ) -> Path:
    """Write ``<out>/manifest.json`` for ``spec`` run with ``settings`` (the run's merged settings)
    and ``fingerprint`` (``spec.fingerprint(settings)``, which keys its rows)."""
    from keyclip.index.build import stage_fingerprints

    data = {
        "keyclip": {"version": keyclip.__version__, **_git()},
        "command": sys.argv,
        "benchmark": spec.benchmark,
        "annotations": {"path": str(spec.annotations), "sha256": _sha256(spec.annotations)},
        "methods": spec.methods, "budgets": spec.budgets, "evidence": spec.evidence, "limit": spec.limit,
        "fingerprint": fingerprint,
        "stage_fingerprints": stage_fingerprints(settings),
        "settings": settings.model_dump(mode="json"),
        "models": models_with_hashes(settings),
        "packages": packages(),
        "machine": machine(),
        **(extra or {}),
    }
    return write_json(out / "manifest.json", data, indent=2, default=str)


def models_with_hashes(settings: Settings) -> list[dict]:
    """Every model role (``app.py models``) with the SHA-256 of its weights when they are on disk
    (a folder's: over its files' names and hashes)."""
    from keyclip.backends.registry import model_table

    rows = []
    for row in model_table(settings):
        entry = row.to_dict()
        path = Path(row.detail)
        if row.present and path.is_absolute() and path.exists():
            entry["sha256"] = _sha256(path)
        rows.append(entry)
    return rows


def packages() -> dict:
    """``{"locked": {name: version}, "differs": {name: [locked, installed]}, "installed": {...}}``:
    the lock file of the checkout (when there is one) against what is installed, and the versions
    of the packages that decide the numbers."""
    installed = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name:
            installed[name] = dist.version
    locked: dict[str, str] = {}
    lock = REPO / "requirements.lock"
    if lock.is_file():
        for line in lock.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line and not line.startswith("-"):
                name, version = line.split("==", 1)
                locked[name.strip().lower().replace("_", "-")] = version.split(";", 1)[0].strip()
    differs = {n: [v, installed.get(n)] for n, v in sorted(locked.items()) if installed.get(n) not in (v, None)}
    return {"lock_file": str(lock) if locked else None, "locked": locked, "differs": differs,
            "installed": {n: installed[n] for n in KEY_PACKAGES if n in installed}}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    return {"platform": platform.platform(), "python": sys.version.split()[0], "cpu": cpu or platform.processor(),
            "cpus": os.cpu_count(), "memory_bytes": memory}


def _git() -> dict:
    if not (REPO / ".git").exists():
        return {}
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"git_commit": commit, "git_dirty": bool(dirty)} if commit else {}


def _sha256(path: Path) -> str | None:
    from keyclip.backends.packaged import sha256_of

    path = Path(path)
    if path.is_file():
        return sha256_of(path)
    if path.is_dir():
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            h.update(f"{f.relative_to(path)}\0{_sha256(f)}\n".encode())
        return h.hexdigest()
    return None
