#!/usr/bin/env python3
"""Check a built set against its ground truth.

    python verify.py OUT_DIR [--report OUT_DIR/build/verify_report.json]

Checks
  1. ffprobe: container / stream durations, frame count, codecs, size
  2. scene cuts: ffmpeg select='gt(scene,0.3)' vs ground_truth cuts (hard cuts must be found within 2 frames)
  3. OCR: tesseract on a frame at every slide's mid time; the title words must be read
     (plus the scanned-page needle image: 'quick brown dog')
  4. audio alignment: the onset of every speech event in the decoded AAC track vs its ground-truth start
  5. qa.jsonl: schema, answer letter in range, spans inside the video
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SR = 48000


def sh(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw)


def norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def probe(video: Path) -> dict:
    out = sh(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
              "format=duration,size:stream=codec_type,codec_name,width,height,r_frame_rate,duration,nb_read_packets,sample_rate,channels",
              "-of", "json", video]).stdout
    return json.loads(out)


def scene_cuts(video: Path, thr: float = 0.3) -> list[float]:
    p = subprocess.run(["ffmpeg", "-hide_banner", "-i", str(video), "-an", "-vf",
                        f"select='gt(scene,{thr})',showinfo", "-f", "null", "-"],
                       capture_output=True, text=True, check=True)
    return [float(m.group(1)) for m in re.finditer(r"pts_time:([0-9.]+)", p.stderr)]


def ocr_frame(video: Path, at: float, tmp: Path) -> str:
    png = tmp / f"f_{at:.2f}.png"
    sh(["ffmpeg", "-v", "error", "-y", "-ss", f"{at:.3f}", "-i", video, "-frames:v", "1", png])
    return sh(["tesseract", png, "-", "--psm", "3"]).stdout


def decode_audio(video: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vn", "-f", "s16le", "-ac", "1", "-ar",
                          str(SR), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def onset_near(x: np.ndarray, t0: float, search: float = 0.5, win: float = 0.01) -> float | None:
    """First 10 ms window (within +-search s of t0) whose RMS exceeds a level set from the local context."""
    a = max(0, int((t0 - search) * SR))
    b = min(len(x), int((t0 + search) * SR))
    seg = x[a:b]
    w = int(win * SR)
    n = len(seg) // w
    if n < 4:
        return None
    r = np.sqrt((seg[: n * w].reshape(n, w) ** 2).mean(axis=1))
    thr = max(0.02, 0.15 * float(r.max()))
    idx = np.nonzero(r > thr)[0]
    return None if len(idx) == 0 else (a + idx[0] * w) / SR


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--report", type=Path)
    a = ap.parse_args()
    gt = json.loads((a.out / "ground_truth.json").read_text())
    video = a.out / gt["video"]
    rep: dict = {"video": gt["video"]}
    ok = True

    # 1. probe
    p = probe(video)
    v = next(s for s in p["streams"] if s["codec_type"] == "video")
    au = next(s for s in p["streams"] if s["codec_type"] == "audio")
    rep["probe"] = {"format_duration": float(p["format"]["duration"]), "size_bytes": int(p["format"]["size"]),
                    "video": {k: v.get(k) for k in ("codec_name", "width", "height", "r_frame_rate", "duration", "nb_read_packets")},
                    "audio": {k: au.get(k) for k in ("codec_name", "sample_rate", "channels", "duration")}}
    probe_ok = (int(v["nb_read_packets"]) == gt["frames"] and abs(float(v["duration"]) - gt["duration"]) < 0.02
                and abs(float(au["duration"]) - gt["duration"]) < 0.05 and v["width"] == gt["width"])
    rep["probe"]["ok"] = bool(probe_ok)
    ok &= probe_ok

    # 2. scene cuts
    det = scene_cuts(video)
    # cuts marked low_contrast (a real hard cut with little luma change) are reported, not required
    weak = [c["time"] for c in gt["cuts"] if c.get("low_contrast")]
    hard = [c["time"] for c in gt["cuts"] if not c.get("low_contrast")]
    tol = 0.081
    found = {c: min(det, key=lambda d: abs(d - c)) for c in hard}
    missed = [c for c in hard if abs(found[c] - c) > tol]
    grads = [(g["start"], g["end"]) for s in gt["segments"] for g in s.get("internal_gradual", [])]
    weak_found = [c for c in weak if any(abs(d - c) <= tol for d in det)]
    extra = [d for d in det if all(abs(d - c) > tol for c in hard + weak)]
    extra_explained = [d for d in extra if any(g0 - 0.1 <= d <= g1 + 0.1 for g0, g1 in grads)]
    footage = [(s["start"], s["end"]) for s in gt["segments"] if s["kind"] == "footage"]
    extra_in_footage = [d for d in extra if d not in extra_explained and any(f0 <= d <= f1 for f0, f1 in footage)]
    extra_other = [d for d in extra if d not in extra_explained and d not in extra_in_footage]
    rep["scene_cuts"] = {"threshold": 0.3, "expected_hard": len(hard), "detected": len(det),
                         "matched_within_2_frames": len(hard) - len(missed),
                         "max_abs_error_s": round(float(max(abs(found[c] - c) for c in hard if c not in missed)), 3),
                         "missed": missed, "extra_in_gradual_transitions": extra_explained,
                         **({"low_contrast_cuts": len(weak), "low_contrast_cuts_detected": len(weak_found)} if weak else {}),
                         "extra_inside_footage": extra_in_footage, "extra_elsewhere": extra_other,
                         "ok": bool(not missed and not extra_other)}
    ok &= rep["scene_cuts"]["ok"]

    # 3. OCR every slide at its mid time
    ocr = []
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for s in gt["segments"]:
            mid = round((s["start"] + s["end"]) / 2, 2)
            if s["kind"] == "slide":
                txt = ocr_frame(video, mid, tmp)
                want = norm(s["title"])
                got = norm(txt)
                bullets_hit = sum(1 for b in s["bullets"] if norm(b) in got)
                ocr.append({"id": s["id"], "t": mid, "title": s["title"], "title_read": want in got,
                            "bullets_read_exactly": f"{bullets_hit}/{len(s['bullets'])}",
                            "ocr_first_line": txt.strip().splitlines()[0] if txt.strip() else ""})
            elif s.get("image"):
                txt = ocr_frame(video, mid, tmp)
                # the page's own text: its first three words must be read
                want = " ".join(norm(s.get("visible_text", "")).split()[:3])
                if s.get("ocr_check"):  # optional phrase of the page to look for instead (additive)
                    want = norm(s["ocr_check"])
                ocr.append({"id": s["id"], "t": mid, "title": "(still image)",
                            "title_read": bool(want) and want in norm(txt),
                            "ocr_first_line": txt.strip().splitlines()[0] if txt.strip() else ""})
    rep["ocr"] = {"frames": len(ocr), "titles_read": sum(o["title_read"] for o in ocr), "items": ocr,
                  "ok": bool(all(o["title_read"] for o in ocr))}
    ok &= rep["ocr"]["ok"]

    # 4. audio onsets
    x = decode_audio(video)
    devs = []
    for e in gt["speech"]:
        o = onset_near(x, e["start"])
        devs.append(None if o is None else round(float(o - e["start"]), 3))
    good = [d for d in devs if d is not None]
    rep["audio_onsets"] = {"events": len(devs), "onset_found": len(good),
                           "median_dev_s": float(np.median(good)) if good else None,
                           "max_abs_dev_s": float(np.max(np.abs(good))) if good else None,
                           "ok": bool(len(good) == len(devs) and max(abs(d) for d in good) <= 0.12),
                           "worst": sorted(((abs(d), e["ref"], d) for d, e in zip(devs, gt["speech"]) if d is not None), reverse=True)[:5]}
    ok &= rep["audio_onsets"]["ok"]

    # 5. QA schema
    types = {}
    bad = []
    for line in (a.out / "qa.jsonl").read_text().splitlines():
        q = json.loads(line)
        need = {"id", "video", "question", "type", "answer_text", "answer_span", "options", "answer"}
        if not need <= q.keys() or q["answer"] not in "ABCD" or len(q["options"]) != 4 \
                or not (0 <= q["answer_span"][0] < q["answer_span"][1] <= gt["duration"] + 1e-6) \
                or q["video"] != gt["video"]:
            bad.append(q.get("id"))
        types[q["type"]] = types.get(q["type"], 0) + 1
    rep["qa"] = {"items": sum(types.values()), "by_type": types, "bad": bad, "ok": not bad}
    ok &= not bad
    rep["ok"] = bool(ok)
    text = json.dumps(rep, indent=1)
    if a.report:
        a.report.parent.mkdir(parents=True, exist_ok=True)
        a.report.write_text(text + "\n")
    summary = {k: (v.get("ok") if isinstance(v, dict) else v) for k, v in rep.items()}
    print(json.dumps(summary))
    print(json.dumps({"scene_cuts": {k: rep["scene_cuts"][k] for k in rep["scene_cuts"] if k != "ok"},
                      "ocr_titles": f"{rep['ocr']['titles_read']}/{rep['ocr']['frames']}",
                      "audio": rep["audio_onsets"], "qa": rep["qa"]["by_type"]}, indent=1))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
