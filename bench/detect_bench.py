"""Detector bench: each COCO detector keyclip can load, on generated frames with known objects
and on the real footage of every evaluation lecture present; one table per measure.

    python bench/detect_bench.py [--json]

- **Generated frames**: the real photographs in ``tests/data/objects`` (a person, a cat, a cup;
  scikit-image samples, public domain / CC0) pasted at known boxes, three sizes and two places,
  onto a flat slide-like background and onto a textured one; plus plain slides with text (no
  object). A detection is right when its class is the pasted one and its centre lies inside the
  pasted box. Per class: precision, recall.
- **Real footage**: every footage, still-image and slide segment of each lecture set found
  (``../shared/eval/dev`` and ``devsets/out/*``), a frame per second, the detector at the
  index's settings. The classes each segment shows were written from the sets' ground-truth
  descriptions (``EXPECTED`` below: must be found; ``ALLOWED``: may be, not scored); any other
  class reported in at least two frames of a segment is a wrong class. Per set: segment-level
  recall of expected classes, wrong classes, detections on slides.
- ms per frame (median, 640-px frames, 2 threads), measured in the same run for every detector;
  each detector runs once at the lowest of ``THRESHOLDS`` and is scored at each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import lecture_sets  # noqa: E402
from keyclip.backends.registry import make_detector  # noqa: E402
from keyclip.settings import Settings  # noqa: E402

DETECTORS = ("packaged:yolov3-tiny", "packaged:ssd-mobilenet-v2")
THRESHOLDS = (0.35, 0.5, 0.6)
"""Each detector runs once at the lowest; its boxes are scored at each minimum confidence."""
OBJECTS = {"person": "person.jpg", "cat": "cat.jpg", "cup": "cup.jpg"}

# segment id -> classes it shows, written from each set's ground-truth description (the same id
# means the same source clip in every set); vans are a car or a truck to a COCO detector
EXPECTED: dict[str, set[str]] = {
    "f_courtyard": {"person", "car|truck"},         # dev: pedestrians on a path, white vans behind
    "f_street": {"person", "bicycle", "car|truck"},  # seta/setb: street montage: traffic, a cyclist, parked bicycles
    "f_car": {"person"},                           # seta/setb: a man in a suit and bow tie talking in a car
    "f_cyclist": {"person", "bicycle"},            # setc: a cyclist rides past a goal, two onlookers
    "f_ball": {"sports ball"},                     # setc: a tennis ball bounces against a board
}
ALLOWED: dict[str, set[str]] = {
    "f_courtyard": {"car", "truck", "bus"},
    "f_street": {"car", "truck", "bus", "traffic light", "motorcycle"},
    "f_car": {"car", "tie"},
    "f_cyclist": {"sports ball"},
    "f_ball": {"person"},                          # the hand that lets it go
    "f_tree": {"person", "potted plant"},          # seta: a tree through a window; a hand enters near the end
    "f_puck": {"person"},                          # setc: a hand lets go of a puck on an air table
}
# f_city (night skyscrapers), f_bunny (an animated rabbit: not a COCO class), n_* (photographed
# pages and a road sign) and every slide show no COCO object: anything reported there is wrong


def detector(spec: str):
    found, why = make_detector(Settings(detect={"weights": spec, "min_confidence": min(THRESHOLDS)}))
    if found is None:
        print(f"{spec}: skipped ({why})", file=sys.stderr)
    return found


def generated_frames() -> list[tuple[np.ndarray, str | None, tuple[float, float, float, float] | None]]:
    """(frame, class, box) with a pasted photograph, or (frame, None, None) for a plain slide."""
    rng = np.random.default_rng(7)
    frames = []
    h, w = 360, 640
    for label, name in OBJECTS.items():
        photo = cv2.imread(str(ROOT / "tests" / "data" / "objects" / name))
        for background in ("flat", "texture"):
            for size in (0.35, 0.55, 0.8):
                for place in (0.25, 0.7):
                    if background == "flat":
                        frame = np.full((h, w, 3), (236, 228, 220), np.uint8)
                    else:
                        noise = rng.normal(0, 1, (h // 8, w // 8, 3)).astype(np.float32)
                        frame = cv2.resize(np.clip(128 + 40 * noise, 0, 255).astype(np.uint8), (w, h))
                    ph = int(size * h)
                    pw = int(photo.shape[1] * ph / photo.shape[0])
                    x0 = int(place * w - pw / 2)
                    x0 = min(max(0, x0), w - pw)
                    y0 = (h - ph) // 2
                    frame[y0:y0 + ph, x0:x0 + pw] = cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_AREA)
                    frames.append((frame, label, (x0 / w, y0 / h, (x0 + pw) / w, (y0 + ph) / h)))
    for i in range(6):  # slides: title and bullet text, no object
        frame = np.full((h, w, 3), (250, 250, 250) if i % 2 else (60, 40, 30), np.uint8)
        ink = (20, 20, 20) if i % 2 else (240, 240, 240)
        cv2.putText(frame, f"Lecture {i + 1}: Key Ideas", (30, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.1, ink, 2)
        for j in range(4):
            cv2.putText(frame, f"- point {j + 1} about the topic", (50, 130 + 50 * j), cv2.FONT_HERSHEY_SIMPLEX,
                        0.8, ink, 2)
        frames.append((frame, None, None))
    return frames


def run_generated(det, frames, times: list[float]) -> list:
    out = []
    for frame, label, box in frames:
        t = time.perf_counter()
        out.append((det.detect(frame, 0.0), label, box))
        times.append((time.perf_counter() - t) * 1000)
    return out


def score_generated(results, threshold: float) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for found, label, box in results:
        found = [d for d in found if d.confidence >= threshold]
        hit = False
        for d in found:
            c = counts.setdefault(d.label, {"tp": 0, "fp": 0, "fn": 0})
            cx, cy = (d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2
            right = label == d.label and box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
            if right and not hit:
                c["tp"] += 1
                hit = True
            elif not right:
                c["fp"] += 1
        if label and not hit:
            counts.setdefault(label, {"tp": 0, "fp": 0, "fn": 0})["fn"] += 1
    return counts


def segment_frames(video: Path, seg: dict, every: float = 1.0, slide_frames: int = 1):
    cap = cv2.VideoCapture(str(video))
    times = ([(seg["start"] + seg["end"]) / 2] if seg["kind"] == "slide" else
             list(np.arange(seg["start"] + 0.3, seg["end"] - 0.1, every)))[:max(slide_frames, 10_000)]
    for t in times:
        cap.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
        ok, frame = cap.read()
        if ok:
            h, w = frame.shape[:2]
            yield t, cv2.resize(frame, (640, round(h * 640 / w)), interpolation=cv2.INTER_AREA)
    cap.release()


def run_footage(det, folder: Path, times: list[float]) -> list:
    """(segment, [detections per frame]) for every segment of a set."""
    gt = json.loads((folder / "ground_truth.json").read_text())
    out = []
    for seg in gt["segments"]:
        per_frame = []
        for _, frame in segment_frames(folder / gt["video"], seg):
            t = time.perf_counter()
            per_frame.append(det.detect(frame, 0.0))
            times.append((time.perf_counter() - t) * 1000)
        out.append((seg, per_frame))
    return out


def score_footage(results, threshold: float) -> dict:
    out = {"expected": 0, "found": 0, "wrong": [], "slide_detections": 0, "slides": 0, "missed": []}
    for seg, per_frame in results:
        seen: dict[str, int] = {}
        for found in per_frame:
            found = [d for d in found if d.confidence >= threshold]
            for label in {d.label for d in found}:
                seen[label] = seen.get(label, 0) + 1
            if seg["kind"] == "slide":
                out["slide_detections"] += len(found)
        if seg["kind"] == "slide":
            out["slides"] += 1
            continue
        expected = EXPECTED.get(seg["id"], set())
        allowed = ALLOWED.get(seg["id"], set()) | {c for e in expected for c in e.split("|")}
        for e in expected:
            out["expected"] += 1
            if any(seen.get(c, 0) >= 1 for c in e.split("|")):
                out["found"] += 1
            else:
                out["missed"].append(f"{seg['id']}:{e}")
        out["wrong"] += [f"{seg['id']}:{c}({n})" for c, n in sorted(seen.items()) if c not in allowed and n >= 2]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cv2.setNumThreads(2)
    frames = generated_frames()
    sets = lecture_sets()
    report = {}
    for spec in DETECTORS:
        det = detector(spec)
        if det is None:
            continue
        times: list[float] = []
        generated = run_generated(det, frames, times)
        footage = {name: run_footage(det, folder, times) for name, folder in sets}
        for threshold in THRESHOLDS:
            report[f"{spec.removeprefix('packaged:')} @{threshold}"] = {
                "generated": score_generated(generated, threshold),
                "real": {name: score_footage(r, threshold) for name, r in footage.items()},
                "ms_per_frame": round(statistics.median(times), 1), "frames": len(times)}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print("Generated frames (pasted photographs; plain slides), per class: precision / recall (tp, fp, fn)")
    classes = sorted({c for r in report.values() for c in r["generated"]})
    print("| detector | ms/frame | " + " | ".join(classes) + " |")
    print("|---|---|" + "---|" * len(classes))
    for spec, r in report.items():
        cells = []
        for c in classes:
            k = r["generated"].get(c, {"tp": 0, "fp": 0, "fn": 0})
            p = k["tp"] / (k["tp"] + k["fp"]) if k["tp"] + k["fp"] else float("nan")
            rc = k["tp"] / (k["tp"] + k["fn"]) if k["tp"] + k["fn"] else float("nan")
            cells.append(f"{p:.2f} / {rc:.2f} ({k['tp']}, {k['fp']}, {k['fn']})")
        print(f"| {spec} | {r['ms_per_frame']} | " + " | ".join(cells) + " |")
    print("\nReal footage, per set: expected classes found (segment level), wrong classes (>= 2 frames), "
          "detections on slides (one frame per slide)")
    print("| detector | set | expected found | wrong classes | slide detections | missed |")
    print("|---|---|---|---|---|---|")
    for spec, r in report.items():
        for name, x in r["real"].items():
            print(f"| {spec} | {name} | {x['found']}/{x['expected']} | {', '.join(x['wrong']) or '-'} | "
                  f"{x['slide_detections']} on {x['slides']} | {', '.join(x['missed']) or '-'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
