"""Run a batch: register the videos in the catalog, hand the ones not done to an engine, record
each outcome as it arrives, and report.

Example:
    >>> report = run_batch(expand(["lectures/"]), Path("out"), Settings())      # doctest: +SKIP
    >>> report.failed                                                           # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from rich.console import Console

from keyclip.batch.catalog import CATALOG, Catalog
from keyclip.batch.display import BatchDisplay
from keyclip.batch.worker import Outcome
from keyclip.errors import CacheError, out_of_space
from keyclip.settings import Settings


@dataclass
class BatchReport:
    engine: str
    workers: int
    done: list[dict] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    hours_done: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    """Peak resident memory per worker."""

    @property
    def throughput(self) -> float:
        """Video-hours per wall-hour."""
        return self.hours_done / (self.wall_s / 3600) if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict:
        return {"engine": self.engine, "workers": self.workers, "done": self.done,
                "failed": [{"video": v, "reason": r} for v, r in self.failed], "skipped": self.skipped,
                "hours_done": round(self.hours_done, 4), "wall_s": round(self.wall_s, 2),
                "throughput_video_hours_per_hour": round(self.throughput, 2), "peak_rss_mb": self.peak_rss_mb}


def _duration(video: str) -> float:
    """The container's duration (header only: no frame is decoded); 0 when unreadable (the
    worker reports why)."""
    import av

    try:
        with av.open(video) as container:
            return float(container.duration or 0) / 1e6
    except (av.FFmpegError, OSError, ValueError):
        return 0.0


def make_engine(name: str, settings: Settings, out_dir: Path, workers: int, address: str | None, todo: int):
    if name == "ray":
        from keyclip.batch.engine_ray import RayEngine

        return RayEngine(settings, out_dir, workers or 0, address)
    from keyclip.batch.engine_local import LocalEngine, auto_workers

    n = workers or auto_workers(settings, todo)
    cores = settings.cpu_threads
    threads = max(1, cores // n)
    return LocalEngine(settings.model_copy(update={"threads": threads}), out_dir, n)


def run_batch(videos: list[Path], out_dir: Path, settings: Settings, engine: str = "local", workers: int = 0,
              address: str | None = None, console: Console | None = None) -> BatchReport:
    console = console or Console(stderr=True)
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(out_dir / "catalog.lock"))
        lock.acquire(timeout=0)
    except Timeout:
        raise CacheError(f"{out_dir}: another annotate run is using this output folder") from None
    except OSError as exc:
        blocking = next((q for q in (out_dir, *out_dir.parents) if q.exists() and not q.is_dir()), None)
        if blocking is not None:
            raise CacheError(f"{out_dir}: cannot be the output folder: {blocking} is a file") from exc
        raise out_of_space(out_dir.parent, exc) or CacheError(
            f"{out_dir}: cannot use it as the output folder ({exc.strerror or exc})") from exc
    try:
        paths = [str(v) for v in videos]
        with Catalog.open(out_dir / CATALOG) as catalog:
            catalog.add(videos)
            todo = catalog.todo(paths)
            runner = make_engine(engine, settings, out_dir, workers, address, len(todo))
            report = BatchReport(runner.name, 0, skipped=len(paths) - len(todo))
            with console.status(f"reading the durations of {len(todo)} videos"):
                durations = {v: _duration(v) for v in todo}

            def on_start(video: str, worker: str) -> None:
                catalog.start(video)
                show.started(video, worker)

            def on_outcome(o: Outcome) -> None:
                if o.ok and o.result:
                    r = o.result
                    catalog.done(o.video, r["content_hash"], r["duration"], r["folder"], r["index_path"],
                                 r["outputs"], {**r["seconds"], "wall": round(o.seconds, 3), "worker": o.worker})
                    report.done.append(r)
                    report.hours_done += (r["duration"] or 0.0) / 3600
                else:
                    catalog.failed(o.video, o.error or "failed")
                    report.failed.append((o.video, o.error or "failed"))
                if o.worker:
                    report.peak_rss_mb[o.worker] = max(report.peak_rss_mb.get(o.worker, 0.0), o.peak_rss_mb)
                show.finished(o)

            with BatchDisplay(console, len(todo), sum(durations.values()) / 3600) as show:
                show.durations = durations
                runner.run(todo, on_start, show.event, on_outcome)
            report.workers = runner.workers if todo else 0
    finally:
        lock.release()
    report.wall_s = time.perf_counter() - started
    return report
