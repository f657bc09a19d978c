"""keyclip's errors. Each message says what went wrong and how to fix it.

They are turned into one-line messages (and a non-zero exit) only at the edge, in ``app.py``.
"""

from __future__ import annotations


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
