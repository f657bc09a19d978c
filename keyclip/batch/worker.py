"""The per-video work of a batch, the same for every engine: a :class:`Worker` holds the models
(loaded once, on its first video) and annotates one video at a time, reporting stage progress
as plain tuples through whatever ``emit`` callable the engine gives it (a multiprocessing queue,
a Ray queue), and returning an :class:`Outcome` instead of raising.

Example:
    >>> worker = Worker(settings, Path("out"), emit=print)            # doctest: +SKIP
    >>> worker.run("/videos/talk.mp4").ok                             # doctest: +SKIP
"""

from __future__ import annotations

import os
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keyclip.errors import KeyclipError
from keyclip.settings import Settings

Event = tuple
"""``(kind, video, *payload)``: ``("stage", video, stage, "start"|"update"|"finish", value)``,
``("notice", video, message)``."""


@dataclass
class Outcome:
    video: str
    ok: bool
    result: dict | None = None
    error: str | None = None
    seconds: float = 0.0
    worker: str = ""
    peak_rss_mb: float = 0.0


class EmitProgress:
    """``keyclip.index.build.Progress`` that forwards every call as an event tuple (updates at
    most every ``interval`` seconds per stage: a Ray queue put is a round trip)."""

    def __init__(self, video: str, emit: Callable[[Event], None], interval: float = 0.5):
        self.video = video
        self.emit = emit
        self.interval = interval
        self._last: dict[str, float] = {}

    def start(self, stage: str, total: float | None) -> None:
        self.emit(("stage", self.video, stage, "start", total))

    def update(self, stage: str, done: float) -> None:
        now = time.monotonic()
        if now - self._last.get(stage, 0.0) >= self.interval:
            self._last[stage] = now
            self.emit(("stage", self.video, stage, "update", done))

    def finish(self, stage: str, note: str = "") -> None:
        self.emit(("stage", self.video, stage, "finish", note))

    def notice(self, message: str) -> None:
        self.emit(("notice", self.video, message))


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Worker:
    def __init__(self, settings: Settings, out_dir: Path, emit: Callable[[Event], None] | None = None):
        from keyclip.index.models import IndexModels

        self.settings = settings
        self.out_dir = Path(out_dir)
        self.emit = emit or (lambda event: None)
        self.models = IndexModels(settings)
        self._llm = None
        self._llm_made = False
        self.name = f"pid {os.getpid()}"

    def llm(self):
        """The LLM, when chapter titles and summaries should use it (made once)."""
        if not self.settings.annotate.llm_text:
            return None
        if not self._llm_made:
            from keyclip.backends.registry import make_llm

            self._llm, self._llm_made = make_llm(self.settings), True
        return self._llm

    def run(self, video: str) -> Outcome:
        from keyclip.batch.annotate import annotate_video

        started = time.perf_counter()
        try:
            result = annotate_video(Path(video), self.out_dir, self.settings, self.models,
                                    EmitProgress(video, self.emit), llm=self.llm())
            data = {**result.to_dict(), "worker": self.name, "models_loaded": self.models.loaded,
                    "models_made": self.models.made}
            return Outcome(video, True, data, seconds=time.perf_counter() - started,
                           worker=self.name, peak_rss_mb=peak_rss_mb())
        except KeyclipError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one failing video must not stop the batch
            where = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"internal error: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
        return Outcome(video, False, error=error.splitlines()[0] if error else "failed",
                       seconds=time.perf_counter() - started, worker=self.name, peak_rss_mb=peak_rss_mb())
