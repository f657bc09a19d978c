"""Which videos a batch is about: files, folders (searched recursively), glob patterns, and list
files (``@list.txt`` or any ``.txt``/``.lst`` file: one path per line, ``#`` comments; relative
paths are relative to the list file).

Example:
    >>> expand(["lectures/", "extra/*.mkv", "@more.txt"])              # doctest: +SKIP
"""

from __future__ import annotations

import glob
from pathlib import Path

from keyclip.errors import InputError

VIDEO_SUFFIXES = frozenset(".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .ts .mts .m2ts .flv .wmv .ogv .3gp "
                           ".mp3 .m4a .wav .flac .ogg .opus .aac".split())
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})


def _from_list(path: Path, seen: set[Path]) -> list[Path]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the list file ({exc.strerror})") from exc
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            item = Path(line).expanduser()
            out += _expand_one(str(item if item.is_absolute() else path.parent / item), seen)
    return out


def _expand_one(arg: str, seen: set[Path]) -> list[Path]:
    if arg.startswith("@"):
        return _from_list(Path(arg[1:]).expanduser(), seen)
    path = Path(arg).expanduser()
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        return [p.resolve() for p in found]
    if path.is_file():
        if path.suffix.lower() in LIST_SUFFIXES:
            return _from_list(path, seen)
        return [path.resolve()]  # any other file is taken as media: a bad one fails alone, with its reason
    if glob.has_magic(arg):
        return [p.resolve() for p in sorted(Path(x) for x in glob.glob(str(path), recursive=True))
                if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
    raise InputError(f"{arg}: no such file, folder or pattern")


def expand(args: list[str]) -> list[Path]:
    """Every video named by ``args``, each once, in the order given.

    Raises:
        InputError: an argument names nothing.
    """
    seen: set[Path] = set()
    out: list[Path] = []
    for arg in args:
        for p in _expand_one(arg, seen):
            if p not in seen:
                seen.add(p)
                out.append(p)
    return out
