"""Screen-text benchmark: what OCR reads and what it costs, per set and OCR configuration.

    .venv/bin/python bench/ocr_bench.py                  # every set found
    .venv/bin/python bench/ocr_bench.py --sets dev seta

For each set (``../shared/eval/dev`` and ``devsets/out/*``) one decode feeds the scene cutter
and one screen-text tracker per configuration, each OCR engine on one thread (as in the index,
where the other core runs speech). Rows: seconds spent in each tracker, OCR reads, and recall
against the ground truth: slide titles read inside their slide (as ``tests/test_dev_lecture.py``
checks) and bullets read inside their slide (a line at least 0.85 similar after
``normalise_words``, so a bullet revealed one by one counts once it is read).

Configurations: ``pp-ocr defaults`` (PP-OCR's own detector scaling, short side up to 736 px,
and its angle classifier, every changed frame read whole), ``keyclip, whole frames`` (the
current ``OCROptions`` but ``band_max = 0``) and ``keyclip`` (the current ``OCROptions``: a
change confined to a band of rows is read in that band only).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import lecture_sets  # noqa: E402


def find_sets() -> list[tuple[str, Path, dict]]:
    found = []
    for name, folder in lecture_sets():
        truth = json.loads((folder / "ground_truth.json").read_text())
        if (folder / truth["video"]).is_file():
            found.append((name, folder / truth["video"], truth))
    return found


def recall(spans, truth: dict) -> tuple[int, int, int, int]:
    """(titles read, titles, bullets read, bullets)."""
    from keyclip.eval.index_metrics import normalise_words

    slides = [s for s in truth["segments"] if s["kind"] == "slide"]
    titles = bullets = bullets_read = titles_read = 0
    for slide in slides:
        inside = [normalise_words(x.text) for x in spans if x.t0 < slide["end"] and x.t1 > slide["start"]]
        want = normalise_words(slide["title"])
        titles += 1
        titles_read += any(normalise_words(x.text) == want and slide["start"] - 0.5 <= x.t0 < slide["end"]
                           and x.t1 <= slide["end"] + 0.5 for x in spans)
        for bullet in slide.get("bullets") or []:
            b = normalise_words(bullet)
            bullets += 1
            bullets_read += any(difflib.SequenceMatcher(None, b, t).ratio() >= 0.85 for t in inside)
    return titles_read, titles, bullets_read, bullets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", help="only these sets (dev, seta, …)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()

    from keyclip.media.frames import stream_frames
    from keyclip.media.probe import probe
    from keyclip.settings import Settings
    from keyclip.tools.ocr import RapidOCREngine, ScreenTextTracker
    from keyclip.tools.scenes import SceneCutter

    s = Settings()
    whole = s.ocr.model_copy(update={"band_max": 0.0})
    configs = {
        "pp-ocr defaults": (lambda: RapidOCREngine(threads=1, side=None, angle_classifier=True), whole),
        "keyclip, whole frames": (
            lambda: RapidOCREngine(threads=1, side=s.ocr.width, angle_classifier=s.ocr.angle_classifier), whole),
        "keyclip": (lambda: RapidOCREngine(threads=1, side=s.ocr.width, angle_classifier=s.ocr.angle_classifier), s.ocr),
    }
    console = Console()
    rows = []
    sets = [x for x in find_sets() if not args.sets or x[0] in args.sets]
    if not sets:
        raise SystemExit("no evaluation sets found (../shared/eval/dev, devsets/out/*; build one with devsets/build.sh)")
    for name, video, truth in sets:
        console.print(f"[bold]{name}[/] …")
        media = probe(video)
        cutter = SceneCutter(s.scenes, media.video.average_fps)
        trackers = {label: ScreenTextTracker(make(), options) for label, (make, options) in configs.items()}
        seconds = dict.fromkeys(trackers, 0.0)
        for frame in stream_frames(video, skip_nonref=s.decode.skip_nonref):
            cutter.add(frame)
            for label, tracker in trackers.items():
                t = time.perf_counter()
                tracker.add(frame)
                seconds[label] += time.perf_counter() - t
        cuts = [x.t0 for x in cutter.finish(media.duration)[1:]]
        for label, tracker in trackers.items():
            spans = tracker.finish(media.duration, cuts)
            tr, tn, br, bn = recall(spans, truth)
            rows.append({"set": name, "config": label, "seconds": seconds[label], "duration": media.duration,
                         "reads": tracker.reads, "band_reads": tracker.band_reads, "samples": tracker.samples,
                         "spans": len(spans),
                         "titles": [tr, tn], "bullets": [br, bn]})
    table = Table("set", "OCR configuration", "seconds", "real-time factor", "reads", "of them bands", "s / read", "spans",
                  "titles read", "bullets read", title="keyclip screen-text benchmark (one OCR thread, one run)")
    for r in rows:
        table.add_row(r["set"], r["config"], f"{r['seconds']:.1f}", f"{r['seconds'] / r['duration']:.3f}",
                      f"{r['reads']}/{r['samples']}", str(r["band_reads"]), f"{r['seconds'] / max(1, r['reads']):.2f}",
                      str(r["spans"]),
                      "{}/{}".format(*r["titles"]), "{}/{}".format(*r["bullets"]))
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
