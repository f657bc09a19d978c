"""Content hashes of media files, remembered by file identity so a re-check is instant.

Example:
    >>> content_hash(Path("talk.mp4"), cache_dir)       # doctest: +SKIP
    'b3c1…'
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from keyclip.errors import InputError


def _file_identity(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino, "dev": st.st_dev}


def content_hash(path: Path, cache_dir: Path | None = None) -> str:
    """BLAKE2b-256 of the file's bytes (hex). Memoised under ``cache_dir/hashes`` by path,
    size, mtime and inode, so an unchanged file is not read again."""
    path = Path(path).resolve()
    memo = None
    identity = _file_identity(path)
    if cache_dir is not None:
        key = hashlib.sha1(str(path).encode()).hexdigest()
        memo = Path(cache_dir) / "hashes" / f"{key}.json"
        try:
            saved = json.loads(memo.read_text())
            if saved.get("identity") == identity:
                return saved["hash"]
        except (OSError, ValueError, KeyError):
            pass
    h = hashlib.blake2b(digest_size=32)
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    digest = h.hexdigest()
    if memo is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"identity": identity, "hash": digest}))
            os.replace(tmp, memo)
        except OSError:
            pass  # the memo is an optimisation only
    return digest
