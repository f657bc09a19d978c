"""The Ray engine: the same per-video work as the local engine, in Ray actors that hold the
models, on a local Ray instance started here or on a cluster (``--address``).

Each actor is a :class:`~keyclip.batch.worker.Worker` (models loaded once per actor) and takes
one video at a time; videos go to whichever actor is free (``ray.wait``), progress comes back
through a ``ray.util.queue.Queue`` and the catalog stays with the driver. An actor that dies
mid-video fails that video (the reason in one line) and is replaced. On a cluster, the videos,
the output folder and the cache must be on storage every node sees at the same paths.

Example:
    >>> RayEngine(settings, out_dir, workers=0, address=None).run(videos, on_start, on_event, on_outcome)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from keyclip.batch.worker import Event, Outcome, Worker
from keyclip.errors import KeyclipError, ModelMissingError
from keyclip.settings import Settings


class RayUnavailableError(ModelMissingError):
    pass


class _ActorWorker:
    """Runs inside a Ray actor process."""

    def __init__(self, settings: Settings, out_dir: str):
        self._queue = None
        self.worker = Worker(settings, Path(out_dir), emit=self._emit)
        self.worker.name = f"ray actor pid {os.getpid()}"

    def _emit(self, event: Event) -> None:
        if self._queue is not None:
            self._queue.put_nowait(event)

    def run(self, video: str, queue) -> Outcome:
        self._queue = queue
        try:
            return self.worker.run(video)
        finally:
            self._queue = None


def _drain(queue) -> list:
    n = queue.size()
    return queue.get_nowait_batch(n) if n else []


class RayEngine:
    name = "ray"

    def __init__(self, settings: Settings, out_dir: Path, workers: int, address: str | None):
        self.settings = settings
        self.out_dir = out_dir
        self.workers = workers
        self.address = address

    def _start(self):
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if not self.address:
            # a private local instance: token auth (its ports listen on every interface) and
            # nothing written to ~/.ray; set before Ray is imported, which reads them
            os.environ.setdefault("RAY_AUTH_MODE", "token")
            os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(16))
        try:
            import ray
        except ImportError as exc:
            raise RayUnavailableError("--engine ray needs Ray: pip install 'keyclip[ray]'") from exc
        if ray.is_initialized():
            return ray, None
        try:
            if self.address:
                ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING)
                return ray, None
            # a short temp dir: socket paths are limited to 107 bytes
            tmp = tempfile.mkdtemp(prefix="kcray-", dir="/tmp")
            try:
                ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False,
                         log_to_driver=False, logging_level=logging.WARNING, object_store_memory=256 * 2**20,
                         _temp_dir=tmp)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            return ray, tmp
        except (ConnectionError, ValueError, RuntimeError) as exc:
            where = self.address or "a local instance"
            raise KeyclipError(f"cannot start Ray on {where}: {str(exc).splitlines()[0]}") from exc

    def run(self, videos: list[str], on_start: Callable[[str, str], None], on_event: Callable[[Event], None],
            on_outcome: Callable[[Outcome], None]) -> None:
        if not videos:
            return
        ray, tmp = self._start()
        try:
            self._run(ray, videos, on_start, on_event, on_outcome)
        except ray.exceptions.RayError as exc:
            raise KeyclipError(f"Ray failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
        finally:
            if tmp is not None:
                ray.shutdown()
                shutil.rmtree(tmp, ignore_errors=True)

    def _run(self, ray, videos, on_start, on_event, on_outcome) -> None:
        from ray.util.queue import Queue

        cpus = int(ray.cluster_resources().get("CPU", 1))
        threads = max(1, self.settings.threads or 1) if self.address else None
        n = self.workers or max(1, cpus // (threads or 1))  # one video per core (see auto_workers)
        n = max(1, min(n, len(videos), cpus))
        threads = threads or max(1, cpus // n)
        n = max(1, min(n, cpus // threads))  # every actor must fit, or it would wait forever
        self.workers = n
        settings = self.settings.model_copy(update={"threads": threads})
        remote = ray.remote(num_cpus=threads, max_restarts=0, max_task_retries=0)(_ActorWorker)
        queue = Queue(actor_options={"num_cpus": 0})
        actors: list = []

        def spawn():
            actor = remote.remote(settings, str(self.out_dir))
            actors.append(actor)
            return actor

        try:
            free = [spawn() for _ in range(n)]
            try:  # fail in one line, not hang, when the cluster cannot place them
                ray.get([a.__ray_ready__.remote() for a in free], timeout=300)
            except ray.exceptions.GetTimeoutError:
                raise KeyclipError(f"Ray could not start {n} workers of {threads} CPUs within 5 minutes "
                                   f"(cluster CPUs: {cpus}); try --workers 1") from None
            todo = list(videos)
            running: dict = {}  # object ref -> (video, actor)
            while todo or running:
                while todo and free:
                    actor, video = free.pop(), todo.pop(0)
                    running[actor.run.remote(video, queue)] = (video, actor)
                    on_start(video, "ray")
                done, _ = ray.wait(list(running), num_returns=1, timeout=0.2)
                for event in _drain(queue):
                    on_event(event)
                for ref in done:
                    video, actor = running.pop(ref)
                    try:
                        outcome = ray.get(ref)
                        free.append(actor)
                    except ray.exceptions.RayActorError as exc:
                        outcome = Outcome(video, False, error=f"Ray worker died: {str(exc).splitlines()[0]}")
                        ray.kill(actor)
                        free.append(spawn())
                    except ray.exceptions.RayError as exc:
                        cause = getattr(exc, "cause", None) or exc
                        outcome = Outcome(video, False, error=f"{type(cause).__name__}: {str(cause).splitlines()[0]}")
                        free.append(actor)
                    on_outcome(outcome)
            for event in _drain(queue):
                on_event(event)
        finally:
            for actor in actors:
                ray.kill(actor)
            ray.kill(queue.actor)
