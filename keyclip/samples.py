"""A small synthetic lecture with known ground truth: rendered slides, espeak-ng narration,
and a moving segment, encoded with PyAV (H.264 + AAC). Used by the README's first command and
by the tests, so nothing large is committed.

Example:
    >>> from keyclip.samples import make_sample_lecture
    >>> truth = make_sample_lecture(Path("sample.mp4"))     # doctest: +SKIP
    >>> truth.cuts                                          # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FPS = 25
AUDIO_RATE = 22050


@dataclass(frozen=True)
class Slide:
    title: str
    bullets: tuple[str, ...]
    narration: tuple[str, ...]
    background: tuple[int, int, int]
    foreground: tuple[int, int, int]


DEFAULT_SLIDES = (
    Slide(
        "Hash Tables in Ten Seconds",
        ("Keys map to buckets", "Average lookup is constant time"),
        ("Welcome. Today we talk about hash tables.", "A hash table maps every key to a bucket."),
        (35, 61, 46), (240, 240, 240),
    ),
    Slide(
        "Collisions and Chaining",
        ("Two keys, one bucket", "Each bucket keeps a short list"),
        ("When two keys land in the same bucket, we call it a collision.",
         "Separate chaining keeps a small list in every bucket."),
        (220, 238, 251), (20, 30, 60),
    ),
    Slide(
        "Load Factor",
        ("Entries divided by buckets", "Resize when it passes three quarters"),
        ("The load factor is the number of entries divided by the number of buckets.",),
        (60, 30, 70), (250, 235, 200),
    ),
)


@dataclass
class SampleTruth:
    """Where everything in the generated video is, in seconds."""

    path: str
    duration: float
    width: int
    height: int
    cuts: list[float]
    slides: list[dict] = field(default_factory=list)
    """title, bullets, start, end, narration [{text, start, end}]"""
    motion: tuple[float, float] | None = None
    has_audio: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def _font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def render_slide(slide: Slide, width: int, height: int, number: int) -> np.ndarray:
    img = Image.new("RGB", (width, height), slide.background)
    draw = ImageDraw.Draw(img)
    draw.text((int(width * 0.06), int(height * 0.08)), slide.title, font=_font(int(height * 0.085)), fill=slide.foreground)
    body = _font(int(height * 0.055))
    for i, bullet in enumerate(slide.bullets):
        draw.text((int(width * 0.09), int(height * (0.34 + 0.13 * i))), f"- {bullet}", font=body, fill=slide.foreground)
    draw.text((int(width * 0.88), int(height * 0.9)), f"{number}/{len(DEFAULT_SLIDES)}", font=_font(int(height * 0.04)),
              fill=slide.foreground)
    return np.asarray(img)


def _speak(text: str, workdir: Path) -> np.ndarray | None:
    """espeak-ng speech as int16 mono at AUDIO_RATE, or None when espeak-ng is not installed."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    out = workdir / "s.wav"
    subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(out), text], check=True, capture_output=True)
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if rate != AUDIO_RATE:
        idx = np.linspace(0, len(pcm) - 1, int(len(pcm) * AUDIO_RATE / rate)).astype(int)
        pcm = pcm[idx]
    nz = np.flatnonzero(np.abs(pcm) > 300)  # trim silence
    return pcm[nz[0] : nz[-1] + 1] if nz.size else pcm


