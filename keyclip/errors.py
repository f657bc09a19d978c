"""keyclip's errors. Each message says what went wrong and how to fix it.

They are turned into one-line messages (and a non-zero exit) only at the edge, in ``app.py``.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path


class KeyclipError(Exception):
    """Base class of every error keyclip reports to a user."""

    exit_code = 1


class InputError(KeyclipError):
    """The input file is missing, unreadable, or not a usable video/audio file."""

    exit_code = 2


class ModelMissingError(KeyclipError):
    """A model role's weights or backend package are not installed."""

    exit_code = 3


class CacheError(KeyclipError):
    """The cache directory cannot be created, read or written."""

    exit_code = 4


class IndexBusyError(KeyclipError):
    """Another process is building the same video's index."""

    exit_code = 5


class IndexError_(KeyclipError):
    """The index is missing, from a newer schema, or unreadable."""

    exit_code = 6


_NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_SQLITE_FULL = 13


def is_out_of_space(exc: BaseException) -> bool:
    """Whether ``exc`` says a disk (or quota) is full: an OS write error or SQLite's
    ``database or disk is full``."""
    if isinstance(exc, OSError):
        return exc.errno in _NO_SPACE_ERRNOS
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc)
    return False


_SQLITE_IOERR = 10
_NEARLY_FULL = 8 * 2**20
"""Below this many free bytes, an SQLite I/O error is taken for a full disk: SQLite reports
'disk I/O error' when it cannot grow its shared-memory file, not 'disk is full'."""


def out_of_space(folder: Path, exc: BaseException) -> CacheError | None:
    """The error to report when ``exc`` is a full disk under ``folder`` (None when it is not):
    where, how much is free, and that finished work is kept."""
    try:
        free_bytes: int | None = shutil.disk_usage(folder).free
    except OSError:
        free_bytes = None
    io_error = isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == _SQLITE_IOERR
    if not (is_out_of_space(exc) or (io_error and free_bytes is not None and free_bytes < _NEARLY_FULL)):
        return None
    free = f"{free_bytes / 2**20:.1f} MiB free" if free_bytes is not None else "free space unknown"
    return CacheError(f"no space left on the disk of {folder} ({free}); free some space or set "
                      "KEYCLIP_CACHE_DIR to another disk, then re-run: finished work is kept")
