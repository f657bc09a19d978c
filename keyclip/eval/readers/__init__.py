"""Readers that turn a long-video benchmark's annotation files into ``EvalItem``s.

Example:
    >>> items = read_benchmark("videomme", Path("Video-MME/videomme/test-00000-of-00001.parquet"),
    ...                        videos=Path("Video-MME/data"), subtitles=Path("Video-MME/subtitle"))  # doctest: +SKIP

Each benchmark has its own module (``videomme``, ``mlvu``, ``longvideobench``, ``egoschema``,
``keyclip_qa``); this module holds what they share: loading JSON / JSONL / parquet records, finding
a video file under a folder (one cached listing per read), and writing options as ``"A. …"``.

A file that is missing, unreadable or not in the benchmark's format raises ``InputError`` with a
one-line message naming the file. One bad item does not stop its file: published files have a few
(MLVU's needle task has answers that are none of their options), so each is an ``ItemProblem``
(its id and what is wrong) beside the items that read, and a question id seen twice keeps its first
item. A video that is not on disk is not an error either: its item gets ``video=None`` and the
caller reports and skips it. JSON with trailing commas (the Video-MME repository's current
``output_test_template.json``) is read as its writer meant.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from keyclip.errors import InputError
from keyclip.eval.items import LETTERS, EvalItem, letter_options

KINDS = ("videomme", "mlvu", "longvideobench", "egoschema", "keyclip")
VIDEO_EXTS = (".mp4", ".mkv", ".webm", ".avi", ".mov", ".m4v")

_LETTERED = re.compile(r"^\s*\(?([A-J])[.):]\s*(.*)$", re.S)


@dataclass(frozen=True)
class ItemProblem:
    """One item of an annotation file that could not be read, and why."""

    file: Path
    item: str
    """The item's id (the benchmark's own, else ``#<position>``)."""
    problem: str

    def line(self) -> str:
        return f"{self.file.name}: item {self.item}: {self.problem}"


@dataclass
class BenchmarkItems:
    """What a read gives: the items that read, and one problem per item that did not."""

    items: list[EvalItem]
    problems: list[ItemProblem] = dataclass_field(default_factory=list)

    @property
    def missing_videos(self) -> list[str]:
        """The benchmark's names of the videos not on disk, sorted."""
        return sorted({i.video_id for i in self.items if i.video is None})

    @property
    def items_without_video(self) -> int:
        return sum(1 for i in self.items if i.video is None)


def read_benchmark(
    kind: str,
    annotations: Path,
    videos: Path | None = None,
    subtitles: Path | None = None,
    answers: Path | None = None,
) -> BenchmarkItems:
    """Every question of ``annotations`` (a file, or MLVU's ``json/`` folder) as ``EvalItem``s.

    ``videos`` / ``subtitles`` are the folders holding the benchmark's video and subtitle files
    (each reader has a default next to the annotations, as the benchmark ships them); ``answers``
    is EgoSchema's answer file (``subset_answers.json``). Items that cannot be read, and second
    items with an id already seen, are in ``problems``; the rest are in ``items``.
    """
    problems: list[ItemProblem] = []
    items = _read(kind, annotations, videos, subtitles, answers, problems)
    first: dict[str, EvalItem] = {}
    for item in items:
        if item.id in first:
            problems.append(ItemProblem(Path(annotations), item.id,
                                        f"question id used twice (first for {first[item.id].video_id!r}): "
                                        "the second is skipped"))
        else:
            first[item.id] = item
    return BenchmarkItems(list(first.values()), problems)


def _read(kind: str, annotations: Path, videos: Path | None, subtitles: Path | None, answers: Path | None,
          problems: list[ItemProblem]) -> list[EvalItem]:
    annotations = Path(annotations).expanduser()
    videos = Path(videos).expanduser() if videos is not None else None
    subtitles = Path(subtitles).expanduser() if subtitles is not None else None
    answers = Path(answers).expanduser() if answers is not None else None
    if kind not in KINDS:
        raise InputError(f"unknown benchmark {kind!r} for {annotations}: use one of {', '.join(KINDS)}")
    if not annotations.exists():
        raise InputError(f"{kind} annotations not found: {annotations}")
    if kind == "videomme":
        from keyclip.eval.readers import videomme

        return videomme.read(annotations, videos=videos, subtitles=subtitles, problems=problems)
    if kind == "mlvu":
        from keyclip.eval.readers import mlvu

        return mlvu.read(annotations, videos=videos, problems=problems)
    if kind == "longvideobench":
        from keyclip.eval.readers import longvideobench

        return longvideobench.read(annotations, videos=videos, subtitles=subtitles, problems=problems)
    if kind == "egoschema":
        from keyclip.eval.readers import egoschema

        return egoschema.read(annotations, videos=videos, answers=answers, problems=problems)
    from keyclip.eval.readers import keyclip_qa

    return keyclip_qa.read(annotations, videos=videos, problems=problems)


