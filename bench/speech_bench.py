"""Speech benchmark: faster-whisper's sequential decoder against its batched pipeline, per set.

    .venv/bin/python bench/speech_bench.py                 # every set found, batch sizes 0 and 8
    .venv/bin/python bench/speech_bench.py --batch 0 4 8   # more batch sizes (0 = sequential)

Sets: ``../shared/eval/dev`` and every built set under ``devsets/out/`` (``bash devsets/build.sh
NAME``). Each run is a fresh child process on the set's video, all cores, the default speech
options but ``batch_size``; the child loads the model, transcribes the whole file through
keyclip's ``WhisperASR`` (windows and hand-over included) and reports wall seconds and peak
RSS. Word error rates are against the ground truth: ``narration WER`` over the slides'
narration (each segment's text counted where its middle falls), ``needles WER`` over the
real-speech needles (0.5 s of slack each side), both after ``normalise_words``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import lecture_sets  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from dataclasses import asdict
from pathlib import Path
from keyclip.settings import Settings
video, batch = sys.argv[1], int(sys.argv[2])
s = Settings()
s = s.model_copy(update={"speech": s.speech.model_copy(update={"batch_size": batch})})
t = time.perf_counter()
from keyclip.backends.registry import make_asr
asr = make_asr(s)
loaded = time.perf_counter() - t
segments, info = asr.transcribe(video)
out = {"seconds": time.perf_counter() - t, "load_seconds": loaded,
       "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "segments": [[x.t0, x.t1, x.text] for x in segments]}
print(json.dumps(out))
"""


def find_sets() -> list[tuple[str, Path, Path]]:
    """``(name, video, ground_truth.json)`` of every set present."""
    found = []
    for name, folder in lecture_sets():
        truth = folder / "ground_truth.json"
        video = folder / json.loads(truth.read_text())["video"]
        if video.is_file():
            found.append((name, video, truth))
    return found


def text_in(segments: list, t0: float, t1: float) -> str:
    return " ".join(text for a, b, text in segments if t0 <= (a + b) / 2 < t1)


def scores(segments: list, truth: dict) -> tuple[float, float | None]:
    from keyclip.eval.index_metrics import word_error_rate

    slides = [s for s in truth["segments"] if s.get("narration")]
    ref = " ".join(n["text"] for s in slides for n in s["narration"])
    hyp = " ".join(text_in(segments, s["start"], s["end"]) for s in slides)
    narration = word_error_rate(ref, hyp)
    needles = truth.get("needles") or []
    if not needles:
        return narration, None
    ref = " ".join(n["transcript"] for n in needles)
    hyp = " ".join(text_in(segments, n["start"] - 0.5, n["end"] + 0.5) for n in needles)
    return narration, word_error_rate(ref, hyp)


def run_child(video: Path, batch: int) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(video), str(batch)], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"speech run failed on {video} (batch {batch}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[0, 8], help="batch sizes (0 = sequential)")
    parser.add_argument("--sets", nargs="+", help="only these sets (dev, seta, …)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    console = Console()
    sets = [x for x in find_sets() if not args.sets or x[0] in args.sets]
    if not sets:
        raise SystemExit("no evaluation sets found (../shared/eval/dev, devsets/out/*; build one with devsets/build.sh)")
    rows = []
    for name, video, truth_path in sets:
        truth = json.loads(truth_path.read_text())
        for batch in args.batch:
            console.print(f"[bold]{name}[/]: batch {batch} …")
            out = run_child(video, batch)
            narration, needles = scores(out["segments"], truth)
            rows.append({"set": name, "duration": truth["duration"], "batch": batch, "seconds": out["seconds"],
                         "load_seconds": out["load_seconds"], "peak_rss_mb": out["peak_rss_mb"],
                         "segments": len(out["segments"]), "narration_wer": narration, "needles_wer": needles})
    table = Table("set", "decoder", "seconds", "real-time factor", "peak RSS (MiB)", "segments", "narration WER",
                  "needles WER", "speed-up", title="keyclip speech benchmark (all cores, one run)")
    for row in rows:
        base = next(r for r in rows if r["set"] == row["set"])
        table.add_row(row["set"], "sequential" if not row["batch"] else f"batched ({row['batch']})",
                      f"{row['seconds']:.1f}", f"{row['seconds'] / row['duration']:.3f}", f"{row['peak_rss_mb']:.0f}",
                      str(row["segments"]), f"{100 * row['narration_wer']:.1f} %",
                      "" if row["needles_wer"] is None else f"{100 * row['needles_wer']:.1f} %",
                      f"{base['seconds'] / row['seconds']:.2f}x")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
