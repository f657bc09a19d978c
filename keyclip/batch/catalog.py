"""The archive's catalog: one SQLite file in the output folder, one row per video.

Status: ``pending`` -> ``running`` -> ``done`` | ``failed`` (with a one-line reason). Only the
driver process writes it (workers report back), every change is one transaction, so a crash or a
kill loses at most the videos that were running: they are ``running`` rows, which the next run
takes again, like ``pending`` ones. A ``done`` video is skipped while its file is unchanged (same
size and modification time) and its outputs and index are still there. One batch at a time uses
an output folder (``run_batch`` holds ``catalog.lock``).

Example:
    >>> with Catalog.open(out / "catalog.sqlite") as cat:              # doctest: +SKIP
    ...     cat.add(videos); todo = cat.todo()
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from keyclip.errors import CacheError, out_of_space
from keyclip.index.store import rollback

CATALOG = "catalog.sqlite"
"""The catalog's file name inside an archive's output folder."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    path TEXT PRIMARY KEY,
    size_bytes INTEGER,
    mtime REAL,
    content_hash TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    reason TEXT,
    duration REAL,
    folder TEXT,
    index_path TEXT,
    outputs TEXT,
    seconds TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS videos_status ON videos(status);
CREATE INDEX IF NOT EXISTS videos_hash ON videos(content_hash);
"""


@dataclass(frozen=True)
class Entry:
    path: str
    status: str
    reason: str | None
    content_hash: str | None
    duration: float | None
    folder: str | None
    index_path: str | None
    outputs: list[str]
    seconds: dict
    attempts: int


class Catalog:
    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> Catalog:
        try:
            if readonly:
                db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"{path}: cannot open the catalog ({exc})") from exc
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, videos: Iterable[Path]) -> int:
        """Register videos (absolute paths). A done video whose file changed, or whose outputs or
        index are gone, goes back to pending; so do failed ones (a new run tries them again).
        Returns how many need work."""
        videos = list(videos)
        stats = {}
        for video in videos:  # outside the transaction: stat() can be slow on network storage
            try:
                st = video.stat()
                stats[str(video)] = (st.st_size, st.st_mtime)
            except OSError:
                stats[str(video)] = (None, None)
        with self._write():
            for path, (size, mtime) in stats.items():
                row = self.db.execute("SELECT size_bytes, mtime, status, folder, index_path FROM videos WHERE path = ?",
                                      (path,)).fetchone()
                if row is None:
                    self.db.execute("INSERT INTO videos (path, size_bytes, mtime) VALUES (?, ?, ?)", (path, size, mtime))
                elif row[2] == "failed" or (row[2] == "done" and (
                        (row[0], row[1]) != (size, mtime) or not (Path(row[3] or "") / "annotation.json").is_file()
                        or not Path(row[4] or "").is_file())):
                    self.db.execute("UPDATE videos SET status = 'pending', size_bytes = ?, mtime = ? WHERE path = ?",
                                    (size, mtime, path))
        return len(self.todo([str(v) for v in videos]))

    @contextmanager
    def _write(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.execute("COMMIT")
            except BaseException:
                rollback(self.db)
                raise
        except sqlite3.Error as exc:
            raise out_of_space(self.path.parent, exc) or CacheError(
                f"{self.path}: cannot write the catalog ({exc})") from exc

    def _exec(self, sql: str, args: tuple) -> None:
        try:
            self.db.execute(sql, args)
        except sqlite3.Error as exc:
            raise out_of_space(self.path.parent, exc) or CacheError(
                f"{self.path}: cannot write the catalog ({exc})") from exc

    def todo(self, paths: list[str] | None = None) -> list[str]:
        """Videos not done (pending, failed, or left ``running`` by a run that died), in the
        order given (or by path)."""
        rows = dict(self.db.execute("SELECT path, status FROM videos").fetchall())
        order = paths if paths is not None else sorted(rows)
        return [p for p in order if rows.get(p) in ("pending", "running", "failed")]

    def start(self, path: str) -> None:
        self._exec("UPDATE videos SET status = 'running', attempts = attempts + 1, started_at = ?, reason = NULL "
                        "WHERE path = ?", (time.time(), path))

    def done(self, path: str, content_hash: str, duration: float, folder: str, index_path: str,
             outputs: list[str], seconds: dict) -> None:
        self._exec(
            "UPDATE videos SET status = 'done', content_hash = ?, duration = ?, folder = ?, index_path = ?, "
            "outputs = ?, seconds = ?, reason = NULL, finished_at = ? WHERE path = ?",
            (content_hash, duration, folder, index_path, json.dumps(outputs), json.dumps(seconds), time.time(), path))

    def failed(self, path: str, reason: str) -> None:
        self._exec("UPDATE videos SET status = 'failed', reason = ?, finished_at = ? WHERE path = ?",
                        (reason.splitlines()[0][:500] if reason else "failed", time.time(), path))

    def entries(self, status: str | None = None) -> list[Entry]:
        sql = ("SELECT path, status, reason, content_hash, duration, folder, index_path, outputs, seconds, attempts "
               "FROM videos")
        args: tuple = ()
        if status:
            sql, args = sql + " WHERE status = ?", (status,)
        return [Entry(p, s, r, h, d, f, i, json.loads(o or "[]"), json.loads(sec or "{}"), a)
                for p, s, r, h, d, f, i, o, sec, a in self.db.execute(sql + " ORDER BY path", args)]

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM videos GROUP BY status").fetchall())
