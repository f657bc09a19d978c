"""Index benchmark: seconds, real-time factor and peak RSS per stage, with the floors beside them.

    .venv/bin/python bench/index_bench.py            # sample lecture + dev lecture (if present)
    .venv/bin/python bench/index_bench.py --long     # + the ~60-minute variant (needs ffmpeg)
    .venv/bin/python bench/index_bench.py --no-sample --no-dev --long-video long.mp4   # that variant only

Every measurement runs in a fresh child process (so peak RSS is that run's own), on a fresh
index cache, with the offline default models. Rows:

- ``index (cold)``: a full build; per-stage seconds are wall times of stages that overlap
  (speech runs beside the visual decode), so they do not add up to the total.
- ``cache hit``: the same file again (the whole CLI-free call, model loading excluded as none
  is needed).
- ``answering while indexing``: another cold build, asking a question on another thread as soon
  as speech is committed: when speech was committed, when that first answer was given, when the
  visual pass was committed, and the whole build (the question's work slows it a little).
- ``floor: decode only``: the streamed decode alone (same decoder settings), no analysis.
- ``floor: ASR only``: faster-whisper alone on the file's audio, all cores.

Real-time factor = wall seconds / video seconds (lower is better).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "eval" / "dev"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from keyclip.settings import Settings
mode, video, cache = sys.argv[1], sys.argv[2], Path(sys.argv[3])
s = Settings(cache_dir=cache)
t = time.perf_counter()
out = {}
if mode == "index":
    from keyclip.index.build import build_index
    r = build_index(video, s)
    out = {"stage_seconds": r.stage_seconds, "cache_hit": r.cache_hit, "duration": r.media.duration,
           "counts": r.counts}
elif mode == "early":
    import threading
    from keyclip.agent.run import Asker
    from keyclip.index.build import build_index
    marks = {}
    def ask_early(db):
        with Asker(db, video, s) as asker:
            asker.ask("what is this lecture about?")
        marks["first_answer"] = time.perf_counter() - t
    def on_commit(stage, db):
        marks.setdefault(stage, time.perf_counter() - t)
        if stage in ("speech", "speech:part") and "asker" not in marks:
            marks["asker"] = threading.Thread(target=ask_early, args=(db,))
            marks["asker"].start()
    r = build_index(video, s, on_commit=on_commit)
    marks.pop("asker").join()
    out = {"speech_committed": marks["speech"], "first_answer": marks["first_answer"],
           "speech_part_committed": marks.get("speech:part"),
           "visual_committed": marks.get("objects", marks.get("ocr"))}
elif mode == "decode":
    from keyclip.media.frames import stream_frames
    out = {"frames": sum(1 for _ in stream_frames(video, skip_nonref=s.decode.skip_nonref))}
elif mode == "asr":
    from keyclip.backends.registry import make_asr
    segs, info = make_asr(s).transcribe(video)
    out = {"segments": len(segs)}
out["seconds"] = time.perf_counter() - t
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(mode: str, video: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, str(video), str(cache)], capture_output=True,
                          text=True, env=env, cwd=REPO)
    if proc.returncode:
        raise SystemExit(f"{mode} failed on {video}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_video(video: Path, label: str, models: Path, work: Path) -> list[tuple]:
    from keyclip.media.probe import probe

    duration = probe(video).duration
    cache = work / f"cache-{label}"
    cache.mkdir()
    (cache / "models").symlink_to(models, target_is_directory=True)
    cold = child("index", video, cache)
    hit = child("index", video, cache)
    early_cache = work / f"cache-{label}-early"
    early_cache.mkdir()
    (early_cache / "models").symlink_to(models, target_is_directory=True)
    early = child("early", video, early_cache)
    decode = child("decode", video, cache)
    asr = child("asr", video, cache)
    rows = [(label, "index (cold), total", cold["seconds"], cold["peak_rss_mb"])]
    for stage, secs in cold["stage_seconds"].items():
        rows.append((label, f"  stage: {stage}", secs, None))
    rows += [
        (label, "cache hit", hit["seconds"], hit["peak_rss_mb"]),
        (label, "answering while indexing: first transcript window committed",
         early.get("speech_part_committed") or early["speech_committed"], None),
        (label, "  first answer (from speech)", early["first_answer"], None),
        (label, "  whole transcript committed", early["speech_committed"], None),
        (label, "  visual pass committed", early["visual_committed"], None),
        (label, "  whole index", early["seconds"], early["peak_rss_mb"]),
        (label, "floor: decode only", decode["seconds"], decode["peak_rss_mb"]),
        (label, "floor: ASR only (all cores)", asr["seconds"], asr["peak_rss_mb"]),
    ]
    return [(lab, what, secs, rss, duration) for lab, what, secs, rss in rows]


def build_long(out: Path) -> Path | None:
    script = DEV / "build_long.sh"
    if not script.is_file():
        return None
    if subprocess.run(["which", "ffmpeg"], capture_output=True).returncode:
        raise SystemExit("--long needs ffmpeg (apt-get install ffmpeg) to run build_long.sh")
    subprocess.run(["bash", str(script), str(out)], check=True, capture_output=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="also the ~60-minute dev variant")
    parser.add_argument("--long-video", type=Path, help="an already built long variant (instead of building one)")
    parser.add_argument("--no-dev", action="store_true", help="skip the dev lecture")
    parser.add_argument("--no-sample", action="store_true", help="skip the generated sample")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    console = Console()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models = work / "models"
        models.mkdir()
        from keyclip.samples import make_sample_lecture

        sample = work / "sample.mp4"
        make_sample_lecture(sample)
        videos = [] if args.no_sample else [(sample, "sample (27 s)")]
        if DEV.is_dir() and not args.no_dev:
            videos.append((DEV / "hash_tables_lecture.mp4", "dev lecture (8.5 min)"))
        if args.long or args.long_video:
            long_video = args.long_video or build_long(work / "long.mp4")
            if long_video:
                videos.append((long_video, "dev long (59 min)"))
        for video, label in videos:
            console.print(f"[bold]benchmarking[/] {label} …")
            rows += bench_video(video, label, models, work)
    table = Table("video", "measure", "seconds", "real-time factor", "× ASR floor", "peak RSS (MiB)",
                  title="keyclip index benchmark (offline defaults, one run)")
    floors = {label: secs for label, what, secs, _, _ in rows if what.startswith("floor: ASR")}
    for label, what, secs, rss, duration in rows:
        table.add_row(label, what, f"{secs:.2f}", f"{secs / duration:.3f}", f"{secs / floors[label]:.2f}",
                      f"{rss:.0f}" if rss else "")
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps([dict(zip(("video", "measure", "seconds", "peak_rss_mb", "duration"), r))
                                         for r in rows], indent=2))


if __name__ == "__main__":
    main()
