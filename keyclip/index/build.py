"""Build a video's index once, in stages, resumably; reuse it for every question.

Stages: ``scenes`` (scenes, clips, keyframes, picture measures), ``ocr``, ``objects`` - all fed
by one streamed decode on a lower-priority thread - beside ``speech`` on a thread of its own with
every core (``_threads``); then ``voices`` (voice turns: their prints are made on the lower-priority
thread once the visual pass is done, from each part of the transcript as it is settled, and
grouped when speech ends), ``kinds`` (each scene's
kind, from the stored measures, text and detections), ``classes`` (an image classifier on the
keyframes of footage, when configured), ``embed`` and ``frames``. Each stage is keyed by a
fingerprint of its options and models (and of the stages it reads), is committed in one
transaction as soon as it finishes (speech from its own thread, while the visual pass may still
run), and is skipped when already done: a kill at any moment loses at most the stages in
progress, a re-run resumes from the finished ones, and an unchanged file with unchanged settings
is a cache hit. A full disk, at any stage, is a
``CacheError`` (exit 4) naming the free space.

Example:
    >>> from keyclip.index.build import build_index
    >>> result = build_index("talk.mp4", Settings())     # doctest: +SKIP
    >>> result.cache_hit, result.index_path               # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout

from keyclip import __version__
from keyclip.errors import CacheError, InputError, KeyclipError, out_of_space
from keyclip.index.models import IndexModels
from keyclip.index.store import IndexStore
from keyclip.logs import logger
from keyclip.media.hashing import content_hash
from keyclip.media.probe import MediaInfo, probe
from keyclip.settings import Settings

VISUAL_STAGES = ("scenes", "ocr", "objects")
ALL_STAGES = ("scenes", "speech", "ocr", "objects", "kinds", "classes", "voices", "embed", "frames")


class Progress(Protocol):
    """What a build reports while it works (the CLI draws it with rich)."""

    def start(self, stage: str, total: float | None) -> None: ...
    def update(self, stage: str, done: float) -> None: ...
    def finish(self, stage: str, note: str = "") -> None: ...
    def notice(self, message: str) -> None: ...


class SilentProgress:
    def start(self, stage: str, total: float | None) -> None: ...
    def update(self, stage: str, done: float) -> None: ...
    def finish(self, stage: str, note: str = "") -> None: ...
    def notice(self, message: str) -> None:
        logger.info(message)


@dataclass
class BuildResult:
    video: str
    content_hash: str
    index_path: Path
    media: MediaInfo
    cache_hit: bool
    stages_run: list[str]
    stage_seconds: dict[str, float]
    seconds: float
    counts: dict[str, int]
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "video": self.video,
            "content_hash": self.content_hash,
            "index_path": str(self.index_path),
            "duration": self.media.duration,
            "cache_hit": self.cache_hit,
            "stages_run": self.stages_run,
            "stage_seconds": self.stage_seconds,
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "notices": self.notices,
            "media": self.media.to_dict(),
        }


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def package_version(dist: str) -> str:
    """An installed distribution's version, or ``absent``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def stage_fingerprints(s: Settings) -> dict[str, str]:
    """Fingerprint of each stage: its options, its model versions, and what it reads."""
    from keyclip.backends.registry import DetectorFiles, detector_files

    scenes = _hash("scenes/2", s.decode.fingerprint(), s.scenes.fingerprint(), s.clips.fingerprint(),
                   package_version("scenedetect-headless"))
    ocr = _hash("ocr/2", scenes, s.ocr.fingerprint(), package_version("rapidocr"), package_version("paddleocr"))
    found = detector_files(s)
    detector_id = None
    if isinstance(found, DetectorFiles):
        library = "ultralytics" if found.backend == "ultralytics" else "opencv-python-headless"
        detector_id = ([(f.name, f.stat().st_size) for f in found.files], found.backend, package_version(library))
    objects = _hash("objects/4", scenes, s.detect.fingerprint(), detector_id)
    from keyclip.tools.scene_kinds import RULES_VERSION

    kinds = _hash("kinds", RULES_VERSION, scenes, ocr, objects)
    # off, the stage reads nothing: it does not re-run when the kinds change
    classes = _hash("classes/1", s.classify.fingerprint(),
                    (kinds, package_version("ai-edge-litert")) if s.classify.model else None)
    speech = (_hash("speech/2", s.speech.fingerprint(), package_version("faster-whisper"), package_version("ctranslate2"))
              if s.speech.source == "asr" else _hash(f"speech/{s.speech.source}/1", s.speech.fingerprint()))
    voices = _hash("voices/3", speech, s.voices.fingerprint(), voice_model_id(s))
    embed = _hash("embed/1", s.embed.fingerprint(), speech, ocr, objects)
    frames = _hash("frames/1", scenes, s.scorer.model, package_version("transformers") if s.scorer.model else None)
    return {"scenes": scenes, "ocr": ocr, "objects": objects, "kinds": kinds, "classes": classes, "speech": speech,
            "voices": voices, "embed": embed, "frames": frames}


