"""keyclip's command line: ``python app.py --help``.

Errors reach the user as one line on stderr and a non-zero exit code; finished index stages
are kept whatever happens.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from keyclip.errors import KeyclipError, is_out_of_space
from keyclip.settings import Settings, with_llm_model

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Ask questions of long videos.")
out = Console()
err = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from keyclip import __version__

        print(f"keyclip {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                   help="Print keyclip's version and exit.")] = False) -> None:
    """Ask questions of long videos."""

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
CacheOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Where indexes and model files live.")]
SubtitlesOpt = Annotated[Path | None, typer.Option("--subtitles", help="A subtitle file (.srt) to use as the speech "
                                                                        "instead of recognising it (its own index).")]


def _settings(cache_dir: Path | None) -> Settings:
    """The settings (environment, config file, defaults); a bad value is one line and exit 2."""
    import tomllib

    from pydantic import ValidationError

    try:
        return Settings(cache_dir=cache_dir) if cache_dir else Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        env = "KEYCLIP_" + "__".join(str(x) for x in first["loc"]).upper()
        _fail(f"bad setting {where} ({env} or the config file): {first['msg']}", 2)
    except (tomllib.TOMLDecodeError, OSError, ValueError) as exc:
        _fail(f"cannot read the settings file (KEYCLIP_CONFIG or ./keyclip.toml): {exc}", 2)
    raise AssertionError  # _fail exits


def _with_subtitles(settings: Settings, subtitles: Path | None) -> Settings:
    """``settings`` with speech read from ``subtitles`` (checked first: a bad file is one line)."""
    if subtitles is None:
        return settings
    from keyclip.media.subtitles import read_subtitles

    cues = _run(lambda: read_subtitles(subtitles))
    if not cues:
        _fail(f"{subtitles}: no subtitle cues in it", 2)
    speech = settings.speech.model_copy(update={"source": "subtitles", "subtitles": subtitles.absolute()})
    return settings.model_copy(update={"speech": speech})


def _updated(section, flags: dict[str, object], names: dict[str, str]):
    """``section`` (a settings model) with the command-line ``flags`` validated by the same model:
    a flag out of the setting's bounds is one line naming the flag (``names``: field -> flag)."""
    from pydantic import ValidationError

    if not flags:
        return section
    try:
        return type(section).model_validate({**section.model_dump(), **flags})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        _fail(f"{names.get(field, field)}: {first['msg']}", 2)


