"""Indexing in the background for the chat app: one queue, one indexing thread, models kept
loaded between videos, live progress per stage.

Pages poll a job (``IndexJobs.get``) instead of holding a request open, so an upload never
blocks another user's questions; the same video asked for twice is one job.

Example:
    >>> jobs = IndexJobs(settings)                                                # doctest: +SKIP
    >>> job = jobs.submit(entry)
    >>> jobs.get(job.id).state                                                    # doctest: +SKIP
    'running'
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from keyclip.errors import KeyclipError
from keyclip.index.models import IndexModels
from keyclip.logs import logger
from keyclip.settings import Settings
from keyclip.ui.library import VideoEntry

JobState = Literal["queued", "running", "done", "failed"]


@dataclass
class StageBar:
    done: float = 0.0
    total: float | None = None
    note: str = ""
    finished: bool = False
    started: float = field(default_factory=time.monotonic)

    def seconds_left(self, now: float | None = None) -> float | None:
        """A straight-line estimate of the time this stage still needs, once it is far enough
        along (5 %, 3 s) for the estimate to mean something."""
        frac = self.fraction
        elapsed = (now if now is not None else time.monotonic()) - self.started
        if self.finished or frac is None or frac < 0.05 or elapsed < 3:
            return None
        return elapsed * (1 - frac) / frac

    @property
    def fraction(self) -> float | None:
        if self.finished:
            return 1.0
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


class StageProgress:
    """``keyclip.index.build.Progress`` recorded for a page to read (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.stages: dict[str, StageBar] = {}
        self.notices: list[str] = []

    def start(self, stage: str, total: float | None) -> None:
        with self._lock:
            self.stages[stage] = StageBar(total=total)

    def update(self, stage: str, done: float) -> None:
        with self._lock:
            if stage in self.stages:
                self.stages[stage].done = done

    def finish(self, stage: str, note: str = "") -> None:
        with self._lock:
            bar = self.stages.setdefault(stage, StageBar())
            bar.finished, bar.note = True, note

    def notice(self, message: str) -> None:
        with self._lock:
            self.notices.append(message)

    def snapshot(self) -> tuple[dict[str, StageBar], list[str]]:
        with self._lock:
            return ({k: StageBar(v.done, v.total, v.note, v.finished, v.started) for k, v in self.stages.items()},
                    list(self.notices))


@dataclass
class Job:
    id: str
    entry: VideoEntry
    state: JobState = "queued"
    progress: StageProgress = field(default_factory=StageProgress)
    error: str | None = None
    index_path: Path | None = None
    """Set at the first committed stage: from then on the index can be read (and asked)."""
    committed: set[str] = field(default_factory=set)
    """Stages committed so far (``"speech:part"`` once part of the transcript is in)."""
    submitted: float = field(default_factory=time.monotonic)
    seconds: float | None = None


class IndexJobs:
    """A FIFO of indexing jobs run by one background thread (indexing already uses every core).

    The thread is a daemon: stopping the app does not wait for a long build (its finished stages
    are kept; the index resumes next time)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.models = IndexModels(settings)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: dict[str, Job] = {}
        self._by_video: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="keyclip-ui-index", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            self._run(job)

    def submit(self, entry: VideoEntry) -> Job:
        """A job for ``entry`` (the running or finished one if it was asked for before; a failed
        one is tried again). A video whose index is complete is done at once, without waiting
        behind other people's uploads."""
        from keyclip.index.build import finished_index

        with self._lock:
            known = self._jobs.get(self._by_video.get(entry.token, ""))
            if known is not None and known.state != "failed":
                return known
        ready = finished_index(entry.path, self.settings)
        with self._lock:
            job = Job(secrets.token_urlsafe(12), entry)
            if ready is not None:
                job.state, job.index_path, job.seconds = "done", ready, 0.0
            self._jobs[job.id] = job
            self._by_video[entry.token] = job.id
        if ready is None:
            self._queue.put(job)
        return job

    @staticmethod
    def askable(job: Job) -> bool:
        """Whether ``job``'s index already holds speech (all of it or its first windows), so a
        question can be answered while the rest is indexed."""
        return job.state == "done" or (job.index_path is not None and bool({"speech", "speech:part"} & job.committed))

    def of_video(self, token: str) -> Job | None:
        """The latest job for the library video ``token``, if there was one."""
        with self._lock:
            return self._jobs.get(self._by_video.get(token, ""))

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def ahead_of(self, job: Job) -> int:
        """Jobs queued or running before ``job``."""
        with self._lock:
            return sum(1 for j in self._jobs.values()
                       if j.state in ("queued", "running") and j.submitted < job.submitted)

    def _run(self, job: Job) -> None:
        from keyclip.index.build import build_index

        if job.state != "queued":
            return
        job.state = "running"
        started = time.perf_counter()
        try:
            def committed(stage: str, index_path: Path) -> None:
                job.index_path = index_path
                job.committed = job.committed | {stage}  # a new set: readers never see one change

            result = build_index(job.entry.path, self.settings, job.progress, models=self.models,
                                 on_commit=committed)
            job.index_path = result.index_path
            job.state = "done"
        except KeyclipError as exc:
            # messages start with the server path: people see the file's name only
            job.error = str(exc).replace(str(job.entry.path), job.entry.name)
            job.state = "failed"
        except Exception as exc:  # noqa: BLE001 - a page must learn that its job died, not wait forever
            logger.exception("indexing %s failed", job.entry.name)
            job.error = f"{job.entry.name}: indexing failed ({type(exc).__name__})"
            job.state = "failed"
        finally:
            job.seconds = round(time.perf_counter() - started, 2)

    def close(self) -> None:
        """Stop taking jobs (a build in progress is left to the daemon thread)."""
        with self._lock:
            for job in self._jobs.values():
                if job.state == "queued":
                    job.state, job.error = "failed", "the app is stopping"
        self._queue.put(None)
