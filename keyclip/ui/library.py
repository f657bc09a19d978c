"""The videos the chat app may show: those already indexed in the cache, those of annotated
archives named at start, and each session's own uploads.

The browser only ever holds an entry's token (random, unguessable); the server maps it back to
a file it registered itself. No path sent by a client reaches the file system.

Example:
    >>> library = Library.scan(settings, archives=[Path("lectures-out")])       # doctest: +SKIP
    >>> entry, added = library.add_upload(Path("/tmp/x/upload.mp4"), "talk.mp4", owner="session-1")
    >>> library.get(entry.token).path                                         # doctest: +SKIP
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from keyclip.settings import Settings

Source = Literal["cache", "archive", "upload"]


@dataclass(frozen=True)
class VideoEntry:
    token: str
    name: str
    """What people see: the file's name (never its folder)."""
    path: Path
    source: Source
    owner: str | None = None
    """The session that uploaded it; None for shared (cache, archive) videos."""
    duration: float | None = None
    content: str | None = None
    """The content hash of the file (one entry per content and viewer)."""


class Library:
    """Thread-safe registry of servable videos, keyed by token."""

    def __init__(self):
        self._entries: dict[str, VideoEntry] = {}
        self._lock = threading.Lock()

    @classmethod
    def scan(cls, settings: Settings, archives: list[Path] | None = None) -> Library:
        """Videos indexed in ``settings.cache_dir`` and the done videos of each archive folder,
        one entry per content (the archive's name wins), skipping files that are gone."""
        library = cls()
        seen: set[str] = set()
        for archive in archives or []:
            for path, digest, duration in _archive_videos(archive):
                if digest not in seen:
                    seen.add(digest)
                    library._add(VideoEntry(_token(), path.name, path, "archive", None, duration, digest))
        for path, digest, duration in _cached_videos(settings):
            if digest not in seen:
                seen.add(digest)
                library._add(VideoEntry(_token(), path.name, path, "cache", None, duration, digest))
        return library

    def _add(self, entry: VideoEntry) -> VideoEntry:
        with self._lock:
            self._entries[entry.token] = entry
        return entry

    def add_upload(self, path: Path, name: str, owner: str, duration: float | None = None,
                   content: str | None = None) -> tuple[VideoEntry, bool]:
        """``(entry, added)``: a new entry for ``owner``'s upload, or, when ``content`` is that of a
        video ``owner`` already sees (listed as indexed, or uploaded before), that entry and False
        (the caller then drops the new copy)."""
        with self._lock:
            if content is not None:
                for known in self._entries.values():
                    if known.content == content and known.owner in (None, owner):
                        return known, False
            entry = VideoEntry(_token(), Path(name).name, path, "upload", owner, duration, content)
            self._entries[entry.token] = entry
        return entry, True

    def get(self, token: str) -> VideoEntry | None:
        with self._lock:
            return self._entries.get(token)

    def visible_to(self, owner: str | None) -> list[VideoEntry]:
        """Shared videos, then ``owner``'s uploads; another session's uploads never appear."""
        with self._lock:
            entries = list(self._entries.values())
        shared = sorted((e for e in entries if e.owner is None), key=lambda e: e.name.lower())
        own = [e for e in entries if owner is not None and e.owner == owner]
        return shared + own


def _token() -> str:
    return secrets.token_urlsafe(18)


def _cached_videos(settings: Settings) -> list[tuple[Path, str, float | None]]:
    from keyclip.errors import KeyclipError
    from keyclip.index.store import IndexStore

    out = []
    for db in sorted((settings.cache_dir / "videos").glob("*/index.sqlite")):
        try:
            store = IndexStore.open(db, readonly=True)
        except KeyclipError:
            continue
        try:
            digest = store.meta("content_hash")
            paths = [Path(p) for p in store.meta("paths") or [] if Path(p).is_file()]
            duration = (store.meta("media") or {}).get("duration")
        except sqlite3.Error:  # an index another process has only just begun, or a damaged file
            continue
        finally:
            store.close()
        if digest and paths:
            out.append((paths[0], str(digest), duration))
    return out


def _archive_videos(folder: Path) -> list[tuple[Path, str, float | None]]:
    from keyclip.batch.catalog import CATALOG, Catalog

    path = Path(folder) / CATALOG
    if not path.is_file():
        return []
    with Catalog.open(path, readonly=True) as catalog:
        entries = catalog.entries("done")
    return [(Path(e.path), e.content_hash, e.duration) for e in entries
            if e.content_hash and Path(e.path).is_file()]
