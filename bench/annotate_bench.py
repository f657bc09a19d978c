"""Annotate benchmark: throughput (video-hours per wall-hour) and peak RSS per worker for the
local engine and for Ray on a local instance, each with 1 and 2 workers, on a batch cut from the
dev lecture.

    .venv/bin/python bench/annotate_bench.py [--parts 4] [--json results.json]

The dev lecture is cut into ``--parts`` videos (re-encoded with PyAV, so each is a different
file with its own index). Each configuration runs ``app.py annotate`` in a child process on a
fresh index cache (model files shared), cold: it indexes every video, loads models once per
worker, and writes every output. Wall time includes starting workers (and Ray), loading models
and writing outputs. One run each; the machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "eval" / "dev" / "hash_tables_lecture.mp4"


def cut(src: Path, dst: Path, t0: float, t1: float) -> None:
    """[t0, t1) of ``src`` re-encoded (H.264 + AAC) into ``dst``."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        rate = int(round(float(vin.average_rate)))
        vout = out.add_stream("libx264", rate=rate, options={"preset": "veryfast", "crf": "28", "g": str(2 * rate)})
        vout.width, vout.height, vout.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        aout = out.add_stream("aac", rate=ain.codec_context.sample_rate, layout="mono")
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=ain.codec_context.sample_rate)
        n = 0
        for frame in inp.decode(vin):
            t = float(frame.pts * frame.time_base)
            if t < t0 or t >= t1:
                continue
            f = frame.reformat(format="yuv420p")
            f.pts, f.time_base = n, Fraction(1, rate)
            n += 1
            out.mux(vout.encode(f))
        out.mux(vout.encode())
        inp.seek(0)
        sr = ain.codec_context.sample_rate
        written = 0
        for frame in inp.decode(ain):
            t = float(frame.pts * frame.time_base)
            if t < t0 or t >= t1:
                continue
            for r in resampler.resample(frame):
                r.pts, r.time_base = written, Fraction(1, sr)
                written += r.samples
                out.mux(aout.encode(r))
        out.mux(aout.encode())


def make_batch(folder: Path, parts: int) -> list[Path]:
    with av.open(str(DEV)) as c:
        duration = float(c.duration / 1e6)
    step = duration / parts
    videos = []
    for i in range(parts):
        dst = folder / f"dev_part{i + 1}.mp4"
        if not dst.exists():
            cut(DEV, dst, i * step, min(duration, (i + 1) * step))
        videos.append(dst)
    return videos


def run(config: str, videos: list[Path], work: Path, model_cache: Path) -> dict:
    cache = work / f"cache-{config}"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "models").exists():
        (cache / "models").symlink_to(model_cache, target_is_directory=True)
    engine, workers = {"local-1": ("local", "1"), "local-2": ("local", "2"), "ray-local-1": ("ray", "1"),
                       "ray-local-2": ("ray", "2")}[config]
    cmd = [sys.executable, str(REPO / "app.py"), "annotate", *map(str, videos), "--out", str(work / f"out-{config}"),
           "--engine", engine, "--workers", workers, "--json"]
    start = time.perf_counter()
    done = subprocess.run(cmd, env={**os.environ, "KEYCLIP_CACHE_DIR": str(cache)}, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{config} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    hours = report["hours_done"]
    return {"config": config, "workers": report["workers"], "videos": len(report["done"]), "video_hours": hours,
            "wall_s": wall, "throughput": hours / (wall / 3600), "peak_rss_mb": report["peak_rss_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--configs", default="local-1,local-2,ray-local-1,ray-local-2")
    parser.add_argument("--work", type=Path, help="folder for the batch, caches and outputs (default: a temp dir)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not DEV.is_file():
        raise SystemExit(f"dev lecture not found at {DEV}")
    work = args.work or Path(tempfile.mkdtemp(prefix="keyclip-annotate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    from keyclip.settings import Settings

    model_cache = Settings().cache_dir / "models"
    model_cache.mkdir(parents=True, exist_ok=True)
    console = Console()
    with console.status("cutting the dev lecture"):
        videos = make_batch(work, args.parts)
    rows = []
    for config in args.configs.split(","):
        with console.status(f"annotating with {config}"):
            rows.append(run(config, videos, work, model_cache))
        console.print(f"{config}: {rows[-1]['wall_s']:.0f} s")
    table = Table("engine", "workers", "videos", "video-hours", "wall s", "video-hours per wall-hour",
                  "peak RSS per worker (MiB)", title=f"annotate, {args.parts} parts of the dev lecture, cold caches")
    for r in rows:
        rss = ", ".join(f"{v:.0f}" for v in r["peak_rss_mb"].values())
        table.add_row(r["config"], str(r["workers"]), str(r["videos"]), f"{r['video_hours']:.3f}", f"{r['wall_s']:.0f}",
                      f"{r['throughput']:.2f}", rss)
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
