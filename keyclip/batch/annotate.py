"""Annotate one video: index it (or reuse its index: no second pass), then write its outputs,
each atomically, into its own folder of the archive's output directory.

Outputs: ``transcript.srt|vtt|json``, ``chapters.vtt|md``, ``slides.json``, ``summary.md`` and
``annotation.json`` (video metadata, models and versions, timings, the list of outputs), written
last, so a folder with ``annotation.json`` is complete.

Example:
    >>> result = annotate_video(Path("talk.mp4"), Path("out"), settings)   # doctest: +SKIP
    >>> result.folder, result.outputs                                      # doctest: +SKIP
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from keyclip import __version__
from keyclip.batch import transcript
from keyclip.batch.chapters import chapters_markdown, chapters_vtt, make_chapters
from keyclip.batch.files import write_json, write_text
from keyclip.batch.slides import distinct_slides
from keyclip.batch.summary import summarise, summary_markdown
from keyclip.index.build import Progress, build_index, package_version
from keyclip.index.models import IndexModels
from keyclip.index.store import IndexStore
from keyclip.settings import Settings

OUTPUTS = ("transcript.srt", "transcript.vtt", "transcript.json", "chapters.vtt", "chapters.md", "slides.json",
           "summary.md", "annotation.json")


@dataclass
class VideoResult:
    video: str
    content_hash: str
    folder: Path
    index_path: Path
    duration: float
    outputs: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"video": self.video, "content_hash": self.content_hash, "folder": str(self.folder),
                "index_path": str(self.index_path), "duration": self.duration, "outputs": self.outputs,
                "seconds": self.seconds, "counts": self.counts}


def folder_name(video: Path, digest: str) -> str:
    """``<stem>-<hash prefix>``: readable, and unique when two archives hold the same file name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", video.stem).strip("._")[:60] or "video"
    return f"{stem}-{digest[:12]}"


def _versions() -> dict[str, str]:
    found = {dist: package_version(dist) for dist in ("faster-whisper", "ctranslate2", "rapidocr", "onnxruntime",
                                                      "sentence-transformers", "scenedetect-headless",
                                                      "ultralytics", "av")}
    return {"keyclip": __version__, **{d: v for d, v in found.items() if v != "absent"}}


def annotate_video(video: Path, out_dir: Path, settings: Settings, models: IndexModels | None = None,
                   progress: Progress | None = None, llm=None) -> VideoResult:
    """Index ``video`` if needed and write its annotation folder under ``out_dir``.

    Raises the index build's errors (InputError for a file that is not usable media, ...).
    """
    started = time.perf_counter()
    built = build_index(video, settings, progress, models=models)
    index_s = time.perf_counter() - started
    folder = out_dir / folder_name(Path(video), built.content_hash)
    t = time.perf_counter()
    store = IndexStore.open(built.index_path, readonly=True)
    try:
        duration = built.media.duration
        segments = store.speech()
        stages = store.stages()
        language = (stages.get("speech", {}).get("info") or {}).get("language")
        slides = distinct_slides(store.ocr_spans())
        chapters = make_chapters(store, settings.annotate, duration, slides, llm=llm)
        scenes = [{"start": round(r.t0, 3), "end": round(r.t1, 3), "kind": r.kind} for r in store.scene_rows()]
        seen = [{"start": round(o.first_t, 3), "end": round(o.last_t, 3), "label": o.label, "count": o.count,
                 "at_once": o.at_once} for o in store.seen_objects()]
        voices = [{"start": round(a, 3), "end": round(b, 3), "voice": v} for a, b, v in store.voices() if v is not None]
        prose, keys, method = summarise(store, chapters, settings.annotate, slides, llm=llm)
    finally:
        store.close()
    name = Path(video).name
    write_text(folder / "transcript.srt", transcript.to_srt(segments))
    write_text(folder / "transcript.vtt", transcript.to_vtt(segments))
    write_json(folder / "transcript.json", transcript.to_json(segments, language))
    write_text(folder / "chapters.vtt", chapters_vtt(chapters))
    write_text(folder / "chapters.md", chapters_markdown(chapters, name))
    write_json(folder / "slides.json", {"video": name, "slides": [s.to_dict() for s in slides]})
    write_text(folder / "summary.md", summary_markdown(name, duration, chapters, prose, keys, method))
    write_s = time.perf_counter() - t
    seconds = {"index": round(index_s, 3), "annotate": round(write_s, 3),
               "index_stages": {k: round(v, 3) for k, v in built.stage_seconds.items()}}
    counts = {"speech_segments": len(segments), "chapters": len(chapters), "slides": len(slides)}
    write_json(folder / "annotation.json", {
        "video": {"path": str(Path(video).resolve()), "name": name, "content_hash": built.content_hash,
                  **built.media.to_dict()},
        "index": {"path": str(built.index_path), "cache_hit": built.cache_hit, "stages_run": built.stages_run,
                  "stages": {k: {"fingerprint": v.get("fingerprint"), "seconds": v.get("seconds"),
                                 "info": {i: x for i, x in (v.get("info") or {}).items() if i != "checked_t"}}
                             for k, v in stages.items()}},
        "models": {"speech": settings.speech.model, "ocr": settings.ocr.backend, "detector": settings.detect.weights,
                   "voices": settings.voices.model,
                   "text_embedder": settings.embed.model, "llm": getattr(llm, "name", None)},
        "versions": _versions(),
        "language": language,
        "keywords": keys,
        "chapters": [c.to_dict() for c in chapters],
        "scenes": scenes,
        "seen": seen,
        "voices": {"count": len({v["voice"] for v in voices}), "segments": voices},
        "counts": counts,
        "seconds": seconds,
        "outputs": list(OUTPUTS),
    })
    return VideoResult(str(video), built.content_hash, folder, built.index_path, duration, list(OUTPUTS),
                       seconds, counts)