def make_sample_lecture(
    out: Path,
    width: int = 640,
    height: int = 360,
    slides: tuple[Slide, ...] = DEFAULT_SLIDES,
    motion_s: float = 4.0,
    with_audio: bool = True,
    with_video: bool = True,
) -> SampleTruth:
    """Write a small lecture video to ``out`` and return its ground truth.

    Layout: slide 1, slide 2, a moving-shapes segment of ``motion_s`` seconds, slide 3; hard cuts
    between segments; each sentence starts 0.5 s into its slide, 0.5 s apart; 1 s tail.
    """
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        speech = [[_speak(s, Path(tmp)) if with_audio else None for s in sl.narration] for sl in slides]
    has_audio = with_audio and all(p is not None for ps in speech for p in ps)
    # timeline (whole frames)
    segments: list[tuple[str, int, float, float]] = []  # kind, slide idx, start, end
    t = 0.0
    placed: list[list[tuple[float, float]]] = []
    for i, sl in enumerate(slides):
        if i == len(slides) - 1 and motion_s > 0:
            segments.append(("motion", -1, t, t + motion_s))
            t += motion_s
        s0 = t
        cursor = s0 + 0.5
        times = []
        for k, text in enumerate(sl.narration):
            dur = (len(speech[i][k]) / AUDIO_RATE) if has_audio else 1.6 + 0.06 * len(text)
            times.append((round(cursor, 3), round(cursor + dur, 3)))
            cursor += dur + 0.5
        end = round(np.ceil((cursor + 0.5) * FPS) / FPS, 3)
        segments.append(("slide", i, s0, end))
        placed.append(times)
        t = end
    duration = t
    truth = SampleTruth(str(out), round(duration, 3), width, height,
                        cuts=[round(seg[2], 3) for seg in segments[1:]], has_audio=has_audio)
    for i, sl in enumerate(slides):
        seg = next(sg for sg in segments if sg[0] == "slide" and sg[1] == i)
        truth.slides.append({"title": sl.title, "bullets": list(sl.bullets), "start": seg[2], "end": seg[3],
                             "narration": [{"text": tx, "start": a, "end": b}
                                           for tx, (a, b) in zip(sl.narration, placed[i], strict=True)]})
    motion = next((sg for sg in segments if sg[0] == "motion"), None)
    truth.motion = (motion[2], motion[3]) if motion else None

    audio = np.zeros(int(round(duration * AUDIO_RATE)), dtype=np.int16)
    if has_audio:
        for i in range(len(slides)):
            for k, (a, _) in enumerate(placed[i]):
                pcm = speech[i][k]
                start = int(round(a * AUDIO_RATE))
                audio[start : start + len(pcm)] = pcm[: len(audio) - start]

    with av.open(str(out), "w") as container:
        vstream = None
        if with_video:
            vstream = container.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "30", "g": "50"})
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
        astream = None
        if has_audio:
            astream = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        if vstream is not None:
            rng = np.random.default_rng(7)
            for kind, idx, s0, s1 in segments:
                still = render_slide(slides[idx], width, height, idx + 1) if kind == "slide" else None
                for n in range(int(round(s0 * FPS)), int(round(s1 * FPS))):
                    if still is None:
                        img = Image.new("RGB", (width, height), (90, 140, 60))
                        d = ImageDraw.Draw(img)
                        ph = (n / FPS - s0) / max(motion_s, 1e-6)
                        for j in range(4):
                            x = int((0.1 + 0.8 * ((ph + j * 0.25) % 1.0)) * width)
                            d.ellipse((x - 30, height // 2 - 30 + 40 * (j - 2), x + 30, height // 2 + 30 + 40 * (j - 2)),
                                      fill=tuple(int(c) for c in rng.integers(80, 255, 3)))
                        frame_img = np.asarray(img)
                    else:
                        frame_img = still
                    frame = av.VideoFrame.from_ndarray(frame_img, format="rgb24")
                    frame.pts = n
                    frame.time_base = Fraction(1, FPS)
                    for packet in vstream.encode(frame):
                        container.mux(packet)
            for packet in vstream.encode():
                container.mux(packet)
        if astream is not None:
            step = 1024
            for start in range(0, len(audio), step):
                chunk = audio[start : start + step].reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
                frame.sample_rate = AUDIO_RATE
                frame.pts = start
                frame.time_base = Fraction(1, AUDIO_RATE)
                for packet in astream.encode(frame):
                    container.mux(packet)
            for packet in astream.encode():
                container.mux(packet)
    return truth