def each_item(path: Path, rows: list[dict[str, Any]], ident: Callable[[int, dict[str, Any]], str],
              convert: Callable[[int, dict[str, Any], str], EvalItem],
              problems: list[ItemProblem] | None) -> list[EvalItem]:
    """``convert(n, row, ident(n, row))`` for every row; a row that raises ``InputError`` becomes an
    ``ItemProblem`` in ``problems`` (or stops the read when ``problems`` is None)."""
    items = []
    for n, row in enumerate(rows):
        name = f"#{n + 1}"
        try:
            name = ident(n, row)
            items.append(convert(n, row, name))
        except InputError as exc:
            if problems is None:
                raise
            problems.append(ItemProblem(path, str(name), _without_place(str(exc), path)))
    return items


def _without_place(message: str, path: Path) -> str:
    """A reader's message without its leading ``<file>: item <id>`` (an ItemProblem says those)."""
    rest = message.removeprefix(f"{path}: ")
    return re.sub(r"^item \S+?:? ", "", rest) if rest.startswith("item ") else rest


# -- videos ------------------------------------------------------------------------------------


class VideoIndex:
    """Finds video files under one folder; lists the folder (recursively) once, on first need.

    Create one per read so thousands of items share a single scan.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = Path(root) if root is not None else None
        self._by_stem: dict[str, list[Path]] | None = None

    def _listing(self) -> dict[str, list[Path]]:
        if self._by_stem is None:
            by_stem: dict[str, list[Path]] = {}
            if self.root is not None and self.root.is_dir():
                seen: set[str] = set()
                for folder, dirs, files in os.walk(self.root, followlinks=True):
                    real = os.path.realpath(folder)
                    if real in seen:  # a symlink loop
                        dirs[:] = []
                        continue
                    seen.add(real)
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in files:
                        stem, ext = os.path.splitext(name)
                        if ext.lower() in VIDEO_EXTS and not name.startswith("."):
                            by_stem.setdefault(stem, []).append(Path(folder) / name)
            self._by_stem = by_stem
        return self._by_stem

    def find(self, name_or_id: str, prefer_folder: str | None = None) -> Path | None:
        """The file for ``name_or_id`` (a relative path, a file name, or an id that is the file's stem).

        Tries ``root/name_or_id`` as given, then any ``<stem>.<ext>`` (mp4, mkv, webm, avi, mov,
        m4v, any case) in ``root`` or its subfolders; among several, one in a folder named
        ``prefer_folder`` wins, then the first extension in that order. None when there is none.
        """
        name = str(name_or_id or "").strip()
        if not name:
            return None
        path = Path(name).expanduser()
        if path.is_absolute() and path.is_file():
            return path
        if self.root is None:
            return None
        exact = self.root / path
        if not path.is_absolute() and exact.is_file():
            return exact
        stem = path.stem if path.suffix.lower() in VIDEO_EXTS else path.name
        found = self._listing().get(stem)
        if not found:
            return None

        def rank(p: Path) -> tuple[int, int, int, str]:
            preferred = 0 if prefer_folder and p.parent.name == prefer_folder else 1
            return preferred, VIDEO_EXTS.index(p.suffix.lower()), len(p.parts), str(p)

        return min(found, key=rank)


def find_video(videos_dir: Path | None, name_or_id: str, index: VideoIndex | None = None) -> Path | None:
    """The video file for ``name_or_id`` under ``videos_dir``, or None (see ``VideoIndex.find``).

    Pass the same ``index`` (a ``VideoIndex(videos_dir)``) for many look-ups so the folder is listed once.
    """
    if index is None or index.root != (Path(videos_dir) if videos_dir is not None else None):
        index = VideoIndex(videos_dir)
    return index.find(name_or_id)


def first_dir(*candidates: Path | None) -> Path | None:
    """The first of ``candidates`` that is an existing folder (None if none is)."""
    for c in candidates:
        if c is not None and c.is_dir():
            return c
    return None


# -- records -----------------------------------------------------------------------------------


def load_records(path: Path, what: str) -> list[dict[str, Any]]:
    """The rows of a ``.json`` (a list of objects), ``.jsonl`` or ``.parquet`` file.

    ``what`` names the benchmark in error messages. Parquet cells holding arrays come back as lists.
    """
    if not path.is_file():
        raise InputError(f"{what} annotations not found (or not a file): {path}")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _load_parquet(path, what)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {what} annotations {path}: {e}") from None
    if suffix == ".jsonl" or (suffix != ".json" and not text.lstrip().startswith("[")):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise InputError(f"{path}: line {n} is not JSON ({e.msg}); expected {what} JSONL") from None
    else:
        rows = loads_tolerant(text, path, what)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError(f"{path}: expected a list of {what} question objects, got {type(rows).__name__}")
    return rows


_STRING_OR_TRAILING_COMMA = re.compile(r'("(?:\\.|[^"\\])*")|,(\s*[\]}])')


def loads_tolerant(text: str, path: Path, what: str) -> Any:
    """JSON, also with a trailing comma before ``]`` or ``}`` (as hand-edited files upstream have);
    InputError naming the line otherwise."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        try:
            return json.loads(_STRING_OR_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), text))
        except json.JSONDecodeError:
            hint = "; the benchmark's parquet file reads too" if what == "Video-MME" else ""
            raise InputError(f"{path} is not valid JSON (line {first.lineno}: {first.msg}); "
                             f"expected {what} annotations{hint}") from None


