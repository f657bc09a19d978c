"""What a batch shows while it runs: an overall bar in videos and one in hours of video, and a
bar per stage for each video in progress (rich, on stderr); and the final table.

Example:
    >>> with BatchDisplay(console, total_videos=10, total_hours=7.5) as show:    # doctest: +SKIP
    ...     engine.run(todo, show.started, show.event, show.finished)
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from keyclip.batch.worker import Event, Outcome


class BatchDisplay:
    def __init__(self, console: Console, total_videos: int, total_hours: float):
        self.console = console
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console)
        self.total_videos, self.total_hours = total_videos, total_hours
        self.videos = self.progress.add_task("videos", total=total_videos, note=f"0/{total_videos}")
        self.hours = self.progress.add_task("hours of video", total=round(total_hours, 4) or None,
                                            note=f"0.00/{total_hours:.2f} h")
        self._stages: dict[str, dict[str, TaskID]] = {}
        self._totals: dict[TaskID, float | None] = {}
        self._done, self._hours = 0, 0.0
        self.durations: dict[str, float] = {}

    def __enter__(self) -> BatchDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def started(self, video: str, worker: str) -> None:
        self._stages.setdefault(video, {})

    def event(self, event: Event) -> None:
        kind, video = event[0], event[1]
        name = Path(video).name
        if kind == "notice":
            self.progress.console.print(f"[yellow]note:[/] {escape(str(event[2]))}", highlight=False)
            return
        if kind != "stage":
            return
        stage, what, value = event[2], event[3], event[4]
        tasks = self._stages.setdefault(video, {})
        if what == "start":
            tasks[stage] = self.progress.add_task(f"  {escape(name[:32])}: {stage}", total=value, note="")
            self._totals[tasks[stage]] = value
        elif stage in tasks and what == "update":
            self.progress.update(tasks[stage], completed=value)
        elif stage in tasks and what == "finish":
            total = self._totals.get(tasks[stage]) or 1
            self.progress.update(tasks[stage], completed=total, total=total, note=escape(str(value)[:40]))

    def finished(self, outcome: Outcome) -> None:
        for task_id in self._stages.pop(outcome.video, {}).values():
            self.progress.remove_task(task_id)
        self._done += 1
        self._hours += self.durations.get(outcome.video, 0.0) / 3600
        self.progress.update(self.videos, completed=self._done, note=f"{self._done}/{self.total_videos}")
        self.progress.update(self.hours, completed=round(self._hours, 4),
                             note=f"{self._hours:.2f}/{self.total_hours:.2f} h")
        if not outcome.ok:
            self.progress.console.print(f"[red]failed:[/] {escape(Path(outcome.video).name)}: {escape(outcome.error or '')}",
                                        highlight=False, soft_wrap=True)


def report_table(report) -> Table:
    table = Table(title=f"annotate ({report.engine}, {report.workers} workers)")
    table.add_column("status")
    table.add_column("videos", justify="right")
    table.add_column("hours of video", justify="right")
    table.add_column("detail")
    table.add_row("done", str(len(report.done)), f"{report.hours_done:.2f}",
                  f"{report.throughput:.1f} video-hours per wall-hour in {report.wall_s:.0f} s" if report.done else "")
    table.add_row("skipped (already done)", str(report.skipped), "", "")
    for video, reason in report.failed:
        table.add_row("[red]failed[/]", "1", "", escape(f"{Path(video).name}: {reason}"))
    return table
