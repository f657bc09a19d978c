"""Run an evaluation: index each video once (the cache is shared with everything else), answer
every item with every configuration, append each result as it comes.

Results go to ``<out>/results-<worker>.jsonl`` (one JSON row per item and configuration, written
and flushed before the next), how each answer was reached to ``<out>/trajectories-<worker>.jsonl``
(the same keys; turns, clips, frame times, tokens, the evidence cited), index timings to
``<out>/indexes.jsonl``. A re-run skips the rows
already there for the same models and answering options (the spec's fingerprint), so an
interrupted run resumes where it stopped. With ``workers > 1`` each process takes whole videos.

Example:
    >>> spec = load_spec(Path("../shared/eval/dev"))                            # doctest: +SKIP
    >>> summary = run_eval(spec, Settings(), out=Path("eval-out"))
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from keyclip.errors import KeyclipError
from keyclip.eval.items import EvalItem
from keyclip.eval.jsonl import result_rows
from keyclip.eval.metrics import score_row
from keyclip.eval.readers import BenchmarkItems, ItemProblem
from keyclip.eval.spec import EvalSpec, RunConfig
from keyclip.logs import logger
from keyclip.settings import Settings


@dataclass
class EvalOutcome:
    out: Path
    items: int
    missing: list[str] = field(default_factory=list)
    """Videos not found on disk (their items are skipped)."""
    failed: dict[str, str] = field(default_factory=dict)
    """Videos that could not be indexed -> why."""
    skipped: int = 0
    """Items of missing videos."""
    problems: list[ItemProblem] = field(default_factory=list)
    """Items of the annotation files that could not be read (each is left out, the rest are run)."""
    keys: set[tuple[str, str]] = field(default_factory=set)
    """(item id, config key) of everything this run covers (its report shows only these)."""
    new_rows: int = 0
    reused_rows: int = 0
    submissions: list[dict] = field(default_factory=list)
    """The benchmark's own results files written (``keyclip.eval.submission``), one per configuration."""


def read_items(spec: EvalSpec) -> BenchmarkItems:
    """The spec's items (its first ``limit``) and the problems of the items that could not be read."""
    from keyclip.eval.readers import read_benchmark

    read = read_benchmark(spec.benchmark, spec.annotations, spec.videos, spec.subtitles, spec.answers)
    return BenchmarkItems(read.items[: spec.limit] if spec.limit else read.items, read.problems)


def done_keys(out: Path, fingerprint: str) -> set[tuple[str, str]]:
    """(item id, config key) pairs already answered with this fingerprint (failed ones are not)."""
    return {(r["item"], r["config"]) for r in result_rows(out, fingerprint) if not r.get("error")}


def run_eval(spec: EvalSpec, base: Settings, out: Path, progress: Callable[[int, int, str], None] | None = None
             ) -> EvalOutcome:
    """Run ``spec``; ``progress(done, total, note)`` is called after each answer. ``out`` gets the
    results, the trajectories, ``manifest.json`` (first thing) and the benchmark's own results files
    (``submissions/``, last)."""
    from keyclip.eval.manifest import write_manifest
    from keyclip.eval.report import load_rows
    from keyclip.eval.submission import write_submissions

    settings = spec.keyclip_settings(base)
    out.mkdir(parents=True, exist_ok=True)
    read = read_items(spec)
    fingerprint = spec.fingerprint(settings)
    write_manifest(out, spec, settings, fingerprint)
    outcome = _run(spec, settings, fingerprint, read, out, progress)
    rows = load_rows(out, fingerprint, outcome.keys)
    outcome.submissions = write_submissions(out, spec.benchmark, read.items, rows)
    return outcome


