"""The chats of this run, by the browser that holds them, so a reload finds its chat again.

The page keeps only its session's id (random, unguessable) in the browser's localStorage; the
chats, uploads and answers stay on the server, here, for the most recent ``capacity`` browsers.
A new run knows no id, so every browser starts afresh.

Example:
    >>> tabs = TabRegistry()
    >>> tabs.remember("s1", state)                                      # doctest: +SKIP
    >>> tabs.recall("s1") is state                                      # doctest: +SKIP
    True
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class TabRegistry(Generic[T]):
    def __init__(self, capacity: int = 512):
        self.capacity = capacity
        self._tabs: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, session: str, state: T) -> None:
        with self._lock:
            self._tabs[session] = state
            self._tabs.move_to_end(session)
            while len(self._tabs) > self.capacity:
                self._tabs.popitem(last=False)

    def recall(self, session: str | None) -> T | None:
        if not session:
            return None
        with self._lock:
            state = self._tabs.get(session)
            if state is not None:
                self._tabs.move_to_end(session)
            return state
