"""The local engine: worker processes on this machine, each loading the models once and taking
videos from a shared queue until it is empty.

Workers are started with ``spawn`` (no forked torch/ONNX state). A worker that dies mid-video
(killed, out of memory) fails that video with the reason and is replaced while videos remain.

Example:
    >>> LocalEngine(settings, out_dir, workers=2).run(videos, on_start, on_event, on_outcome)  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from pathlib import Path

from keyclip.batch.worker import Event, Outcome, Worker
from keyclip.settings import Settings


def _worker_main(settings: Settings, out_dir: str, tasks, events) -> None:
    worker = Worker(settings, Path(out_dir), emit=events.put)
    while True:
        video = tasks.get()
        if video is None:
            return
        events.put(("begin", video, worker.name))
        events.put(("outcome", worker.run(video)))


def available_memory_gb() -> float:
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: line.split()[1] for line in f}
        return int(info["MemAvailable"]) / 1024 / 1024
    except (OSError, KeyError, ValueError):
        return 4.0


def auto_workers(settings: Settings, videos: int) -> int:
    """As many workers as cores allow (two threads each), memory allows and videos need."""
    cores = os.cpu_count() or 1
    by_memory = int(available_memory_gb() // settings.annotate.worker_memory_gb)
    return max(1, min(max(1, cores // 2), by_memory, videos))


class LocalEngine:
    name = "local"

    def __init__(self, settings: Settings, out_dir: Path, workers: int):
        self.settings = settings
        self.out_dir = out_dir
        self.workers = max(1, workers)

    def run(self, videos: list[str], on_start: Callable[[str, str], None], on_event: Callable[[Event], None],
            on_outcome: Callable[[Outcome], None]) -> None:
        if not videos:
            return
        ctx = mp.get_context("spawn")
        tasks, events = ctx.Queue(), ctx.Queue()
        n = min(self.workers, len(videos))
        for v in videos:
            tasks.put(v)
        for _ in range(n):
            tasks.put(None)

        def spawn():
            p = ctx.Process(target=_worker_main, args=(self.settings, str(self.out_dir), tasks, events),
                            daemon=True, name="keyclip-worker")
            p.start()
            return p

        procs = [spawn() for _ in range(n)]
        running: dict[str, str] = {}  # worker name -> video
        unfinished = set(videos)

        def finish(outcome: Outcome) -> None:
            unfinished.discard(outcome.video)
            on_outcome(outcome)

        try:
            while unfinished:
                try:
                    event = events.get(timeout=0.5)
                except queue.Empty:
                    for i, p in enumerate(procs):
                        video = running.pop(f"pid {p.pid}", None)
                        if p.is_alive() or video is None:
                            if video is not None:
                                running[f"pid {p.pid}"] = video
                            continue
                        finish(Outcome(video, False, error=f"worker process died (exit code {p.exitcode}; "
                                                          "killed or out of memory?)", worker=f"pid {p.pid}"))
                        if unfinished:
                            procs[i] = spawn()
                    if unfinished and not any(p.is_alive() for p in procs):
                        codes = sorted({p.exitcode for p in procs})
                        for video in sorted(unfinished):
                            finish(Outcome(video, False, error=f"no worker finished it (workers exited: {codes})"))
                    continue
                if event[0] == "begin":
                    running[event[2]] = event[1]
                    on_start(event[1], event[2])
                elif event[0] == "outcome":
                    running.pop(event[1].worker, None)
                    finish(event[1])
                else:
                    on_event(event)
        finally:
            for p in procs:
                if unfinished:  # interrupted: stop now; unfinished videos stay 'running' for the next run
                    p.terminate()
                p.join(timeout=30)
                if p.is_alive():
                    p.kill()
            tasks.close()
            events.close()
