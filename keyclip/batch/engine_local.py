"""The local engine: worker processes on this machine, each loading the models once and taking
one video at a time from the driver.

Workers are started with ``spawn`` (no forked torch/ONNX state) and ignore Ctrl-C (the driver
stops them); each exits by itself if the driver dies. The driver hands a video to a worker only
when one is free, so nothing is queued that a stopped batch would have to flush. A worker that
dies mid-video (killed, out of memory) fails that video with the reason and is replaced.

Example:
    >>> LocalEngine(settings, out_dir, workers=2).run(videos, on_start, on_event, on_outcome)  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from keyclip.batch.worker import Event, Outcome, Worker
from keyclip.settings import Settings


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the driver is gone (killed): stop, do not annotate for nobody
            os._exit(3)


def _worker_main(settings: Settings, out_dir: str, tasks, events, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the driver decides
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    worker = Worker(settings, Path(out_dir), emit=events.put)
    events.put(("ready", "", worker.name))
    while True:
        video = tasks.get()
        if video is None:
            return
        events.put(("begin", video, worker.name))
        events.put(("outcome", worker.run(video)))


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory_gb() -> float:
    """Available memory, bounded by a cgroup (container) limit when there is one."""
    avail = 4.0
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: line.split()[1] for line in f}
        avail = int(info["MemAvailable"]) / 2**20
    except (OSError, KeyError, ValueError):
        pass
    for path, used in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                       ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            limit = Path(path).read_text().strip()
            if limit.isdigit() and int(limit) < 2**60:
                avail = min(avail, (int(limit) - int(Path(used).read_text().strip())) / 2**30)
        except (OSError, ValueError):
            continue
    return avail


def auto_workers(settings: Settings, videos: int) -> int:
    """``annotate.workers`` if set; else one per core, as far as memory allows
    (``annotate.worker_memory_gb`` each) and videos need. Videos in parallel beat threads inside
    one video: on 2 cores, 2 one-thread workers annotate 1.3x faster than 1 two-thread worker
    (bench/annotate_bench.py)."""
    if settings.annotate.workers:
        return max(1, min(settings.annotate.workers, videos))
    by_memory = int(available_memory_gb() // settings.annotate.worker_memory_gb)
    return max(1, min(usable_cores(), by_memory, videos))


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
        todo = list(videos)
        unfinished = set(videos)
        running: dict[str, str] = {}  # worker name -> video
        procs: dict[str, object] = {}  # worker name -> process

        def spawn() -> None:
            p = ctx.Process(target=_worker_main, args=(self.settings, str(self.out_dir), tasks, events, os.getpid()),
                            daemon=True, name="keyclip-worker")
            p.start()
            procs[f"pid {p.pid}"] = p

        def give() -> None:
            # one video per free worker; the rest stay here, not in a pipe
            tasks.put(todo.pop(0) if todo else None)

        def finish(outcome: Outcome) -> None:
            if outcome.video in unfinished:
                unfinished.discard(outcome.video)
                on_outcome(outcome)

        def handle(event) -> None:
            if event[0] == "ready":
                give()
            elif event[0] == "begin":
                running[event[2]] = event[1]
                on_start(event[1], event[2])
            elif event[0] == "outcome":
                running.pop(event[1].worker, None)
                finish(event[1])
                give()
            else:
                on_event(event)

        deaths = 0

        def on_term(signum, frame):  # `kill` stops the batch like Ctrl-C: workers stopped, catalog kept
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, on_term) if threading.current_thread() is threading.main_thread() else None
        for _ in range(n):
            spawn()
        try:
            while unfinished:
                try:
                    handle(events.get(timeout=0.5))
                except queue.Empty:
                    pass
                for name, p in list(procs.items()):
                    if p.is_alive() or p.exitcode == 0:
                        continue
                    del procs[name]
                    deaths += 1
                    while True:  # read what it sent before it died
                        try:
                            handle(events.get_nowait())
                        except queue.Empty:
                            break
                    video = running.pop(name, None)
                    if video is not None:
                        finish(Outcome(video, False, error=f"worker process died (exit code {p.exitcode}; "
                                                          "killed or out of memory?)", worker=name))
                    if unfinished and (todo or video is not None) and deaths <= 2 * n + len(videos):
                        spawn()
                if unfinished and not procs:
                    for video in sorted(unfinished):
                        finish(Outcome(video, False, error="no worker could take it (workers exited)"))
                elif unfinished and not todo and not running and not any(p.is_alive() for p in procs.values()):
                    for video in sorted(unfinished):
                        finish(Outcome(video, False, error="no worker finished it (workers exited)"))
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            for p in procs.values():
                if unfinished:  # interrupted: stop now; unfinished videos stay 'running' for the next run
                    p.terminate()
                p.join(timeout=30)
                if p.is_alive():
                    p.kill()
            for q in (tasks, events):
                q.cancel_join_thread()
                q.close()
