#!/usr/bin/env python3
"""Check a folder of fetched sources against a set's sources.json (sha256 per key name).

    python check_sources.py SOURCES_JSON DIR     # prints ok / MISMATCH per file; exit 1 on any mismatch
"""
import hashlib
import json
import sys
from pathlib import Path


def main() -> int:
    sources, folder = Path(sys.argv[1]), Path(sys.argv[2])
    bad = 0
    for name, s in json.loads(sources.read_text()).items():
        h = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        print(("ok      " if h == s["sha256"] else "MISMATCH"), name)
        bad += h != s["sha256"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
