"""Cold start: what a person waits for when each command is a fresh process.

    .venv/bin/python bench/cold_start.py            # median of 5 runs per row
    .venv/bin/python bench/cold_start.py --runs 9 --json

The sample lecture is generated and indexed once in a private cache; then every row runs the real
CLI (``python app.py …``) as a new process, ``--runs`` times, and reports the median wall seconds
and the median peak RSS of that process (from ``wait4``; the LLM worker is a process of its own
and is measured in its own row). Rows:

- ``--help``: import and argument parsing only.
- ``index`` (cache hit): the file is hashed and found complete; no model loads.
- ``ask`` on the cached index: an open question with the defaults (no LLM: the extractive answer),
  the same with the packaged SmolLM2 writing the answer, and a multiple-choice question.
- ``LLM worker``: the worker process alone (start, load SmolLM2, 8 tokens).

Which heavy libraries each ``ask`` imported is listed under the table (torch, transformers,
sentence-transformers and ultralytics must not be among them with the default settings).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers", "ultralytics", "llama_cpp")

# Runs app.py as __main__ and reports which heavy modules it imported on a pipe (stdout stays the CLI's).
PROBE = r"""
import os, runpy, sys
sys.argv = sys.argv[1:]
code = 0
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
heavy = [m for m in HEAVY_NAMES if m in sys.modules]
with os.fdopen(int(os.environ["KC_PROBE_FD"]), "w") as f:
    f.write(",".join(heavy))
os._exit(code)
""".replace("HEAVY_NAMES", repr(HEAVY))

PREPARE = r"""
import sys
from pathlib import Path
from keyclip.index.build import build_index
from keyclip.samples import make_sample_lecture
from keyclip.settings import Settings
make_sample_lecture(Path(sys.argv[1]))
build_index(sys.argv[1], Settings(cache_dir=Path(sys.argv[2])))
"""

WORKER = r"""
import time, sys
t = time.perf_counter()
from keyclip.backends import packaged
from keyclip.backends.llamacpp import LlamaCppChat
llm = LlamaCppChat(packaged.smollm2_gguf(), threads=2, n_ctx=2048)
llm.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
print(time.perf_counter() - t)
llm.close()
"""


def run_once(argv: list[str], env: dict) -> tuple[float, float, str, int]:
    """(wall seconds, peak RSS MiB, heavy modules imported, exit code) of one fresh process."""
    read, write = os.pipe()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", PROBE, *argv], cwd=REPO, env={**env, "KC_PROBE_FD": str(write)},
                            pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    with os.fdopen(read) as f:
        heavy = f.read()
    return wall, usage.ru_maxrss / 1024, heavy, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    console = Console(stderr=True)
    work = Path(tempfile.mkdtemp(prefix="kc-cold-"))
    cache = work / "cache"
    video = work / "sample.mp4"
    with console.status("making and indexing the sample lecture…"):
        # in a child, so this process stays small: a forked child's peak RSS counts its parent's pages
        subprocess.run([sys.executable, "-c", PREPARE, str(video), str(cache)], check=True, cwd=REPO)
    env = {**os.environ, "KEYCLIP_CACHE_DIR": str(cache)}
    app = str(REPO / "app.py")
    rows = [
        ("--help", [app, "--help"]),
        ("index (cache hit)", [app, "index", str(video)]),
        ("ask, open question (defaults: no LLM)", [app, "ask", str(video), "what is a collision?"]),
        ("ask, open question, --llm packaged:smollm2-135m",
         [app, "ask", str(video), "what is a collision?", "--llm", "packaged:smollm2-135m"]),
        ("ask, multiple choice", [app, "ask", str(video), "what does the speaker say about collisions?",
                                  "--option", "A. two keys share one bucket", "--option", "B. buckets never fill"]),
    ]
    results = []
    for name, argv in rows:
        runs = []
        with console.status(f"{name}…"):
            for _ in range(args.runs):
                runs.append(run_once(argv, env))
        codes = {r[3] for r in runs}
        results.append({"command": name, "median_s": round(statistics.median(r[0] for r in runs), 3),
                        "min_s": round(min(r[0] for r in runs), 3),
                        "peak_rss_mb": round(statistics.median(r[1] for r in runs)),
                        "heavy_imports": runs[-1][2] or "-", "exit_codes": sorted(codes)})
    worker = []
    with console.status("LLM worker…"):
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True, cwd=REPO)
            if out.returncode == 0:
                worker.append(float(out.stdout.strip().splitlines()[-1]))
    if worker:
        results.append({"command": "LLM worker: start, load SmolLM2, 8 tokens", "median_s":
                        round(statistics.median(worker), 3), "min_s": round(min(worker), 3), "peak_rss_mb": None,
                        "heavy_imports": "llama_cpp (in the worker)", "exit_codes": [0]})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    table = Table("command (fresh process)", f"median s ({args.runs} runs)", "min s", "peak RSS MiB", "exit",
                  "heavy modules imported", title="cold start (sample lecture, cached index)")
    for r in results:
        table.add_row(r["command"], f"{r['median_s']:.2f}", f"{r['min_s']:.2f}",
                      "" if r["peak_rss_mb"] is None else str(r["peak_rss_mb"]),
                      ",".join(map(str, r["exit_codes"])), r["heavy_imports"])
    Console().print(table)


if __name__ == "__main__":
    main()
