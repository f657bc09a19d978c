"""Chat app timings a person feels, one run per lecture, in real headless Chromium.

For each lecture: ``app.py chat`` started on an empty cache (page served after how many seconds),
the lecture uploaded through the page, then the seconds from the upload's acceptance (the
status shows the job) until the player can play, until the question box opens (speech
indexed), until the first answer to a question about it, until the whole index is done, and
(when the question was answered while indexing) until that answer was replaced by the one from
the whole index.

    .venv/bin/python bench/ui_bench.py [--sets dev seta] [--json out.json]
    .venv/bin/python bench/ui_bench.py --sets none --video long.mp4   # a variant only (a dev-set question)

Needs Debian's chromium and playwright (``scripts/setup.sh --test``); the lectures are
``bench/sets.py``'s (the dev set and the built devsets). Upload limits are raised for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.sets import ROOT, lecture_sets  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cache: Path, tmp: Path) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache), "TMPDIR": str(tmp)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "chat", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    while True:
        if proc.poll() is not None:
            raise SystemExit("the chat app exited")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, url, time.monotonic() - started
        except OSError:
            time.sleep(0.05)


def _question(truth: dict) -> str:
    slide = next(s for s in truth["segments"] if s.get("title"))
    return f"When is {slide['title']} explained?"


def run_one(video: Path, truth: dict, model_cache: Path) -> dict:
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        cache, tmp = Path(folder) / "cache", Path(folder) / "tmp"
        cache.mkdir()
        tmp.mkdir()
        (cache / "models").symlink_to(model_cache, target_is_directory=True)
        proc, url, served = _serve(cache, tmp)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                with page.expect_file_chooser() as chooser:
                    page.locator("#kc-upload").click()
                chooser.value.set_files(str(video))
                expect(page.locator("#kc-job")).to_be_visible(timeout=600_000)
                accepted = time.monotonic()
                page.wait_for_function("() => { const v = document.querySelector('#kc-player video');"
                                       " return v && v.readyState >= 1 && v.duration > 0 }", timeout=600_000)
                playable = time.monotonic() - accepted
                box = page.locator("#kc-q textarea")
                expect(box).to_be_enabled(timeout=1_800_000)
                askable = time.monotonic() - accepted
                indexing_when_asked = page.locator("#kc-job[data-state=running]").count() > 0
                box.fill(_question(truth))
                box.press("Enter")
                expect(page.locator("#kc-chat .kc-answer")).to_have_count(1, timeout=1_800_000)
                answered = time.monotonic() - accepted
                expect(page.locator("#kc-job[data-state=done]")).to_be_visible(timeout=3_600_000)
                done = time.monotonic() - accepted
                updated = None
                if indexing_when_asked:  # the answer given from part of the index is replaced
                    expect(page.locator("#kc-chat .kc-answer .kc-updated")).to_have_count(1, timeout=600_000)
                    updated = time.monotonic() - accepted
                browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
    return {"page_served_s": round(served, 2), "playable_s": round(playable, 2), "askable_s": round(askable, 2),
            "first_answer_s": round(answered, 2), "asked_while_indexing": indexing_when_asked,
            "index_done_s": round(done, 2), "answer_updated_s": updated and round(updated, 2),
            "duration_s": truth.get("duration")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", help="only these sets (dev, seta, …)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--video", type=Path, help="also this video (a longer variant, say), asked about a slide "
                                                   "of --truth")
    parser.add_argument("--truth", type=Path, help="the ground truth the --video question is taken from "
                                                   "(default: the dev set's)")
    args = parser.parse_args()
    os.environ.setdefault("KEYCLIP_UI__MAX_UPLOAD_MB", "4096")
    from keyclip.settings import Settings

    model_cache = Settings().cache_dir / "models"  # assembled model files, shared with the user's cache
    model_cache.mkdir(parents=True, exist_ok=True)
    rows = []
    console = Console(stderr=True)
    for name, folder in lecture_sets():
        if args.sets and name not in args.sets:
            continue
        truth = json.loads((folder / "ground_truth.json").read_text())
        video = folder / truth["video"]
        if not video.is_file():
            continue
        console.print(f"{name}: {video.name} …")
        rows.append({"set": name, **run_one(video, truth, model_cache)})
    if args.video:
        from keyclip.media.probe import probe

        truth_file = args.truth or next(folder for name, folder in lecture_sets() if name == "dev") / "ground_truth.json"
        truth = json.loads(Path(truth_file).read_text()) | {"duration": probe(args.video).duration}
        console.print(f"{args.video.name} …")
        rows.append({"set": args.video.name, **run_one(args.video, truth, model_cache)})
    table = Table(title="keyclip chat timings (one run each, seconds after the upload is accepted)")
    for col in ("set", "video s", "page served", "playable", "askable", "first answer", "asked while indexing",
                "index done", "answer updated"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["set"], f"{r['duration_s'] or 0:.0f}", f"{r['page_served_s']:.2f}", f"{r['playable_s']:.2f}",
                      f"{r['askable_s']:.1f}", f"{r['first_answer_s']:.1f}", "yes" if r["asked_while_indexing"] else "no",
                      f"{r['index_done_s']:.1f}",
                      "—" if r["answer_updated_s"] is None else f"{r['answer_updated_s']:.1f}")
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