def _run(spec: EvalSpec, settings: Settings, fingerprint: str, read: BenchmarkItems, out: Path,
         progress: Callable[[int, int, str], None] | None) -> EvalOutcome:
    items = read.items
    outcome = EvalOutcome(out, len(items), problems=read.problems)
    outcome.missing = read.missing_videos
    outcome.skipped = read.items_without_video
    configs = spec.configs()
    already = done_keys(out, fingerprint)
    by_video: dict[Path, list[EvalItem]] = defaultdict(list)
    for item in items:
        if item.video is not None:
            by_video[item.video].append(item)
    total = sum(len(v) for v in by_video.values()) * len(configs)
    outcome.keys = {(i.id, c.key) for v in by_video.values() for i in v for c in configs}
    outcome.reused_rows = sum(1 for v in by_video.values() for i in v for c in configs if (i.id, c.key) in already)
    done = outcome.reused_rows
    if progress:
        progress(done, total, "resuming" if done else "starting")
    tasks = [(video, group, configs, already, settings, fingerprint, out) for video, group in by_video.items()
             if any((i.id, c.key) not in already for i in group for c in configs)]
    if spec.workers <= 1 or len(tasks) <= 1:
        models = WorkerModels(settings)
        for task in tasks:
            result = _video_task(*task, models=models, progress=lambda note: _tick(progress, total, note, outcome))
            if result.get("error"):
                outcome.failed[result["video"]] = result["error"]
        return outcome
    chunks = [tasks[k:: spec.workers] for k in range(spec.workers)]
    with ProcessPoolExecutor(max_workers=spec.workers, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(_worker, chunk) for chunk in chunks if chunk]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=1.0)
            answered = _count_rows(out, fingerprint) - len(already)
            if progress:
                progress(outcome.reused_rows + answered, total, "workers answering")
        for future, chunk in zip(futures, [c for c in chunks if c]):
            try:
                results = future.result()
            except BrokenProcessPool as exc:  # a worker died (killed, out of memory): its videos are retried next run
                results = [{"video": str(task[0]), "error": f"worker process died ({exc})"} for task in chunk]
            for result in results:
                if result.get("error"):
                    outcome.failed[result["video"]] = result["error"]
    outcome.new_rows = _count_rows(out, fingerprint) - len(already)
    return outcome


def _tick(progress, total: int, note: str, outcome: EvalOutcome) -> None:
    outcome.new_rows += 1
    if progress:
        progress(outcome.reused_rows + outcome.new_rows, total, note)


def _count_rows(out: Path, fingerprint: str) -> int:
    return len(done_keys(out, fingerprint))


class WorkerModels:
    """The models of one process (indexing, embedder, LLM, VLM), made on first use and kept for
    its next videos."""

    def __init__(self, settings: Settings):
        from keyclip.index.models import IndexModels

        self.settings = settings
        self.index = IndexModels(settings)
        self._made: tuple | None = None

    def get(self) -> tuple:
        if self._made is None:
            from keyclip.backends.registry import make_llm, make_vlm

            s = self.settings
            self._made = (self.index.embedder(), make_llm(s), make_vlm(s))
        return self._made


def _worker(tasks: list[tuple]) -> list[dict]:
    """A worker process: its share of the videos, one after another, with one set of models."""
    models = WorkerModels(tasks[0][4])
    return [_video_task(*task, models=models) for task in tasks]


def _video_task(video: Path, items: list[EvalItem], configs: list[RunConfig], already: set, settings: Settings,
                fingerprint: str, out: Path, models: WorkerModels,
                progress: Callable[[str], None] | None = None) -> dict:
    """Index ``video`` (once per speech source the configurations use) and answer its items with
    every configuration (in a worker or inline)."""
    rows, errors = 0, []
    for source in dict.fromkeys(c.speech for c in configs):
        todo = [c for c in configs if c.speech == source and any((i.id, c.key) not in already for i in items)]
        if not todo:
            continue
        s, used = speech_settings(settings, source, items)
        result = _answer_video(video, items, todo, already, s, used, fingerprint, out, models, progress)
        rows += result["rows"]
        if result.get("error"):
            errors.append(result["error"])
    return {"video": str(video), "rows": rows, **({"error": "; ".join(errors)} if errors else {})}


