"""Which videos a batch is about: files, folders (searched recursively), glob patterns, and list
files (``@list.txt`` or any ``.txt``/``.lst`` file: one path per line, ``#`` comments; relative
paths are relative to the list file).

A path named in a list file that does not exist is kept: the batch reports it as failed, alone.
A command-line argument that names nothing is an error.

Example:
    >>> expand(["lectures/", "extra/*.mkv", "@more.txt"])              # doctest: +SKIP
"""

from __future__ import annotations

import glob
from pathlib import Path

from keyclip.errors import InputError

VIDEO_SUFFIXES = frozenset(".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .mts .m2ts .flv .wmv .ogv .3gp "
                           ".mp3 .m4a .wav .flac .ogg .opus .aac".split())
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})


class _Expander:
    def __init__(self):
        self.lists: set[Path] = set()

    def from_list(self, path: Path) -> list[Path]:
        path = path.resolve()
        if path in self.lists:  # a list that names itself, or two that name each other
            return []
        self.lists.add(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the list file ({getattr(exc, 'strerror', None) or exc})") from exc
        out = []
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            item = Path(line).expanduser()
            item = item if item.is_absolute() else path.parent / item
            out += self.one(str(item), strict=False)
        return out

    def one(self, arg: str, strict: bool = True) -> list[Path]:
        if arg.startswith("@"):
            return self.from_list(Path(arg[1:]).expanduser())
        path = Path(arg).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            return [p.resolve() for p in found]
        if path.is_file():
            if path.suffix.lower() in LIST_SUFFIXES:
                return self.from_list(path)
            return [path.resolve()]  # any other file is taken as media: a bad one fails alone, with its reason
        if glob.has_magic(arg):
            found = [p.resolve() for p in sorted(Path(x) for x in glob.glob(str(path), recursive=True))
                     if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
            if found or not strict:
                return found
            raise InputError(f"{arg}: the pattern matches no video")
        if not strict:
            return [path.absolute()]
        raise InputError(f"{arg}: no such file, folder or pattern")


def expand(args: list[str]) -> list[Path]:
    """Every video named by ``args``, each once, in the order given.

    Raises:
        InputError: a command-line argument names nothing, or a list file cannot be read.
    """
    expander = _Expander()
    out: dict[Path, None] = {}
    for arg in args:
        for p in expander.one(arg):
            out.setdefault(p, None)
    return list(out)