def _fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
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
    subtitles: SubtitlesOpt = None,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Index videos once (scenes, speech, screen text, objects, embeddings) for later questions."""
    from keyclip.console import RichProgress
    from keyclip.index.build import build_index

    if subtitles is not None and len(videos) > 1:
        _fail("--subtitles belongs to one video: index one video at a time with it", 2)
    settings = _with_subtitles(_settings(cache_dir), subtitles)
    results, failed = [], []
    for video in videos:
        try:
            with RichProgress(err) as progress:
                result = build_index(video, settings, progress)
            results.append(result)
        except KeyclipError as exc:
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
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
    video: Annotated[Path, typer.Argument(help="The video to ask about (indexed first if needed), or an "
                                               "annotated archive folder.")],
    question: Annotated[str, typer.Argument(help="Your question (options may be written in it: 'A. … B. …').")],
    option: Annotated[list[str] | None, typer.Option("--option", help="An answer option (repeatable).")] = None,
    session: Annotated[str | None, typer.Option(help="Keep a conversation: follow-ups resolve 'that'.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many pieces of retrieved evidence to list.")] = 5,
    budget: Annotated[int | None, typer.Option(help="Visual tokens for all turns.")] = None,
    max_turns: Annotated[int | None, typer.Option("--max-turns", help="Look/reflect rounds at most.")] = None,
    llm: Annotated[str | None, typer.Option(help="LLM: packaged:smollm2-135m, packaged:qwen2.5-0.5b, a .gguf, "
                                                 "or 'none'.")] = None,
    vlm_backend: Annotated[str | None, typer.Option("--vlm-backend", help="none | openai | llamacpp")] = None,
    vlm_model: Annotated[str | None, typer.Option("--vlm-model", help="Served model name or GGUF path.")] = None,
    vlm_url: Annotated[str | None, typer.Option("--vlm-url", help="OpenAI-compatible base URL.")] = None,
    early: Annotated[bool, typer.Option("--early", help="While a new video is indexed, answer from what is in "
                                                         "as soon as its speech is, then again from the whole index.")] = False,
    subtitles: SubtitlesOpt = None,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Answer a question with the time spans it rests on and the evidence (said, on screen, seen)."""
    settings = _settings(cache_dir)
    if subtitles is not None and video.is_dir():
        _fail("--subtitles belongs to one video, not an archive folder", 2)
    settings = _with_subtitles(settings, subtitles)
    _check_text(question, "the question")
    _check_options(option or [])
    _check_k(k)
    if session is not None and not session.strip():
        _fail("--session is empty: name the conversation (e.g. --session lecture-1)", 2)
    settings = _with_agent_flags(settings, budget, max_turns, llm, vlm_backend, vlm_model, vlm_url)
    # the path is checked before the agent's modules load (LangGraph alone is about a second)
    if video.is_dir():
        from keyclip.batch.archive import archive_videos

        _run(lambda: archive_videos(video))  # a folder that is not an archive
    else:
        from keyclip.media.probe import probe

        _run(lambda: probe(video))  # missing, empty, not media
    from keyclip.agent.run import Asker
    from keyclip.console import RichProgress
    from keyclip.index.build import build_index

    if video.is_dir():  # an annotated archive: find the video, then answer there
        from keyclip.batch.archive import ask_archive

        missing: list[str] = []

        def ask_across():
            with err.status("searching the archive…"):
                return ask_archive(video, question, option or [], settings, session=session, missing=missing)

        answer = _run(ask_across)
        _note_missing(missing)
        _print_notices(answer.notices)
        if json_out:
            print(json.dumps(answer.model_dump(mode="json"), indent=2))
            return
        _print_answer(answer, [])
        _print_videos(answer.videos)
        return

    def answer_from(index_path: Path, keep_in_session: bool = True):
        with Asker(index_path, video, settings) as asker:
            return (asker.ask(question, option or [], session=session if keep_in_session else None),
                    asker.evidence_for(question, k))

    def show(index_path: Path, answer, evidence, partial: bool) -> None:
        _print_notices(answer.notices)
        if json_out:
            data = answer.model_dump(mode="json")
            data["index"] = str(index_path)
            data["evidence"] = evidence
            if early:  # one JSON object per line: the early answer, then the full one
                data["partial"] = partial
                print(json.dumps(data), flush=True)
            else:
                print(json.dumps(data, indent=2))
            return
        if early:
            err.print("[bold]early answer[/] (from what is indexed so far; the rest is still indexing):" if partial else
                      "[bold]answer[/] from the whole index:")
        _print_answer(answer, evidence)

    def work():
        if early:
            from keyclip.index.early import build_answering_early

            def speak_early(index_path: Path) -> None:
                # not kept in --session: the full answer is, so a follow-up builds on that one
                answer, evidence = answer_from(index_path, keep_in_session=False)
                show(index_path, answer, evidence, partial=True)

            with RichProgress(err) as progress:
                result = build_answering_early(video, settings, progress, speak_early)
        else:
            with RichProgress(err) as progress:
                result = build_index(video, settings, progress)
        with err.status("thinking…"):
            answer, evidence = answer_from(result.index_path)
        return result, answer, evidence

    result, answer, evidence = _run(work)
    show(result.index_path, answer, evidence, partial=False)


def _print_notices(notices: list[str]) -> None:
    for line in notices:
        err.print(f"[yellow]notice:[/] {escape(line)}", highlight=False, soft_wrap=True)


