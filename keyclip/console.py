"""Rich rendering for the CLI: build progress, times as H:MM:SS, tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


def hms(seconds: float) -> str:
    """``H:MM:SS`` (``M:SS`` under an hour) with tenths: 75.25 -> '1:15.2'."""
    seconds = max(0.0, float(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h)}:{int(m):02d}:{s:04.1f}" if h >= 1 else f"{int(m)}:{s:04.1f}"


def clock(seconds: float) -> str:
    """``H:MM:SS`` in whole seconds (rounded down): 3723.9 -> '1:02:03'."""
    total = int(max(0.0, float(seconds)))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


class RichProgress:
    """keyclip.index.build.Progress drawn as one rich bar per stage (on stderr)."""

    def __init__(self, console: Console):
        self.console = console
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    def start(self, stage: str, total: float | None) -> None:
        self._tasks[stage] = self._progress.add_task(stage, total=total, note="")

    def update(self, stage: str, done: float) -> None:
        if stage in self._tasks:
            self._progress.update(self._tasks[stage], completed=done)

    def finish(self, stage: str, note: str = "") -> None:
        if stage in self._tasks:
            task = self._progress.tasks[self._tasks[stage]]
            self._progress.update(self._tasks[stage], completed=task.total or 1, total=task.total or 1, note=note)

    def notice(self, message: str) -> None:
        self._progress.console.print(f"[yellow]note:[/] {escape(message)}", highlight=False)