def _load_parquet(path: Path, what: str) -> list[dict[str, Any]]:
    try:
        import pandas as pd
    except ImportError:
        raise InputError(f"reading {path} needs pandas and pyarrow: pip install pandas pyarrow") from None
    try:
        frame = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises many kinds for a bad file
        raise InputError(f"cannot read {what} parquet {path}: {type(e).__name__}: {e}".splitlines()[0]) from None
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def plain(value: Any) -> Any:
    """A parquet / numpy cell as plain Python (arrays -> lists, numpy scalars -> int/float/str)."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def field(row: dict[str, Any], path: Path, n: int, *keys: str) -> Any:
    """``row[k]`` for the first of ``keys`` present (not None); InputError naming the file and item if none is."""
    for k in keys:
        if row.get(k) is not None:
            return row[k]
    ident = row.get("id") or row.get("question_id") or row.get("q_uid") or f"#{n + 1}"
    raise InputError(f"{path}: item {ident} has no {' / '.join(repr(k) for k in keys)} field")


def make_item(path: Path, ident: str, **fields: Any) -> EvalItem:
    """``EvalItem(**fields)``; a field of the wrong type becomes an InputError naming the file and item."""
    try:
        return EvalItem(**fields)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ()))
        raise InputError(f"{path}: item {ident}: field {where!r}: {err.get('msg', 'invalid')}") from None


# -- options and answers -----------------------------------------------------------------------


def normalize_options(options: Any, where: str = "options") -> list[str]:
    """Options written ``"A. …"``: texts are lettered; ones already lettered (``"A. x"``, ``"(A) x"``) are
    re-lettered in order so the letters always run A, B, C… ``where`` names the item in the InputError
    raised when ``options`` is not a list."""
    if isinstance(options, str | bytes | dict) or not isinstance(options, Iterable):
        raise InputError(f"{where}: options should be a list, got {type(options).__name__}")
    opts = [str(o) for o in options if o is not None]
    if len(opts) > len(LETTERS):
        raise InputError(f"{where}: {len(opts)} options, more than the {len(LETTERS)} letters A-J")
    matches = [_LETTERED.match(o) for o in opts]
    if opts and all(m is not None and m.group(1) == LETTERS[i] for i, m in enumerate(matches)):
        opts = [m.group(2) for m in matches]  # type: ignore[union-attr]
    return letter_options(opts)


def index_letter(index: Any, n_options: int, path: Path, ident: str) -> str:
    """The letter of 0-based option ``index`` (int or digit string); InputError if out of range."""
    try:
        i = int(index)
    except (TypeError, ValueError):
        raise InputError(f"{path}: item {ident}: answer index {index!r} is not a number") from None
    if not 0 <= i < n_options:
        raise InputError(f"{path}: item {ident}: answer index {i} is outside its {n_options} options")
    return LETTERS[i]


def answer_letter(answer: Any, options: list[str], path: Path, ident: str, by_text: bool = False) -> str | None:
    """``answer`` as a letter among ``options``: a letter (``"B"``, ``"B."``, ``"(B)"``) or an option's text.

    ``by_text`` tries the option texts first (MLVU's answers are texts, and a text may look like a letter).
    None for an empty answer; InputError when it matches nothing.
    """
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None
    text = str(answer).strip()
    bodies = [m.group(2).strip() if (m := _LETTERED.match(o)) else o.strip() for o in options]

    def as_letter() -> str | None:
        m = re.fullmatch(r"\(?([A-Ja-j])[.)]?", text)
        return m.group(1).upper() if m and m.group(1).upper() in LETTERS[: len(options)] else None

    def as_text() -> str | None:
        for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
            for i, body in enumerate(bodies):
                if same(body, text):
                    return LETTERS[i]
        return None

    for attempt in (as_text, as_letter) if by_text else (as_letter, as_text):
        if (letter := attempt()) is not None:
            return letter
    raise InputError(f"{path}: item {ident}: answer {text[:60]!r} is not one of its {len(options)} options")


__all__ = [
    "KINDS",
    "VIDEO_EXTS",
    "BenchmarkItems",
    "ItemProblem",
    "VideoIndex",
    "answer_letter",
    "each_item",
    "field",
    "find_video",
    "first_dir",
    "index_letter",
    "load_records",
    "loads_tolerant",
    "make_item",
    "normalize_options",
    "plain",
    "read_benchmark",
]