def voice_model_id(s: Settings) -> object:
    from keyclip.backends.registry import voice_model_file

    found = voice_model_file(s)
    return (found.name, found.stat().st_size, package_version("onnxruntime")) if isinstance(found, Path) else found


def index_dir_for(digest: str, s: Settings) -> Path:
    """The video's index folder; speech from subtitles (or none) has its own, beside the default one."""
    base = s.cache_dir / "videos" / digest[:24]
    if s.speech.source == "asr":
        return base
    return base.with_name(f"{base.name}-{s.speech.source}-{s.speech.fingerprint()[:10]}")


def _seed_from_sibling(folder: Path, digest: str, s: Settings) -> None:
    """A new index of a video that already has one with another speech source starts as a copy
    of it (the default one first, else the newest), so only speech and what reads it (voices,
    embeddings) are made again."""
    db = folder / "index.sqlite"
    if db.exists():
        return
    videos = s.cache_dir / "videos"
    siblings = sorted((f for f in (p / "index.sqlite" for p in videos.glob(f"{digest[:24]}-*") if p != folder)
                       if f.is_file()), key=lambda f: f.stat().st_mtime, reverse=True)
    default = videos / digest[:24] / "index.sqlite"
    base = next((f for f in (default, *siblings) if f.is_file()), None)
    if base is None:
        return
    tmp = folder / "index.sqlite.seed"
    try:
        source = sqlite3.connect(f"file:{base}?mode=ro", uri=True, timeout=30)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # consistent even while another process writes it
            finally:
                target.close()
        finally:
            source.close()
        seeded = IndexStore.open(tmp)
        try:
            seeded.forget_speech()
        finally:
            seeded.close()
        tmp.replace(db)
    except (sqlite3.Error, KeyclipError):  # a damaged or busy sibling: build this one from scratch
        tmp.unlink(missing_ok=True)


def finished_index(video: str | os.PathLike, settings: Settings) -> Path | None:
    """The index of ``video`` if every stage is done with the current settings, else None.
    Reads no media (the content hash is memoised by file identity after the first time)."""
    try:
        db = index_dir_for(content_hash(Path(video), settings.cache_dir), settings) / "index.sqlite"
        if not db.is_file():
            return None
        store = IndexStore.open(db, readonly=True)
    except (KeyclipError, OSError):
        return None
    try:
        fingerprints = stage_fingerprints(settings)
        done = all(store.stage_fingerprint(name) == fingerprints[name] for name in ALL_STAGES)
    except sqlite3.Error:  # just created by another process, or damaged: a build will sort it out
        done = False
    finally:
        store.close()
    return db if done else None