def _note_missing(missing: list[str]) -> None:
    if missing:
        err.print(f"[yellow]note:[/] {len(missing)} annotated videos were left out: their index is gone from the "
                  f"cache (re-run annotate to rebuild): {escape(', '.join(Path(m).name for m in missing[:5]))}",
                  highlight=False)


def _print_videos(videos: list[dict]) -> None:
    from keyclip.console import clock

    table = Table("#", "video", "score", "best passage", "snippet", title="videos considered")
    for i, v in enumerate(videos, start=1):
        table.add_row(str(i), escape(v["name"]), f"{v['score']:.3f}", f"{clock(v['start'])}–{clock(v['end'])}",
                      escape(v["snippet"]))
    out.print(table)


@app.command()
def search(
    archive: Annotated[Path, typer.Argument(help="An annotate output folder (with catalog.sqlite).")],
    query: Annotated[str, typer.Argument(help="What to look for: words said or shown, or a description.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 10,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Rank (video, time span, snippet) across every annotated video of an archive."""
    from keyclip.batch.archive import search_archive
    from keyclip.console import clock

    settings = _settings(cache_dir)
    _check_text(query, "the query")
    _check_k(k)
    from keyclip.batch.archive import archive_videos

    _run(lambda: archive_videos(archive))  # a missing folder or a non-archive is refused before any model loads

    def work():
        from keyclip.backends.registry import make_embedder

        with err.status("searching…"):
            return search_archive(archive, query, settings, make_embedder(settings), k=k, missing=missing)

    missing: list[str] = []
    hits = _run(work)
    _note_missing(missing)
    if json_out:
        print(json.dumps([h.to_dict() for h in hits], indent=2))
        return
    table = Table("#", "video", "start–end", "kind", "snippet", "score", title=f"search: {escape(query)}")
    for i, h in enumerate(hits, start=1):
        table.add_row(str(i), escape(h.name), f"{clock(h.t0)}–{clock(h.t1)}", ",".join(h.kinds), escape(h.snippet),
                      f"{h.score:.3f}")
    out.print(table)


MAX_QUESTION_CHARS = 4000


def _check_text(text: str, what: str) -> None:
    """A question or query must have a word in it, and fit in what the models read."""
    if not text.strip():
        _fail(f"{what} is empty", 2)
    if not any(ch.isalnum() for ch in text):
        _fail(f"{what} has no words in it ({text.strip()[:20]!r})", 2)
    if len(text) > MAX_QUESTION_CHARS:
        _fail(f"{what} is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})", 2)


def _check_options(options: list[str]) -> None:
    """Answer options must say something, be two or more, and their letters (``A. …``) must differ."""
    import re

    if len(options) == 1:
        _fail("--option was given once: give two or more options, or none for an open question", 2)
    letters = []
    for i, text in enumerate(options, start=1):
        m = re.match(r"^\s*([A-Za-z])\s*[.):]\s*(.*)$", text, re.S)
        body = (m.group(2) if m else text).strip()
        if not body:
            _fail(f"--option {i} is empty: write the option's text (e.g. --option 'A. A bucket')", 2)
        if m:
            letters.append(m.group(1).upper())
    repeated = sorted({x for x in letters if letters.count(x) > 1})
    if repeated:
        _fail(f"--option letters repeat ({', '.join(repeated)}): give each option its own letter", 2)


def _check_k(k: int) -> None:
    if k < 1:
        _fail(f"-k must be at least 1 (got {k})", 2)


def _model_flags(llm, vlm_backend, vlm_model, vlm_url) -> dict[str, dict]:
    """``--llm`` / ``--vlm-*`` as settings updates per section (only the flags given)."""
    flags: dict[str, dict] = {}
    if llm:
        flags["llm"] = {"model": llm}
    vlm = {k: v for k, v in (("backend", vlm_backend), ("model", vlm_model), ("base_url", vlm_url)) if v}
    if vlm:
        flags["vlm"] = vlm
    return flags


def _with_agent_flags(settings: Settings, budget, max_turns, llm, vlm_backend, vlm_model, vlm_url) -> Settings:
    select = _updated(settings.select, {"budget": budget} if budget is not None else {}, {"budget": "--budget"})
    agent = _updated(settings.agent, {"max_turns": max_turns} if max_turns is not None else {},
                     {"max_turns": "--max-turns"})
    flags = _model_flags(llm, vlm_backend, vlm_model, vlm_url)
    llm_opts, vlm = flags.get("llm", {}), flags.get("vlm", {})
    try:
        return settings.model_copy(update={
            "select": select,
            "agent": agent,
            "llm": with_llm_model(settings.llm, llm_opts["model"]) if llm_opts else settings.llm,
            "vlm": type(settings.vlm).model_validate({**settings.vlm.model_dump(), **vlm}),
        })
    except ValueError as exc:
        _fail(f"bad option: {str(exc).splitlines()[-1]}", 2)
        raise


def _print_answer(answer, evidence: list[dict]) -> None:
    from rich.panel import Panel

    from keyclip.console import clock

    spans = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in answer.spans) or "—"
    title = "abstained" if answer.abstained else f"answer (confidence {answer.confidence:.2f})"
    body = escape(answer.answer) + f"\n[dim]spans: {spans}[/]"
    if answer.abstain_reason:
        body += f"\n[yellow]{escape(answer.abstain_reason)}[/]"
    out.print(Panel(body, title=title, title_align="left"))
    if answer.citations:
        archive = any(c.video for c in answer.citations)
        table = Table(*(["video"] if archive else []), "kind", "time", "evidence", "thumbnail", title="cited evidence")
        for c in answer.citations:
            table.add_row(*([escape(c.video or "")] if archive else []), c.kind, f"{clock(c.start)}–{clock(c.end)}",
                          escape(c.text), escape(c.thumbnail or ""))
        out.print(table)
    if evidence:
        kind_names = {"speech": "said", "ocr": "on screen", "objects": "seen", "scene": "footage"}
        table = Table("#", "start–end", "kind", "evidence", title="retrieved evidence")
        for i, e in enumerate(evidence, start=1):
            table.add_row(str(i), f"{clock(e['start'])}–{clock(e['end'])}", kind_names.get(e["kind"], e["kind"]),
                          escape(e["text"]))
        out.print(table)
    turns = Table("turn", "clips", "frames", "size", "visual tok.", "text tok.", "s",
                  title=f"turns ({answer.visual_tokens} of {answer.budget} visual tokens)")
    for t in answer.turns:
        turns.add_row(t.action, str(len(t.clips)), str(t.frames), t.resolution or "", str(t.visual_tokens),
                      str(t.text_tokens), f"{t.seconds:.2f}")
    out.print(turns)
    for t in answer.turns:
        out.print(f"[dim]{t.action}: {escape(t.note)}[/]", highlight=False)


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
    """Show the frames a VLM would get for a question within the visual-token budget (and the key clips)."""
    from keyclip.console import RichProgress, hms
    from keyclip.index.build import build_index
    from keyclip.selectors.plan import plan_for_question

    settings = _settings(cache_dir)
    updates = {k: v for k, v in (("budget", budget), ("token_model", token_model)) if v is not None}
    select_opts = _updated(settings.select, updates, {"budget": "--budget", "token_model": "--token-model"})
    settings = settings.model_copy(update={"select": select_opts})
    _check_text(question, "the question")
    _check_options(option or [])

    def work():
        with RichProgress(err) as progress:
            result = build_index(video, settings, progress)
        return plan_for_question(result.index_path, question, option or [], settings, coverage=coverage)

    selection = _run(work)
    if json_out:
        print(json.dumps(selection.to_dict(), indent=2))
        return
    plan = selection.plan
    table = Table("from–to", "kind", "score", "frames", "size", "tokens", "frame times",
                  title=f"{plan.token_model}: {plan.total_tokens} of {plan.budget} tokens, "
                        f"relevance from {'+'.join(selection.signals)}")
    for c in plan.clips:
        times = ", ".join(hms(t) for t in c.timestamps[:6]) + (" …" if len(c.timestamps) > 6 else "")
        table.add_row(f"{hms(c.t0)}–{hms(c.t1)}", selection.kind_at(c.t0, c.t1) or "-", f"{c.score:.2f}",
                      str(len(c.timestamps)),
                      f"{c.width}x{c.height}", str(c.tokens), times)
    out.print(table)
    for note in plan.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")


@app.command()
def annotate(
    paths: Annotated[list[str], typer.Argument(help="Videos, folders, glob patterns, or list files (@list.txt).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder: one folder per video and catalog.sqlite.")],
    engine: Annotated[str, typer.Option(help="local (worker processes) or ray.")] = "local",
    workers: Annotated[int, typer.Option(help="Workers (0 = sized to cores and memory).")] = 0,
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: start a local one).")] = None,
    llm_text: Annotated[bool, typer.Option("--llm-text", help="LLM titles for untitled chapters and "
                                                              "an LLM-written summary.")] = False,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Annotate an archive: transcript, chapters, slide text, summary and index per video; resumable."""
    from keyclip.batch.display import report_table
    from keyclip.batch.run import run_batch
    from keyclip.batch.sources import expand

    if engine not in ("local", "ray"):
        _fail(f"--engine must be local or ray, not {engine!r}", 2)
    settings = _settings(cache_dir)
    if llm_text:
        settings = settings.model_copy(update={"annotate": settings.annotate.model_copy(update={"llm_text": True})})

    def work():
        videos = expand(paths)
        if not videos:
            raise InputError(f"no videos found in {' '.join(paths)}")
        return run_batch(videos, out_dir, settings, engine=engine, workers=workers, address=address, console=err)

    from keyclip.errors import InputError

    report = _run(work)
    if json_out:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        out.print(report_table(report))
    if report.failed:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    spec: Annotated[Path, typer.Argument(help="An eval spec (TOML/JSON), a keyclip QA file (.jsonl) or a folder "
                                              "with a qa.jsonl.")],
    methods: Annotated[str | None, typer.Option(help="Comma list of agent, keyclips, uniform.")] = None,
    budgets: Annotated[str | None, typer.Option(help="Comma list of visual-token budgets, e.g. 4096,8192.")] = None,
    evidence: Annotated[str | None, typer.Option(help="on | off | both: speech/OCR text for the single-turn "
                                                      "methods.")] = None,
    speech: Annotated[str | None, typer.Option(help="Comma list of speech sources: asr (keyclip's own), subtitles "
                                                    "(the benchmark's files: 'w/ subs'), none ('w/o subs').")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N items.")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (each takes whole videos).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder (default: eval-results/<name>).")] = None,
    llm: Annotated[str | None, typer.Option(help="LLM: packaged:smollm2-135m, packaged:qwen2.5-0.5b, a .gguf, "
                                                 "or 'none'.")] = None,
    vlm_backend: Annotated[str | None, typer.Option("--vlm-backend", help="none | openai | llamacpp | hf")] = None,
    vlm_model: Annotated[str | None, typer.Option("--vlm-model", help="Served model name, GGUF or folder.")] = None,
    vlm_url: Annotated[str | None, typer.Option("--vlm-url", help="OpenAI-compatible base URL.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only read the items and count them (items, videos "
                                                            "found/missing, options per item, items not read).")
                       ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per item that could not be read.")
                       ] = False,
    json_out: JsonFlag = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Evaluate on a benchmark or QA file: accuracy, grounding and cost per method and budget."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from keyclip.eval.report import config_order, method_label, write_report
    from keyclip.eval.run import run_eval
    from keyclip.eval.spec import load_spec

    def _list(value: str | None, cast):
        if value is None:
            return None
        try:
            return [cast(x.strip()) for x in value.split(",") if x.strip()]
        except ValueError:
            _fail(f"bad list {value!r}", 2)

    ev = {None: None, "on": [True], "off": [False], "both": [True, False]}
    if evidence not in ev:
        _fail("--evidence must be on, off or both", 2)
    settings = _settings(cache_dir)
    flags = _model_flags(llm, vlm_backend, vlm_model, vlm_url)  # these win over the spec's [settings]

    if dry_run:
        from keyclip.eval.dry_run import dry_run as count_items

        counts = _run(lambda: count_items(load_spec(spec, limit=limit)))
        if json_out:
            print(json.dumps(counts.to_dict(), indent=2))
        else:
            print("\n".join(counts.lines(verbose)))  # plain lines: a long path is not wrapped
        return

    def work():
        s = load_spec(spec, methods=_list(methods, str), budgets=_list(budgets, int), evidence=ev[evidence],
                      speech=_list(speech, str),
                      limit=limit, workers=workers, out=out_dir)
        for section, values in flags.items():
            s.settings[section] = {**(s.settings.get(section) or {}), **values}
        folder = s.out or Path("eval-results") / (s.name or "run")
        with Progress(TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
                      TimeElapsedColumn(), console=err) as bars:
            task = bars.add_task("eval", total=None, note="reading items")

            def progress(done: int, total: int, note: str) -> None:
                bars.update(task, completed=done, total=total, note=escape(note))

            outcome = run_eval(s, settings, folder, progress)
        keyclip_settings = settings_for_run = s.keyclip_settings(settings)
        notes = []
        if outcome.missing:
            notes.append(f"videos missing on disk ({len(outcome.missing)}; their {outcome.skipped} items skipped): "
                         + ", ".join(outcome.missing[:10]) + ("…" if len(outcome.missing) > 10 else ""))
        notes += [f"not indexed: {Path(v).name}: {why}" for v, why in outcome.failed.items()]
        if outcome.problems:
            ids = [p.item for p in outcome.problems]
            notes.append(f"items not read ({len(ids)}; left out, the rest run; each in report.md"
                         + (")" if verbose else ", or --verbose)") + ": " + ", ".join(ids[:10])
                         + ("…" if len(ids) > 10 else ""))
        for sub in outcome.submissions:
            notes.append(f"submissions/{Path(sub['path']).name}: {sub['questions']} questions, {sub['answered']} "
                         f"answered" + (f", {sub['left_blank']} abstentions left blank (the benchmark's scorer "
                                        "counts them wrong)" if sub["left_blank"] else ""))
        if settings_for_run.vlm.backend == "none":
            notes.append("no VLM: the single-turn methods answered from the speech and screen text on at their "
                         "planned frames (the agent from its retrieval); visual tokens count what a VLM was given "
                         "(none), so compare methods at each budget, not by that column")
        vlm_name = keyclip_settings.vlm.model if keyclip_settings.vlm.backend != "none" else "none"
        llm_name = keyclip_settings.llm.model if keyclip_settings.llm.backend != "none" else "none"
        title = (f"{s.name or s.benchmark}: {outcome.items} items · VLM {vlm_name} · LLM {llm_name} · "
                 f"token model {keyclip_settings.select.token_model}")
        report = write_report(folder, title, s.fingerprint(keyclip_settings), notes,
                              {"benchmark": s.benchmark, "items": outcome.items, "new_rows": outcome.new_rows,
                               "reused_rows": outcome.reused_rows, "submissions": outcome.submissions},
                              keys=outcome.keys,
                              problems=[p.line() for p in outcome.problems])
        return folder, report

    folder, report = _run(work)
    if json_out:
        print(json.dumps(report, indent=2))
        return
    from rich import box

    table = Table("method", "budget", "text", "n", "acc.", "hit", "IoU", "abst.", "vis.tok", "txt.tok", "p50 s",
                  title=escape(report["title"]), box=box.SIMPLE_HEAD, pad_edge=False)
    for c in config_order(report["configs"]):
        def f(v, fmt="{:.2f}"):
            return "–" if v is None else fmt.format(v)

        table.add_row(method_label(c), str(c["budget"]), "yes" if c["evidence"] else "no", str(c["items"]),
                      f(c["accuracy"]), f(c["temporal_hit"]), f(c["mean_iou"]), f(c["abstained"]),
                      f(c["visual_tokens"], "{:.0f}"), f(c["text_tokens"], "{:.0f}"), f(c["p50_s"]))
    # piped output is 80 columns wide by default, which would cut the method names
    (out if out.is_terminal else Console(width=120)).print(table)
    for note in report["notes"]:
        err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    for line in report["problems"] if verbose else []:
        err.print(f"  item not read: {escape(line)}", highlight=False)
    out.print(f"report: {escape(str(folder / 'report.md'))}, {escape(str(folder / 'report.json'))}"
              + (f", plot {escape(str(folder / report['plot']['path']))}" if "plot" in report else "")
              + f"; manifest.json, trajectories-*.jsonl and the benchmark's own results files in "
                f"{escape(str(folder / 'submissions'))}", highlight=False)


@app.command()
def chat(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    archive: Annotated[list[Path] | None, typer.Option("--archive", help="An annotate output folder whose videos "
                                                                          "can be picked (repeatable).")] = None,
    cache_dir: CacheOpt = None,
) -> None:
    """Chat with videos in the browser: upload or pick one; cited times seek the player."""
    import importlib.util
    import socket

    from keyclip.batch.catalog import CATALOG

    if importlib.util.find_spec("gradio") is None:
        _fail("the chat app needs Gradio: pip install -e '.[ui]'", 2)
    for folder in archive or []:
        if not (folder / CATALOG).is_file():
            _fail(f"{folder}: not an annotated archive (no {CATALOG}); run app.py annotate first", 2)
    if not 0 < port < 65536:
        _fail(f"--port must be 1-65535, not {port}", 2)
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", 2)
    settings = _settings(cache_dir)

    def work():
        from keyclip.ui.server import serve

        err.print("starting the chat app…", highlight=False)
        try:
            serve(settings, host, port, [f.absolute() for f in archive or []],
                  ready=lambda url: err.print(f"keyclip chat on [bold]{escape(url)}[/] (Ctrl-C stops)",
                                              highlight=False))
        except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: not an error
            err.print("chat app stopped; uploads removed, their indexes kept in the cache", highlight=False)

    _run(work)


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
        cuts = ", ".join(f"{float(c):.2f}s" for c in truth.cuts) or "none"  # (a list in brackets would be read as markup)
        out.print(f"wrote {path} ({truth.duration:.1f}s, cuts at {cuts}, audio={'yes' if truth.has_audio else 'no'})",
                  markup=False)


def main() -> None:
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.TyperException as exc:  # a bad flag or a missing argument: one line, like every other error
        if not exc.format_message():  # no command given: the help was printed
            sys.exit(exc.exit_code)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        err.print(f"[red]error:[/] {escape(exc.format_message() + hint)}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("[red]error:[/] interrupted", highlight=False)
        sys.exit(130)
    except KeyclipError as exc:  # pragma: no cover - commands convert their own
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except (OSError, sqlite3.Error) as exc:  # a full disk where no command looked for one
        if not is_out_of_space(exc):
            raise
        err.print(f"[red]error:[/] no space left on the disk ({escape(str(exc))}); free some space and re-run: "
                  "finished work is kept", highlight=False, soft_wrap=True)
        sys.exit(4)


if __name__ == "__main__":
    main()
