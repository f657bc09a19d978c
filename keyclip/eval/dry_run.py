"""What an evaluation would run, without indexing or answering anything (``app.py eval --dry-run``):
how many items read, which videos are on disk, how many options the items have, how many come with
answers and subtitles, and the items that could not be read.

Example:
    >>> counts = dry_run(load_spec(Path("videomme.toml")))                      # doctest: +SKIP
    >>> print("\\n".join(counts.lines(verbose=True)))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from keyclip.eval.readers import ItemProblem
from keyclip.eval.spec import EvalSpec


@dataclass
class DryRun:
    benchmark: str
    annotations: str
    items: int
    videos_found: int
    videos_missing: list[str]
    items_of_missing_videos: int
    options_per_item: dict[int, int]
    """Number of options -> items with that many (0: open questions)."""
    with_answer: int
    with_subtitles: int
    by_duration: dict[str, int]
    problems: list[ItemProblem] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["problems"] = [{"file": str(p.file), "item": p.item, "problem": p.problem} for p in self.problems]
        return data

    def lines(self, verbose: bool = False) -> list[str]:
        """The counts a person reads; each problem on its own line when ``verbose``."""
        options = ", ".join(f"{n or 'open'}: {count}" for n, count in sorted(self.options_per_item.items()))
        out = [f"{self.benchmark}: {self.items} items from {self.annotations}",
               f"videos: {self.videos_found} found, {len(self.videos_missing)} missing"
               + (f" ({self.items_of_missing_videos} items would be skipped)" if self.videos_missing else ""),
               f"options per item: {options or '–'}",
               f"answers known: {self.with_answer} of {self.items}; subtitles found: {self.with_subtitles}"]
        if self.by_duration:
            out.append("duration groups: " + ", ".join(f"{g}: {n}" for g, n in sorted(self.by_duration.items())))
        if self.videos_missing:
            shown = self.videos_missing if verbose else self.videos_missing[:10]
            out.append("missing: " + ", ".join(shown) + ("" if len(shown) == len(self.videos_missing) else ", …"))
        if self.problems:
            ids = [p.item for p in self.problems]
            out.append(f"items not read: {len(ids)} ({', '.join(ids[:10])}{', …' if len(ids) > 10 else ''})"
                       + ("" if verbose else "; --verbose shows why"))
            if verbose:
                out += [f"  {p.line()}" for p in self.problems]
        return out


def dry_run(spec: EvalSpec) -> DryRun:
    """Read ``spec``'s items (its ``limit`` applies) and count what a run would have."""
    from keyclip.eval.run import read_items

    read = read_items(spec)
    items = read.items
    return DryRun(
        benchmark=spec.benchmark,
        annotations=str(spec.annotations),
        items=len(items),
        videos_found=len({i.video for i in items if i.video is not None}),
        videos_missing=read.missing_videos,
        items_of_missing_videos=read.items_without_video,
        options_per_item=dict(Counter(len(i.options) for i in items)),
        with_answer=sum(1 for i in items if i.answer is not None),
        with_subtitles=sum(1 for i in items if i.subtitles is not None),
        by_duration=dict(Counter(i.duration_group for i in items if i.duration_group)),
        problems=read.problems,
    )