def _prepare_dir(path: Path) -> None:
    blocking = next((q for q in (path, *path.parents) if q.exists() and not q.is_dir()), None)
    if blocking is not None:
        raise CacheError(f"cache folder {path} cannot be made: {blocking} is a file; set KEYCLIP_CACHE_DIR to a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        # a uniquely named probe: concurrent builds share this folder
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise CacheError(
            f"cache folder {path} is not writable ({exc.strerror}); set KEYCLIP_CACHE_DIR to a writable folder"
        ) from exc


def build_index(video: str | os.PathLike, settings: Settings, progress: Progress | None = None,
                models: IndexModels | None = None, on_commit: Callable[[str, Path], None] | None = None) -> BuildResult:
    """Index ``video`` (or find its index) and return where it is and what was done.

    ``models`` lets a caller that indexes many videos keep its models loaded between them.
    ``on_commit(stage, index_path)`` is called as each stage is committed (speech from its own
    thread): from then on a reader of the index sees that stage (``keyclip.index.partial``); and
    with ``"speech:part"`` as each window of the transcript is (a long video's first answers).

    Raises:
        InputError: the file is missing or not usable media.
        CacheError: the cache folder cannot be written.
        ModelMissingError: a required model is not installed.
    """
    started = time.perf_counter()
    progress = progress or SilentProgress()
    media = probe(video)
    path = Path(media.path)
    try:
        _prepare_dir(settings.cache_dir)
        digest = content_hash(path, settings.cache_dir)
        folder = index_dir_for(digest, settings)
        _prepare_dir(folder)
        lock = FileLock(str(folder / "build.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            progress.notice(f"{path.name}: another keyclip process is indexing this video; waiting for it")
            lock.acquire()
        try:
            _seed_from_sibling(folder, digest, settings)
            store = IndexStore.open(folder / "index.sqlite")
            try:
                return _build_locked(store, path, media, digest, settings, progress, started,
                                     models or IndexModels(settings), on_commit or (lambda stage, db: None))
            finally:
                store.close()
        finally:
            lock.release()
    except (sqlite3.Error, OSError) as exc:
        # a full disk, at any stage: each finished stage is committed, the one in progress is not
        full = out_of_space(settings.cache_dir, exc)
        if full is None:
            raise
        raise full from exc


def _build_locked(
    store: IndexStore,
    path: Path,
    media: MediaInfo,
    digest: str,
    s: Settings,
    progress: Progress,
    started: float,
    models: IndexModels,
    on_commit: Callable[[str, Path], None],
) -> BuildResult:
    fingerprints = stage_fingerprints(s)
    todo = [name for name in ALL_STAGES if store.stage_fingerprint(name) != fingerprints[name]]
    notices: list[str] = []
    stage_seconds: dict[str, float] = {}
    if todo:
        store.set_meta(content_hash=digest, media=media.to_dict(), keyclip_version=__version__,
                       paths=sorted({*(store.meta("paths") or []), str(path)}))

    def note(msg: str) -> None:
        notices.append(msg)
        progress.notice(msg)

    # speech, the single visual decode and the voice prints run on threads of their own, side
    # by side (see _threads)
    speech_future: Future | None = None
    visual_future: Future | None = None
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="keyclip-index")
    visual_todo = [name for name in VISUAL_STAGES if name in todo]
    with_speech = "speech" in todo and (media.audio is not None or s.speech.source != "asr")
    # only recognition is long enough to be worth the cores; cues from a file are read at once
    speech_threads, visual_threads, visual_nice = _threads(s, with_speech and s.speech.source == "asr",
                                                           bool(visual_todo and media.video))
    printer = _voice_printer(s, media, models) if with_speech and media.audio and "voices" in todo else None
    printed: dict | None = None
    try:
        if "speech" in todo:
            if not with_speech:
                store.mark_skipped("speech", fingerprints["speech"], "no audio stream")
                note(f"{path.name}: no audio stream, speech stage skipped")
            else:
                speech_future = pool.submit(_run_speech, path, media, s, models, speech_threads, progress, stop,
                                            store.path, fingerprints, printer, on_commit, note)
        # voice prints need only the audio and the settled transcript: they are made beside
        # speech as it settles, at the visual pass's lower priority (whichever of the two ends first)
        printer_future = None if printer is None else pool.submit(_lowered(10, printer.run), path, stop.is_set)
        if visual_todo:
            from keyclip.index.visual_pass import run_visual_pass, stored_layout

            layout = None if "scenes" in visual_todo else stored_layout(store)
            visual_future = pool.submit(_lowered(visual_nice, run_visual_pass), path, media, s, visual_todo, store,
                                        visual_threads, progress, note, models, stop.is_set, layout)
            # committed here, on the store's own thread, scenes first
            for name, (secs, write) in visual_future.result().items():
                write(fingerprint=fingerprints[name])
                stage_seconds[name] = secs
                on_commit(name, store.path)
        if speech_future is not None:
            stage_seconds |= speech_future.result()
        if printer_future is not None:
            faster, _ = models.voice_encoder(threads=s.cpu_threads)
            if faster is not None:
                printer.speed_up(faster)
            printed = _printed(printer_future, note)
    except BaseException:
        stop.set()  # Ctrl-C or a failure: the other thread stops at its next frame or segment
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

    from keyclip.index.classes import run_classes
    from keyclip.index.kinds import run_kinds
    from keyclip.index.voices import run_voices

    later = {
        "kinds": lambda: run_kinds(store, fingerprints["kinds"]),
        "classes": lambda: run_classes(store, s, fingerprints["classes"], progress, note, models),
        "voices": lambda: run_voices(store, path, media, s, fingerprints["voices"], progress, note, models, printed),
        "embed": lambda: _run_embed(store, s, fingerprints["embed"], progress, models),
        "frames": lambda: _run_frames(store, s, fingerprints["frames"], progress, models),
    }
    for name, run in later.items():
        if name in todo and name not in stage_seconds:
            stage_seconds[name] = run()
            on_commit(name, store.path)

    return BuildResult(
        video=str(path),
        content_hash=digest,
        index_path=store.path,
        media=media,
        cache_hit=not todo,
        stages_run=todo,
        stage_seconds=stage_seconds,
        seconds=time.perf_counter() - started,
        counts=store.counts(),
        notices=notices,
    )


def _threads(s: Settings, speech: bool, visual: bool) -> tuple[int, int, int]:
    """``(speech threads, visual threads, visual nice)`` for a build that runs these passes.

    ``speech-first`` (the default): speech recognition gets every core and the visual pass one
    thread at a lower scheduling priority, so it fills the cores speech leaves idle (its VAD,
    feature extraction and hand-overs) and takes them over once speech is done; speech, the
    longer pass, then runs at nearly its all-cores speed. ``split``: half the cores each, at the
    same priority (the schedule before issue 17)."""
    cores = s.cpu_threads
    if not (speech and visual):
        return cores, cores, 0
    if s.schedule == "split":
        return max(1, cores // 2), max(1, cores - cores // 2), 0
    return cores, max(1, cores - 1), 10


def _lowered(nice: int, work):
    """``work`` run at ``nice`` more than the process: the calling thread only, and every thread
    it starts (a thread inherits its creator's priority on Linux). Elsewhere, or when the system
    refuses, ``work`` runs unchanged."""
    def run(*args):
        if nice and hasattr(os, "setpriority"):
            try:
                # relative to the process (its main thread), not to this thread: a pool thread
                # that ran lowered work before is not lowered twice
                base = os.getpriority(os.PRIO_PROCESS, os.getpid())
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, base + nice))
            except OSError:
                pass
        return work(*args)
    return run


def _voice_printer(s: Settings, media: MediaInfo, models: IndexModels):
    """A :class:`VoicePrinter` on one thread, or None without a voice encoder (the voices stage
    then says why)."""
    from keyclip.index.voices import VoicePrinter

    encoder, _ = models.voice_encoder(threads=1)
    return None if encoder is None else VoicePrinter(encoder, s, media.duration)


def _printed(future: Future, note: Callable[[str], None]) -> dict | None:
    """The voice prints made beside speech; on a failure there, None (the voices stage prints
    every turn itself)."""
    try:
        return future.result()
    except InterruptedError:
        raise
    except Exception as exc:  # the stage itself runs again after speech and reports its own failure
        logger.warning("voice prints beside speech failed: %s", exc)
        return None


def _run_speech(path: Path, media: MediaInfo, s: Settings, models: IndexModels, threads: int, progress: Progress,
                stop: threading.Event, db_path: Path, fingerprints: dict[str, str], printer,
                on_commit: Callable[[str, Path], None], note: Callable[[str], None]) -> dict[str, float]:
    """Transcribe on this thread's own connection, committing the transcript so far after each
    window (``speech.chunk_s`` of audio) and the whole of it at the end: readers see each part at
    once, and a build killed in the middle resumes after the last part it committed (a kill
    during the visual pass keeps the whole transcript). Each settled part of the transcript goes
    to ``printer`` (a :class:`VoicePrinter`, or None) as it is final. Returns the stage's seconds."""
    from dataclasses import asdict

    if s.speech.source != "asr":
        return _speech_without_asr(media, s, progress, db_path, fingerprints["speech"], printer, on_commit)
    t = time.perf_counter()
    fingerprint = fingerprints["speech"]
    store = IndexStore.open(db_path)
    try:
        part = store.speech_part()
        prior, start_at, language, before = [], 0.0, None, 0.0
        if part and part.get("fingerprint") == fingerprint:  # resume after the committed part
            prior, start_at, language, before = store.speech(), part["until"], part["language"], part["seconds"]
            note(f"{path.name}: speech resumed at {start_at / 60:.1f} min (the transcript before it was kept)")
        progress.start("speech", media.duration)
        if printer is not None:
            printer.add(prior, start_at)

        def keep_part(segments: list, until: float, info) -> None:
            store.write_speech(fingerprint, before + time.perf_counter() - t, prior + segments, asdict(info),
                               until=until)
            on_commit("speech:part", db_path)

        try:
            asr = models.asr(threads=threads)
            segments, info = asr.transcribe(path, on_progress=lambda done: progress.update("speech", done),
                                            should_stop=stop.is_set, on_settled=printer.add if printer else None,
                                            on_window=keep_part, start_at=start_at, language=language)
        finally:
            if printer is not None:
                printer.done()
        secs = {"speech": time.perf_counter() - t}
        details = asdict(info) | ({"resumed_at": start_at, "seconds_before": before} if start_at else {})
        if start_at and part:
            details["language_probability"] = part.get("language_probability") or details["language_probability"]
        store.write_speech(fingerprint, before + secs["speech"], prior + segments, details)
        progress.finish("speech", f"{len(prior) + len(segments)} segments, language {info.language}")
        if info.damage:
            note(info.damage)
        on_commit("speech", db_path)
    finally:
        store.close()
    return secs


def _speech_without_asr(media: MediaInfo, s: Settings, progress: Progress, db_path: Path, fingerprint: str,
                        printer, on_commit: Callable[[str, Path], None]) -> dict[str, float]:
    """The speech stage from a subtitle file's cues (``speech.source = "subtitles"``), or empty
    (``"none"``). Cues have no word times: answers cite the cue."""
    from keyclip.media.subtitles import subtitle_segments

    t = time.perf_counter()
    progress.start("speech", media.duration)
    try:
        if s.speech.source == "subtitles":
            if s.speech.subtitles is None:
                raise InputError("speech.source is 'subtitles' but no subtitle file is set (speech.subtitles)")
            segments = subtitle_segments(s.speech.subtitles, s.speech.subtitle_offset, media.duration)
            info = {"source": "subtitles", "file": str(s.speech.subtitles), "offset": s.speech.subtitle_offset,
                    "cues": len(segments)}
        else:
            segments, info = [], {"source": "none"}
        if printer is not None:
            printer.add(segments, media.duration)
    finally:
        if printer is not None:
            printer.done()
    secs = time.perf_counter() - t
    store = IndexStore.open(db_path)
    try:
        store.write_speech(fingerprint, secs, segments, info)
    finally:
        store.close()
    progress.finish("speech", f"{len(segments)} subtitle cues" if s.speech.source == "subtitles" else "no speech "
                                                                                                       "(speech.source = none)")
    on_commit("speech", db_path)
    return {"speech": secs}


def _run_embed(store: IndexStore, s: Settings, fingerprint: str, progress: Progress, models: IndexModels) -> float:
    t = time.perf_counter()
    records = store.records()
    progress.start("embed", len(records))
    embedder = models.embedder(threads=s.cpu_threads)
    vectors = embedder.embed([r.text for r in records])
    secs = time.perf_counter() - t
    store.write_embeddings(fingerprint, secs, [r.id for r in records], vectors,
                           {"model": s.embed.model, "dim": embedder.dim, "records": len(records)})
    progress.finish("embed", f"{len(records)} records")
    return secs


def _run_frames(store: IndexStore, s: Settings, fingerprint: str, progress: Progress, models: IndexModels) -> float:
    """Keyframe embeddings for the image-text scorer, when one is configured."""
    if not s.scorer.model:  # also clears embeddings a previously configured scorer left
        store.write_keyframe_embeddings(fingerprint, 0.0, [], [], {"skipped": "no image-text scorer configured"})
        return 0.0
    t = time.perf_counter()
    keyframes = store.keyframes()
    progress.start("frames", len(keyframes))
    scorer = models.scorer()
    vectors = scorer.embed_images([jpeg for _, _, _, jpeg in keyframes])
    secs = time.perf_counter() - t
    store.write_keyframe_embeddings(fingerprint, secs, [k[0] for k in keyframes], vectors,
                                    {"model": scorer.name, "keyframes": len(keyframes)})
    progress.finish("frames", f"{len(keyframes)} keyframes")
    return secs
