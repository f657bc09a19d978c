"""The eval's files: the append-only JSONL files, read back whole-line by whole-line, and the JSON
files written whole (manifest, submissions), replaced atomically."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def read_jsonl(paths: list[Path]) -> Iterator[dict]:
    """Every row of ``paths`` in order, skipping a line a kill cut short."""
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                continue


def result_rows(out: Path, fingerprint: str) -> Iterator[dict]:
    """The answer rows in ``out`` (every worker's file) made with ``fingerprint``."""
    return (r for r in read_jsonl(sorted(out.glob("results-*.jsonl"))) if r.get("fingerprint") == fingerprint)


def write_json(path: Path, data, **dumps) -> Path:
    """``data`` as JSON at ``path``, written beside it and moved over it (a kill leaves the old file
    or the new one, never half of one)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, **dumps))
    tmp.replace(path)
    return path
