"""keyclip's command line: ``python app.py --help``.

Errors reach the user as one line on stderr and a non-zero exit code; finished index stages
are kept whatever happens.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from keyclip.errors import KeyclipError
from keyclip.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask questions of long videos.")
out = Console()
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
CacheOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Where indexes and model files live.")]


def _settings(cache_dir: Path | None) -> Settings:
    return Settings(cache_dir=cache_dir) if cache_dir else Settings()


def _fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _run(fn):
    """Call ``fn``; turn keyclip errors and Ctrl-C into one line and an exit code."""
    try:
        return fn()
    except KeyclipError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted; finished index stages are kept and a re-run resumes", 130)


@app.command()
def models(json_out: JsonFlag = False, cache_dir: CacheOpt = None) -> None:
    """List each model role: backend, weights, where they come from, whether present."""
    from keyclip.backends.registry import model_table

    rows = model_table(_settings(cache_dir))
    if json_out:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table("role", "backend", "model", "source", "present", "where / how to provide", title="keyclip models")
    for r in rows:
        table.add_row(r.role, r.backend, r.model, r.source, "[green]yes[/]" if r.present else "[red]no[/]", r.detail)
    out.print(table)


@app.command()
def index(
    videos: Annotated[list[Path], typer.Argument(help="Video (or audio) files to index.")],
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Index videos once (scenes, speech, screen text, objects, embeddings) for later questions."""
    from keyclip.console import RichProgress
    from keyclip.index.build import build_index

    settings = _settings(cache_dir)
    results, failed = [], []
    for video in videos:
        try:
            with RichProgress(err) as progress:
                result = build_index(video, settings, progress)
            results.append(result)
        except KeyclipError as exc:
            err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
            failed.append((str(video), str(exc), exc.exit_code))
        except KeyboardInterrupt:
            _fail("interrupted; finished index stages are kept and a re-run resumes", 130)
    if json_out:
        print(json.dumps({"indexed": [r.to_dict() for r in results],
                          "failed": [{"video": v, "error": e} for v, e, _ in failed]}, indent=2))
    else:
        table = Table("video", "duration", "cache", "stages run", "seconds", "scenes", "clips", "speech", "ocr",
                      "objects", title="index")
        for r in results:
            c = r.counts
            table.add_row(Path(r.video).name, f"{r.media.duration:.1f}s", "hit" if r.cache_hit else "built",
                          ",".join(r.stages_run) or "-", f"{r.seconds:.2f}", str(c["scenes"]), str(c["clips"]),
                          str(c["speech_segments"]), str(c["ocr_spans"]), str(c["detections"]))
        out.print(table)
    if failed:
        raise typer.Exit(failed[0][2])


@app.command()
def ask(
    video: Annotated[Path, typer.Argument(help="The video to ask about (indexed first if needed).")],
    question: Annotated[str, typer.Argument(help="Your question.")],
    k: Annotated[int, typer.Option("-k", help="How many pieces of evidence to show.")] = 5,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Answer from the video's evidence: the best matching speech, screen text and objects, with times."""
    from keyclip.console import RichProgress, hms
    from keyclip.index.build import build_index
    from keyclip.retrieve import retrieve_evidence

    settings = _settings(cache_dir)
    if not question.strip():
        _fail("the question is empty", 2)

    def work():
        with RichProgress(err) as progress:
            result = build_index(video, settings, progress)
        return result, retrieve_evidence(result.index_path, question, settings, k=k)

    result, hits = _run(work)
    if json_out:
        print(json.dumps({
            "video": result.video,
            "question": question,
            "index": str(result.index_path),
            "evidence": [{"kind": h.record.kind, "start": h.record.t0, "end": h.record.t1, "text": h.record.text,
                          "score": h.score} for h in hits],
        }, indent=2))
        return
    if not hits:
        out.print("No evidence in this video matches the question.")
        return
    table = Table("#", "start–end", "kind", "evidence", title=f"evidence for: {question}", show_lines=False)
    kind_names = {"speech": "said", "ocr": "on screen", "objects": "seen"}
    for i, h in enumerate(hits, start=1):
        table.add_row(str(i), f"{hms(h.record.t0)}–{hms(h.record.t1)}", kind_names.get(h.record.kind, h.record.kind),
                      h.record.text)
    out.print(table)


@app.command()
def select(
    video: Annotated[Path, typer.Argument(help="The video (indexed first if needed).")],
    question: Annotated[str, typer.Argument(help="The question the frames are for.")],
    option: Annotated[list[str] | None, typer.Option("--option", help="An answer option (repeatable).")] = None,
    budget: Annotated[int | None, typer.Option(help="Visual tokens for all frames.")] = None,
    token_model: Annotated[str | None, typer.Option("--token-model", help="qwen2-vl, llava-onevision, …")] = None,
    coverage: Annotated[bool, typer.Option(help="Spread clips over the whole video (global questions).")] = False,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Show the key clips and the visual-token budget plan a VLM would get for a question."""
    from keyclip.console import RichProgress, hms
    from keyclip.index.build import build_index
    from keyclip.selectors.plan import plan_for_question

    settings = _settings(cache_dir)
    updates = {k: v for k, v in (("budget", budget), ("token_model", token_model)) if v is not None}
    if updates:
        settings = settings.model_copy(update={"select": settings.select.model_copy(update=updates)})

    def work():
        with RichProgress(err) as progress:
            result = build_index(video, settings, progress)
        return plan_for_question(result.index_path, question, option or [], settings, coverage=coverage)

    selection = _run(work)
    if json_out:
        print(json.dumps(selection.to_dict(), indent=2))
        return
    plan = selection.plan
    table = Table("clip", "score", "frames", "size", "tokens", "frame times",
                  title=f"{plan.token_model}: {plan.total_tokens} of {plan.budget} tokens, "
                        f"relevance from {'+'.join(selection.signals)}")
    for c in plan.clips:
        times = ", ".join(hms(t) for t in c.timestamps[:6]) + (" …" if len(c.timestamps) > 6 else "")
        table.add_row(f"{hms(c.t0)}–{hms(c.t1)}", f"{c.score:.2f}", str(len(c.timestamps)),
                      f"{c.width}x{c.height}", str(c.tokens), times)
    out.print(table)
    for note in plan.notes:
        out.print(f"[yellow]note:[/] {note}")


@app.command("make-sample")
def make_sample(
    path: Annotated[Path, typer.Argument(help="Where to write the sample lecture (.mp4).")],
    json_out: JsonFlag = False,
) -> None:
    """Write a small synthetic lecture (slides, narration, a moving segment) with its ground truth."""
    from keyclip.samples import make_sample_lecture

    truth = make_sample_lecture(path)
    if json_out:
        print(json.dumps(truth.to_dict(), indent=2))
    else:
        out.print(f"wrote {path} ({truth.duration:.1f}s, cuts at {truth.cuts}, audio={'yes' if truth.has_audio else 'no'})")


def main() -> None:
    try:
        app()
    except KeyclipError as exc:  # pragma: no cover - commands convert their own
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