def speech_settings(settings: Settings, source: str, items: list[EvalItem]) -> tuple[Settings, str]:
    """``settings`` with the video's speech from ``source``, and the source used: a video with no
    subtitle file has no speech in the ``subtitles`` setting (as the benchmarks score it)."""
    if source == "asr":
        return settings, "asr"
    subtitled = next((i for i in items if i.subtitles is not None), None)
    if source == "subtitles" and subtitled is not None:
        speech = settings.speech.model_copy(update={"source": "subtitles", "subtitles": subtitled.subtitles,
                                                    "subtitle_offset": subtitled.subtitle_offset})
        return settings.model_copy(update={"speech": speech}), "subtitles"
    speech = settings.speech.model_copy(update={"source": "none", "subtitles": None, "subtitle_offset": 0.0})
    return settings.model_copy(update={"speech": speech}), "none"


def _answer_video(video: Path, items: list[EvalItem], configs: list[RunConfig], already: set, settings: Settings,
                  speech_used: str, fingerprint: str, out: Path, models: WorkerModels,
                  progress: Callable[[str], None] | None) -> dict:
    from keyclip.eval.methods import Prediction, VideoContext, run_method
    from keyclip.index.build import build_index
    from keyclip.index.store import IndexStore

    try:
        built = build_index(video, settings, models=models.index)
        store = IndexStore.open(built.index_path, readonly=True)
    except KeyclipError as exc:
        return {"video": str(video), "error": str(exc), "rows": 0}
    try:
        ctx = VideoContext(settings, video, built.index_path, store, *models.get())
    except BaseException:
        store.close()
        raise
    stages = store.stages()
    _append(out / "indexes.jsonl", {
        "video": str(video), "content_hash": built.content_hash, "duration": built.media.duration,
        "speech": speech_used, "cache_hit": built.cache_hit, "seconds_this_run": round(built.seconds, 3),
        "stage_seconds": {name: round(info["seconds"] or 0.0, 3) for name, info in stages.items()}})
    results = out / f"results-{os.getpid()}.jsonl"
    trajectories = out / f"trajectories-{os.getpid()}.jsonl"
    rows = 0
    try:
        for item in items:
            for config in configs:
                if (item.id, config.key) in already:
                    continue
                try:
                    pred = run_method(config.method, item, ctx, config.budget, config.evidence)
                except KeyclipError as exc:
                    pred = Prediction(abstained=True, error=True, note=f"error: {exc}")
                except Exception as exc:  # noqa: BLE001 - one item's failure is recorded, the run goes on
                    logger.exception("eval item %s (%s) failed", item.id, config.key)
                    pred = Prediction(abstained=True, error=True, note=f"error: {type(exc).__name__}: {exc}")
                row = {"item": item.id, "config": config.key, "fingerprint": fingerprint,
                       "method": config.method, "budget": config.budget, "evidence": config.evidence,
                       "speech": config.speech, "speech_used": speech_used,
                       "video_id": item.video_id, "question_type": item.question_type,
                       "duration_group": item.duration_group, "truth": item.answer,
                       "answer_span": item.answer_span, **pred.model_dump(mode="json")}
                row.update(score_row(item, pred))
                _append(trajectories, {"item": item.id, "config": config.key, "fingerprint": fingerprint,
                                       "video": str(video), "speech_used": speech_used, "question": item.question,
                                       "options": item.options, "truth": item.answer, "letter": pred.letter,
                                       "abstained": pred.abstained, "spans": pred.spans, **pred.trajectory})
                _append(results, row)
                rows += 1
                if progress:
                    progress(f"{item.id} {config.key}")
    finally:
        ctx.close()
    return {"video": str(video), "rows": rows}


def _append(path: Path, row: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
        f.flush()
        os.fsync(f.fileno())
