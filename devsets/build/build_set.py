#!/usr/bin/env python3
"""Build one long-video QA evaluation set from a content file.

The content file (a Python module, e.g. ``content_dev.py``) defines ``META``,
``SLIDES``, ``FOOTAGE``, ``IMAGE_SEGMENTS``, ``TIMELINE`` and ``QA``.  This
script renders the slides with Pillow, speaks the narration with espeak-ng,
cuts the real footage / real speech "needles" with ffmpeg, lays everything on
one timeline whose every boundary is a whole number of 25 fps frames, and
writes:

    OUT/<video>.mp4            1280x720 H.264 + AAC (mono, 48 kHz)
    OUT/ground_truth.json      every segment, sentence, needle and cut, in seconds
    OUT/qa.jsonl               multiple-choice questions with evidence spans
    OUT/build_long.sh          ~60 min 640x360 variant builder (writes to $1)
    OUT/long_ground_truth.json where each copy starts in that variant

Times are exact by construction: a segment's length is chosen as a whole number
of frames (0.04 s), audio is mixed sample-accurately at 48 kHz (1920 samples per
frame), and every narration sentence is placed at a known sample offset.

Usage:
    python build_set.py content_dev.py OUT_DIR --work WORK_DIR [--sources sources.json] [--qa-only]
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FPS = 25
SR = 48000
SPF = SR // FPS  # audio samples per video frame (1920)
W, H = 1280, 720
FONT_DIR = Path(os.environ.get("EVAL_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_REG = FONT_DIR / "DejaVuSans.ttf"

# Narration layout inside a slide (seconds)
LEAD_IN = 0.8
GAP = 0.6
TAIL = 1.2
MIN_SLIDE = 20.0
MAX_SLIDE = 60.0

DARK = ["#1b2a49", "#1e4d2b", "#5c1a1b", "#2e2e38", "#3d2352", "#0f4c5c", "#4a3020", "#22313f", "#233d2e", "#402040"]
LIGHT = ["#f4ecd8", "#dceefb", "#fff5c2", "#d9f2e6", "#fde2cf", "#e6e6e6", "#f8dde6", "#e6e0f8", "#e8f5c8", "#d8ecec"]


# ----------------------------------------------------------------------------- helpers
def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def frames_for(seconds: float) -> int:
    """Smallest whole number of frames covering ``seconds``."""
    return int(math.ceil(round(seconds * FPS, 6)))


def t(sample: int) -> float:
    """Sample index at 48 kHz -> seconds, rounded to the microsecond."""
    return round(sample / SR, 6)


def r3(x: float) -> float:
    return round(float(x), 3)


def mmss(x: float) -> str:
    x = int(x)
    return f"{x // 60}:{x % 60:02d}"


def span_label(a: float, b: float) -> str:
    return f"{mmss(math.floor(a))}-{mmss(math.ceil(b))}"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_audio(src: Path, input_opts: list[str] | None = None, ss: float | None = None,
               dur: float | None = None) -> np.ndarray:
    """Decode any audio to mono float32 at 48 kHz with ffmpeg."""
    cmd = ["ffmpeg", "-v", "error"]
    if ss is not None:
        cmd += ["-ss", f"{ss:.6f}"]
    if dur is not None:
        cmd += ["-t", f"{dur:.6f}"]
    cmd += list(input_opts or []) + ["-i", str(src), "-vn", "-f", "s16le", "-ac", "1", "-ar", str(SR), "-"]
    raw = sh(cmd, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def frame_rms(x: np.ndarray, win: int = 960) -> np.ndarray:
    n = len(x) // win
    if n == 0:
        return np.zeros(0)
    return np.sqrt((x[: n * win].reshape(n, win) ** 2).mean(axis=1))


def trim_silence(x: np.ndarray, thr: float = 0.004, margin: int = 480) -> np.ndarray:
    """Cut leading/trailing near-silence (espeak output) keeping a 10 ms margin."""
    win = 240
    r = frame_rms(x, win)
    idx = np.nonzero(r > thr)[0]
    if len(idx) == 0:
        return x
    a = max(0, idx[0] * win - margin)
    b = min(len(x), (idx[-1] + 1) * win + margin)
    return x[a:b]


def speech_bounds(x: np.ndarray) -> tuple[int, int]:
    """Sample range of the voiced part of a real recording (20 ms RMS, adaptive threshold)."""
    win = 960
    r = frame_rms(x, win)
    floor = float(np.percentile(r, 10))
    thr = max(0.12 * float(r.max()), 3.0 * floor)
    idx = np.nonzero(r > thr)[0]
    return int(idx[0] * win), int(min(len(x), (idx[-1] + 1) * win))


def write_wav(path: Path, x: np.ndarray) -> None:
    y = np.clip(x, -1.0, 1.0)
    pcm = (y * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def tts(text: str, voice: str, speed: int, cache: Path) -> np.ndarray:
    """espeak-ng -> 48 kHz mono float32, silence trimmed; cached by text+voice+speed."""
    key = hashlib.sha1(f"{voice}|{speed}|{text}".encode()).hexdigest()[:16]
    wav = cache / f"{key}.wav"
    if not wav.exists():
        sh(["espeak-ng", "-v", voice, "-s", str(speed), "-w", wav, text])
    return trim_silence(load_audio(wav))


# ----------------------------------------------------------------------------- slides
def hex_rgb(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return tuple(int(c[i: i + 2], 16) for i in (0, 2, 4))


def luminance(rgb) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def shade(rgb, f: float):
    if f >= 0:
        return tuple(int(v + (255 - v) * f) for v in rgb)
    return tuple(int(v * (1 + f)) for v in rgb)


def wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w_ in words:
        trial = (cur + " " + w_).strip()
        if draw.textlength(trial, font=font) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = w_
    if cur:
        lines.append(cur)
    return lines


def render_slide(slide: dict, number: int, total: int, footer: str, path: Path) -> None:
    bg = hex_rgb(slide["bg"])
    dark = luminance(bg) < 128
    fg = (255, 255, 255) if dark else (20, 20, 28)
    sub = (225, 225, 235) if dark else (55, 55, 70)
    accent = hex_rgb(slide.get("accent", "#f0a830" if dark else "#c0392b"))
    img = Image.new("RGB", (W, H), bg)
    d = ImageDraw.Draw(img)
    f_foot = ImageFont.truetype(str(FONT_REG), 22)
    if slide.get("layout") == "title":
        f_t = ImageFont.truetype(str(FONT_BOLD), 68)
        f_s = ImageFont.truetype(str(FONT_REG), 38)
        lines = wrap(d, slide["title"], f_t, 1100)
        y = 170
        for ln in lines:
            d.text(((W - d.textlength(ln, font=f_t)) / 2, y), ln, font=f_t, fill=fg)
            y += 86
        y += 10
        d.rectangle([W / 2 - 220, y, W / 2 + 220, y + 6], fill=accent)
        y += 46
        for b in slide["bullets"]:
            d.text(((W - d.textlength(b, font=f_s)) / 2, y), b, font=f_s, fill=sub)
            y += 58
    else:
        band = shade(bg, -0.35) if dark else shade(bg, -0.10)
        d.rectangle([0, 0, W, 150], fill=band)
        d.rectangle([0, 150, W, 157], fill=accent)
        f_t = ImageFont.truetype(str(FONT_BOLD), 56)
        f_b = ImageFont.truetype(str(FONT_REG), 40)
        tl = wrap(d, slide["title"], f_t, 1160)
        if len(tl) > 1:
            f_t = ImageFont.truetype(str(FONT_BOLD), 46)
            tl = wrap(d, slide["title"], f_t, 1160)
        ty = 75 - (len(tl) * 58) / 2
        for ln in tl:
            d.text((60, ty), ln, font=f_t, fill=fg)
            ty += 58
        y = 215
        for b in slide["bullets"]:
            bl = wrap(d, b, f_b, 1080)
            d.ellipse([78, y + 16, 94, y + 32], fill=accent)
            for ln in bl:
                d.text((120, y), ln, font=f_b, fill=fg)
                y += 54
            y += 30
    d.text((60, H - 44), footer, font=f_foot, fill=sub)
    num = f"{number} / {total}"
    d.text((W - 60 - d.textlength(num, font=f_foot), H - 44), num, font=f_foot, fill=sub)
    img.save(path)


def render_image_segment(seg: dict, image_path: Path, path: Path) -> dict:
    bg = hex_rgb(seg.get("bg", "#2b2b2b"))
    img = Image.new("RGB", (W, H), bg)
    src = Image.open(image_path).convert("RGB")
    scale = min((W - 160) / src.width, (H - 80) / src.height)
    nw, nh = int(src.width * scale), int(src.height * scale)
    src = src.resize((nw, nh), Image.LANCZOS)
    x0, y0 = (W - nw) // 2, (H - nh) // 2
    img.paste(src, (x0, y0))
    img.save(path)
    return {"x": x0, "y": y0, "w": nw, "h": nh}


# ----------------------------------------------------------------------------- video pieces
X264_INTERMEDIATE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p",
                     "-r", str(FPS), "-an"]


def still_clip(png: Path, n_frames: int, out: Path) -> None:
    sh(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", str(FPS), "-i", png,
        "-frames:v", str(n_frames), "-vf", "format=yuv420p,setsar=1", *X264_INTERMEDIATE, out])


def footage_clip(src: Path, src_start: float, n_frames: int, out: Path, slow: int = 1) -> None:
    # optional slow: play the source `slow` times slower (each 25 fps source frame held `slow` frames; additive)
    pts = "setpts=PTS-STARTPTS" if slow == 1 else f"setpts=(PTS-STARTPTS)*{int(slow)}"
    vf = (f"trim=start={src_start:.6f},{pts},fps={FPS},"
          f"scale={W}:{H}:force_original_aspect_ratio=decrease:flags=lanczos,"
          f"pad={W}:{H}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p")
    if slow != 1:
        vf += ",tpad=stop_mode=clone:stop_duration=1"
    sh(["ffmpeg", "-v", "error", "-y", "-i", src, "-vf", vf, "-frames:v", str(n_frames),
        *X264_INTERMEDIATE, out])


def count_frames(path: Path) -> int:
    out = sh(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
              "stream=nb_read_packets", "-of", "csv=p=0", path], capture_output=True, text=True).stdout
    return int(out.strip().split(",")[0])


# ----------------------------------------------------------------------------- main build
def load_content(path: Path):
    spec = importlib.util.spec_from_file_location("content", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def resolve_sources(sources_json: Path) -> dict:
    srcs = json.loads(sources_json.read_text())
    root = os.environ.get("EVAL_SRC_ROOT")  # e.g. the folder filled by obtain_sources.sh (files named by key)
    for name, s in srcs.items():
        p = Path(root) / name if root else Path(s["path"])
        if not p.exists():
            sys.exit(f"source {name} missing at {p} (see README: 'Sources')")
        got = sha256(p)
        if got != s["sha256"]:
            sys.exit(f"source {name} at {p} has sha256 {got}, expected {s['sha256']}")
        s["resolved"] = p
    return srcs


def build(content_path: Path, out: Path, work: Path, sources_json: Path) -> None:
    C = load_content(content_path)
    META = C.META
    srcs = resolve_sources(sources_json)
    work.mkdir(parents=True, exist_ok=True)
    (work / "tts").mkdir(exist_ok=True)
    (work / "png").mkdir(exist_ok=True)
    (work / "clips").mkdir(exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    voice, speed = META.get("voice", "en-us"), META.get("speed", 150)

    # a slide may be shown again later: SLIDES["x2"] = dict(same_as="x", narration=[...]) reuses x's
    # title, bullets, layout, background and slide number with its own narration (additive; optional)
    for sid_, s_ in C.SLIDES.items():
        if s_.get("same_as"):
            base_ = C.SLIDES[s_["same_as"]]
            assert not base_.get("same_as"), f"{sid_}: same_as must name an original slide"
            for k_ in ("title", "bullets", "layout"):
                if k_ in base_:
                    s_.setdefault(k_, base_[k_])
    slide_ids = [s for s in C.TIMELINE if s in C.SLIDES and not C.SLIDES[s].get("same_as")]
    # alternate dark / light backgrounds so that every slide->slide cut is a large luma change
    rng_bg = random.Random(META["seed"])
    dark, light = DARK[:], LIGHT[:]
    rng_bg.shuffle(dark)
    rng_bg.shuffle(light)
    for i, sid in enumerate(slide_ids):
        C.SLIDES[sid].setdefault("bg", (dark if i % 2 == 0 else light)[(i // 2) % len(dark)])
    for sid_ in C.TIMELINE:
        if sid_ in C.SLIDES and C.SLIDES[sid_].get("same_as"):
            C.SLIDES[sid_].setdefault("bg", C.SLIDES[C.SLIDES[sid_]["same_as"]]["bg"])

    segments, audio_events, cut_log = [], [], []
    cursor = 0  # in frames
    clip_list = []
    for seg_index, sid in enumerate(C.TIMELINE):
        start_f = cursor
        start_s = start_f * SPF
        if sid in C.SLIDES:
            s = C.SLIDES[sid]
            number = slide_ids.index(s.get("same_as") or sid) + 1
            wavs = [tts(x, voice, speed, work / "tts") for x in s["narration"]]
            speech_len = sum(len(w_) for w_ in wavs) / SR + GAP * (len(wavs) - 1)
            dur = max(MIN_SLIDE, LEAD_IN + speech_len + TAIL)
            if dur > MAX_SLIDE:
                sys.exit(f"slide {sid} narration too long: {dur:.1f}s")
            n = frames_for(dur)
            png = work / "png" / f"{seg_index:02d}_{sid}.png"
            render_slide(s, number, len(slide_ids), META["footer"], png)
            clip = work / "clips" / f"{seg_index:02d}_{sid}.mp4"
            still_clip(png, n, clip)
            pos = start_s + int(round(LEAD_IN * SR))
            sentences = []
            for text_, w_ in zip(s["narration"], wavs):
                audio_events.append((pos, w_))
                sentences.append({"text": text_, "start": t(pos), "end": t(pos + len(w_))})
                pos += len(w_) + int(round(GAP * SR))
            seg = {"id": sid, "kind": "slide", "slide_number": number, "title": s["title"],
                   "bullets": s["bullets"], "background": s["bg"], "narration": sentences,
                   "narration_voice": f"espeak-ng -v {voice} -s {speed} (synthetic)"}
            if s.get("same_as"):
                seg["same_as"] = s["same_as"]  # the same slide shown again (same title, bullets, number)
        elif sid in C.FOOTAGE:
            f = C.FOOTAGE[sid]
            n = int(round(f["duration"] * FPS))
            assert abs(n / FPS - f["duration"]) < 1e-9, f"{sid}: duration must be a multiple of 1/{FPS}"
            src = srcs[f["source"]]["resolved"]
            clip = work / "clips" / f"{seg_index:02d}_{sid}.mp4"
            slow = int(f.get("slow", 1))  # optional slow-motion factor (additive; 1 = real time)
            assert slow >= 1 and (slow == 1 or f.get("audio", "silence") == "silence"), f"{sid}: slow needs audio=silence"
            footage_clip(src, f["source_start"], n, clip, slow=slow)
            seg_start = t(start_s)
            def m(x, f=f, seg_start=seg_start, slow=slow):
                return round(seg_start + (x - f["source_start"]) * slow, 6)
            src_end = f["source_start"] + n / FPS / slow
            seg = {"id": sid, "kind": "footage", "source": f["source"],
                   "source_start": f["source_start"], "source_end": round(src_end, 6),
                   "description": f["description"], "short_description": f.get("short", ""),
                   "visible_events": [{"id": e["id"], "what": e["what"],
                                       "start": max(seg_start, m(e["src"][0])),
                                       "end": min(round(seg_start + n / FPS, 6), m(e["src"][1])),
                                       "source_time": e["src"], "precision": e.get("precision", "+-0.1 s")}
                                      for e in f.get("events", [])],
                   "internal_cuts": sorted([{"time": m(c), "source_time": c, "type": "hard"}
                                            for c in f.get("internal_cuts_src", [])]
                                           # optional: real hard cuts whose luma change is too small for the detector
                                           + [{"time": m(c), "source_time": c, "type": "hard", "low_contrast": True}
                                              for c in f.get("low_contrast_cuts_src", [])],
                                           key=lambda c: c["time"]),
                   "internal_gradual": [{"start": m(a), "end": m(b), "source_time": [a, b], "type": ty}
                                        for a, b, ty in f.get("gradual_src", [])],
                   "audio": f.get("audio", "silence"), "needles": []}
            if slow != 1:  # output time = start + (t_src - source_start) * slow
                seg["slow_motion"] = {"factor": slow, "note": f"played {slow}x slower than recorded (each source frame held {slow} frames)"}
            if f.get("audio") == "source":
                a = load_audio(src, ss=f["source_start"], dur=n / FPS)
                a = a * (f.get("audio_gain", 0.5) / max(1e-6, float(np.abs(a).max())))
                audio_events.append((start_s, a[: n * SPF]))
                seg["audio_note"] = f.get("audio_note", "original soundtrack of the source (music / ambience, no speech)")
        elif sid in C.IMAGE_SEGMENTS:
            g = C.IMAGE_SEGMENTS[sid]
            n = int(round(g["duration"] * FPS))
            assert abs(n / FPS - g["duration"]) < 1e-9
            png = work / "png" / f"{seg_index:02d}_{sid}.png"
            box = render_image_segment(g, srcs[g["image"]]["resolved"], png)
            clip = work / "clips" / f"{seg_index:02d}_{sid}.mp4"
            still_clip(png, n, clip)
            seg = {"id": sid, "kind": g.get("kind", "needle"), "image": g["image"], "short_description": g.get("short", ""),
                   "image_box_px": box, "visible_text": g["visible_text"], "description": g["description"],
                   "needles": []}
            if g.get("ocr_check"):  # phrase verify.py must read on the page (default: its first 3 words)
                seg["ocr_check"] = g["ocr_check"]
        else:
            sys.exit(f"unknown timeline id {sid}")
        got = count_frames(clip)
        if got != n:
            sys.exit(f"{sid}: intermediate has {got} frames, expected {n}")
        # needles (real speech) placed at known offsets inside this segment
        spec_needles = (C.FOOTAGE.get(sid) or C.IMAGE_SEGMENTS.get(sid) or {}).get("needles", [])
        for nd in spec_needles:
            src = srcs[nd["source"]]["resolved"]
            # optional src_start / src_dur: use only that part of the recording (additive)
            a = load_audio(src, input_opts=srcs[nd["source"]].get("input_opts"),
                           ss=nd.get("src_start"), dur=nd.get("src_dur"))
            a = a * (nd.get("peak", 0.6) / max(1e-6, float(np.abs(a).max())))
            pos = start_s + int(round(nd["at"] * SR))
            assert pos + len(a) <= start_s + n * SPF, f"needle {nd['id']} overruns {sid}"
            audio_events.append((pos, a))
            b0, b1 = speech_bounds(a)
            seg["needles"].append({
                "id": nd["id"], "source": nd["source"], "transcript": nd["transcript"],
                "speaker": nd["speaker"], "clip_start": t(pos), "clip_end": t(pos + len(a)),
                "start": t(pos + b0), "end": t(pos + b1),
                "note": "start/end = voiced part (20 ms RMS); clip_* = whole inserted file",
                **({"source_start": nd["src_start"], "source_end": round(nd["src_start"] + len(a) / SR, 6)}
                   if nd.get("src_start") is not None else {})})
        cursor += n
        seg.update({"index": seg_index, "start": t(start_s), "end": t(cursor * SPF),
                    "frames": [start_f, cursor]})
        segments.append(seg)
        clip_list.append(clip)

    total_frames = cursor
    total_samples = total_frames * SPF
    duration = t(total_samples)

    # ---- audio mix
    mix = np.zeros(total_samples, dtype=np.float32)
    for pos, a in audio_events:
        mix[pos: pos + len(a)] += a[: total_samples - pos]
    wav = work / "audio.wav"
    write_wav(wav, mix)

    # ---- video: concat exact-length intermediates, encode once
    lst = work / "concat.txt"
    lst.write_text("".join(f"file '{c.resolve()}'\n" for c in clip_list))
    video = out / META["video"]
    sh(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", lst, "-i", wav,
        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "slow", "-crf", str(META.get("crf", 26)),
        "-pix_fmt", "yuv420p", "-r", str(FPS), "-g", "250", "-c:a", "aac", "-b:a", META.get("audio_bitrate", "64k"),
        "-ac", "1", "-ar", str(SR), "-movflags", "+faststart",
        "-metadata", f"title={META['title']}", "-metadata", "comment=synthetic lecture (espeak-ng TTS) + real footage/speech; see README.md",
        video])

    # ---- ground truth
    needles = [dict(nd, segment=s["id"], segment_kind=s["kind"]) for s in segments for nd in s.get("needles", [])]
    cuts = []
    for s in segments[1:]:
        prev = segments[s["index"] - 1]
        cuts.append({"time": s["start"], "type": "hard", "from": prev["id"], "to": s["id"]})
    for s in segments:
        for c in s.get("internal_cuts", []):
            cuts.append({"time": c["time"], "type": "hard (inside footage)", "from": s["id"], "to": s["id"],
                         **({"low_contrast": True} if c.get("low_contrast") else {})})
    cuts.sort(key=lambda c: c["time"])
    speech = []
    for s in segments:
        for i, x in enumerate(s.get("narration", [])):
            speech.append({"start": x["start"], "end": x["end"], "text": x["text"], "speaker": "lecturer",
                           "synthetic": True, "ref": f"{s['id']}#{i}"})
    for nd in needles:
        speech.append({"start": nd["start"], "end": nd["end"], "text": nd["transcript"], "speaker": nd["speaker"],
                       "synthetic": False, "ref": nd["id"]})
    speech.sort(key=lambda x: x["start"])
    gt = {
        "video": META["video"], "set": META["set_name"], "topic": META["title"],
        "duration": duration, "fps": FPS, "frames": total_frames, "width": W, "height": H,
        "audio": {"codec": "aac", "channels": 1, "sample_rate": SR},
        "time_base_note": ("All times in seconds from the start of the file. Segment boundaries are exact "
                           "(whole frames at 25 fps). Narration sentence times are the placement of each "
                           "silence-trimmed espeak-ng wav (exact to the sample). Needle start/end are the "
                           "voiced part of the real recording; visible_events in footage are hand-annotated "
                           "from the source (about +-0.1 s)."),
        "synthetic": "slides, lecture text and the lecturer's voice (espeak-ng) are synthetic; footage and needle speech are real recordings",
        "build_info": tool_versions(),
        "segments": segments, "needles": needles, "cuts": cuts, "speech": speech,
    }
    (out / "ground_truth.json").write_text(json.dumps(gt, indent=1, ensure_ascii=False) + "\n")

    # ---- QA
    qa = make_qa(C, gt)
    with open(out / "qa.jsonl", "w") as f:
        for q in qa:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")

    # ---- long variant
    write_long(out, META, duration, total_frames)
    print(json.dumps({"video": str(video), "duration": duration, "frames": total_frames,
                      "segments": len(segments), "qa": len(qa)}, indent=1))


def tool_versions() -> dict:
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
        except Exception as e:  # informational only
            return f"unknown ({e.__class__.__name__})"
    import PIL
    return {"ffmpeg": first_line(["ffmpeg", "-version"]), "espeak-ng": first_line(["espeak-ng", "--version"]),
            "pillow": PIL.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
            "builder": "build/build_set.py"}


# ----------------------------------------------------------------------------- QA
def make_qa(C, gt) -> list[dict]:
    segs = {s["id"]: s for s in gt["segments"]}
    needles = {n["id"]: n for n in gt["needles"]}

    def span(ref) -> tuple[float, float]:
        kind = ref[0]
        if kind == "sent":
            x = segs[ref[1]]["narration"][ref[2]]
            return x["start"], x["end"]
        if kind in ("slide", "seg"):
            s = segs[ref[1]]
            return s["start"], s["end"]
        if kind == "needle":
            n = needles[ref[1]]
            return n["start"], n["end"]
        if kind == "event":
            e = next(e for e in segs[ref[1]]["visible_events"] if e["id"] == ref[2])
            return e["start"], e["end"]
        if kind == "sents":  # several consecutive sentences of one slide
            xs = segs[ref[1]]["narration"][ref[2]: ref[3] + 1]
            return xs[0]["start"], xs[-1]["end"]
        raise ValueError(ref)

    def describe(ref) -> str:
        kind = ref[0]
        if kind == "sent":
            return f'lecturer on slide "{segs[ref[1]]["title"]}": "{segs[ref[1]]["narration"][ref[2]]["text"]}"'
        if kind == "slide":
            return f'slide "{segs[ref[1]]["title"]}"'
        if kind == "seg":
            s = segs[ref[1]]
            return f'{s["kind"]} segment: {s["description"].split(":")[0]}'
        if kind == "needle":
            n = needles[ref[1]]
            return f'real recording, {n["speaker"].split(" - ")[0]}: "{n["transcript"]}"'
        if kind == "event":
            e = next(e for e in segs[ref[1]]["visible_events"] if e["id"] == ref[2])
            return f'{e["what"]} (footage from {segs[ref[1]]["source"]})'
        return str(ref)

    def fill(text: str) -> str:
        def rep(m):
            what, sid = m.group(1), m.group(2)
            s = segs[sid]
            x = {"mid": (s["start"] + s["end"]) / 2, "start": s["start"] + 1, "end": s["end"] - 1}[what]
            return mmss(x)
        return re.sub(r"\{(mid|start|end):([a-z0-9_]+)\}", rep, text)

    rng = random.Random(C.META["seed"] * 7919)
    out = []
    letters = "ABCD"
    for i, q in enumerate(C.QA):
        ev_refs = q["evidence"] if isinstance(q["evidence"], list) else [q["evidence"]]
        ev = [span(r) for r in ev_refs]
        a_span = (min(e[0] for e in ev), max(e[1] for e in ev))
        answer_text = q.get("answer_text")
        if "options" in q:
            correct, distract = q["options"][0], q["options"][1:]
            answer_text = answer_text or correct
        else:  # time-span options generated from distractor refs
            correct = span_label(*span(ev_refs[0]))
            answer_text = answer_text or f"{correct} ({describe(ev_refs[0])})"
            distract = []
            for r in q["distract"]:
                lab = span_label(*span(r))
                ds = span(r)
                if ds[1] > a_span[0] and ds[0] < a_span[1]:
                    raise ValueError(f"QA {q['id']}: distractor {r} overlaps the answer span")
                distract.append(lab)
        assert len(distract) == 3 and len(set([correct] + distract)) == 4, q["id"]
        # consistency checks written in the content file
        if "order_refs" in q:  # these refs must occur in this order
            starts = [span(r)[0] for r in q["order_refs"]]
            assert starts == sorted(starts), f"QA {q['id']}: order check failed {starts}"
        if "count_term" in q:
            term = q["count_term"].lower()
            n = sum(1 for s in gt["segments"] if s["kind"] == "slide" and
                    term in (s["title"] + " " + " ".join(s["bullets"])).lower())
            assert str(n) == str(correct).split()[0], f"QA {q['id']}: count {n} != {correct}"
            hits = [s["id"] for s in gt["segments"] if s["kind"] == "slide" and
                    term in (s["title"] + " " + " ".join(s["bullets"])).lower()]
            assert sorted(hits) == sorted(r[1] for r in ev_refs), f"QA {q['id']}: evidence {hits}"
        # further optional count checks (additive): segments of one kind, distinct speakers, showings of a slide
        if "count_segments" in q:  # e.g. "footage": how many segments of that kind
            hits = [s["id"] for s in gt["segments"] if s["kind"] == q["count_segments"]]
            assert str(len(hits)) == str(correct).split()[0], f"QA {q['id']}: {len(hits)} {q['count_segments']} != {correct}"
            assert sorted(hits) == sorted(r[1] for r in ev_refs), f"QA {q['id']}: evidence {hits}"
        if q.get("count_speakers"):  # how many distinct voices are heard (lecturer + each needle speaker)
            n = len({x["speaker"] for x in gt["speech"]})
            assert str(n) == str(correct).split()[0], f"QA {q['id']}: {n} speakers != {correct}"
        if "count_bullets" in q:  # how many bullet points a slide lists
            n = len(segs[q["count_bullets"]]["bullets"])
            assert str(n) == str(correct).split()[0], f"QA {q['id']}: {n} bullets != {correct}"
        if "count_shown" in q:  # how many times a slide is on screen (the slide itself + its same_as repeats)
            hits = [s["id"] for s in gt["segments"] if s["kind"] == "slide" and
                    q["count_shown"] in (s["id"], s.get("same_as"))]
            assert str(len(hits)) == str(correct).split()[0], f"QA {q['id']}: shown {len(hits)} != {correct}"
            assert sorted(hits) == sorted(r[1] for r in ev_refs), f"QA {q['id']}: evidence {hits}"
        opts = [correct] + distract
        order = list(range(4))
        rng.shuffle(order)
        shuffled = [opts[k] for k in order]
        ans = letters[shuffled.index(correct)]
        out.append({
            "id": q["id"], "video": C.META["video"], "question": fill(q["q"]), "type": q["type"],
            "answer_text": fill(answer_text), "answer_span": [r3(a_span[0]), r3(a_span[1])],
            "options": [f"{letters[k]}. {o}" for k, o in enumerate(shuffled)], "answer": ans,
            "evidence_spans": [[r3(a), r3(b)] for a, b in ev],
            # what answering needs: "text" (speech / screen text carry it) or "sight" (only the
            # pixels do); "seen" names the COCO object classes that carry a sight question
            "needs": q.get("needs", "sight" if q["type"] == "visual" else "text"),
            **({"seen": list(q["seen"])} if q.get("seen") else {}),
        })
    ids = [q["id"] for q in out]
    assert len(ids) == len(set(ids))
    return out


# ----------------------------------------------------------------------------- long variant
LONG_SH = r'''#!/usr/bin/env bash
# Build the ~{minutes}-minute scaling-test variant of {video}: {copies} back-to-back copies at
# 640x360 / 25 fps (H.264 + AAC mono).  Usage: ./build_long.sh OUTPUT.mp4
# One 640x360 copy is encoded once (veryfast); the copies are then joined with the
# concat demuxer without re-encoding the video; the audio track is looped from PCM
# (sample exact) and encoded once.  Copy k starts at k * {duration} s exactly
# (see long_ground_truth.json): add that offset to any span in qa.jsonl / ground_truth.json.
set -euo pipefail
OUT="${{1:?usage: $0 OUTPUT.mp4}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$HERE/{video}"
COPIES={copies}
DUR={duration}
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ffmpeg -v error -y -i "$SRC" -an -vf "scale=640:360:flags=bilinear,setsar=1" -r 25 \
  -c:v libx264 -preset veryfast -crf 28 -g 250 -pix_fmt yuv420p -frames:v {frames} "$TMP/v.mp4"
ffmpeg -v error -y -i "$SRC" -vn -ac 1 -ar 48000 -af apad -t "$DUR" -c:a pcm_s16le "$TMP/a.wav"
for i in $(seq 1 "$COPIES"); do echo "file '$TMP/v.mp4'"; done > "$TMP/list.txt"
ffmpeg -v error -y -f concat -safe 0 -i "$TMP/list.txt" -stream_loop $((COPIES - 1)) -i "$TMP/a.wav" \
  -map 0:v -map 1:a -c:v copy -c:a aac -b:a 64k -t {total} \
  -movflags +faststart "$OUT"
ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$OUT"
'''


def write_long(out: Path, META: dict, duration: float, frames: int) -> None:
    copies = max(1, round(META.get("long_target_s", 3600) / duration))
    dur_s = f"{duration:.2f}"
    assert abs(float(dur_s) - duration) < 1e-9
    (out / "build_long.sh").write_text(LONG_SH.format(video=META["video"], copies=copies, duration=dur_s,
                                                       frames=frames, minutes=round(copies * duration / 60),
                                                       total=f"{copies * duration:.2f}"))
    os.chmod(out / "build_long.sh", 0o755)
    lg = {"built_by": "build_long.sh OUTPUT.mp4", "source_video": META["video"],
          "width": 640, "height": 360, "fps": FPS, "copies": copies,
          "copy_duration": duration, "total_duration": round(copies * duration, 6),
          "copy_starts": [round(k * duration, 6) for k in range(copies)],
          "how_to_offset": ("A span [a, b] from qa.jsonl / ground_truth.json occurs in copy k at "
                            "[a + copy_starts[k], b + copy_starts[k]]; every question's answer therefore "
                            "occurs once per copy (the content repeats verbatim)."),
          "copies_detail": [{"copy": k, "start": round(k * duration, 6), "end": round((k + 1) * duration, 6),
                             "content": META["video"]} for k in range(copies)]}
    (out / "long_ground_truth.json").write_text(json.dumps(lg, indent=1) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("content", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--sources", type=Path, default=Path(__file__).with_name("sources.json"))
    ap.add_argument("--qa-only", action="store_true",
                    help="only regenerate qa.jsonl from the content file and the existing ground_truth.json")
    a = ap.parse_args()
    if a.qa_only:
        C = load_content(a.content)
        gt = json.loads((a.out / "ground_truth.json").read_text())
        qa = make_qa(C, gt)
        with open(a.out / "qa.jsonl", "w") as f:
            for q in qa:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
        print(f"wrote {len(qa)} questions")
    else:
        build(a.content, a.out, a.work, a.sources)
