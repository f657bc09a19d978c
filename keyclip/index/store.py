"""The per-video index: one SQLite file (WAL), written stage by stage in transactions.

Each ``write_*`` call replaces one stage's tables, its ``records`` rows and its ``stages`` row
in a single transaction, so a crash or Ctrl-C mid-build leaves the previous consistent state.

Example:
    >>> store = IndexStore.open(Path("index.sqlite"))          # doctest: +SKIP
    >>> store.stage_fingerprint("speech")                       # doctest: +SKIP
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keyclip.errors import IndexError_, out_of_space
from keyclip.index.schema import migrate


@dataclass(frozen=True)
class Record:
    id: int
    kind: str
    t0: float
    t1: float
    text: str


@dataclass(frozen=True)
class Clip:
    id: int
    scene_id: int
    t0: float
    t1: float


@dataclass(frozen=True)
class SceneRow:
    t0: float
    t1: float
    kind: str | None
    """slide, screen recording, footage, still image or talking head."""
    features: dict


@dataclass(frozen=True)
class SeenRow:
    clip_id: int
    label: str
    count: int
    at_once: int
    first_t: float
    last_t: float
    confidence: float
    best_t: float
    best_box: tuple[float, float, float, float]


def rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already (it does on a full disk, and
    a second ROLLBACK would hide that error behind 'no transaction is active')."""
    if db.in_transaction:
        db.execute("ROLLBACK")


class IndexStore:
    """A per-video index database. Use from one thread."""

    def __init__(self, db: sqlite3.Connection, path: Path, readonly: bool = False):
        self.db = db
        self.path = path
        self.readonly = readonly
        self._memo: dict[str, object] = {}
        """Read-only stores memoise records and embeddings (one question reads them per sub-query)."""
        self._memo_of: tuple | None = None
        """What the index held when ``_memo`` was begun (see :meth:`refresh`)."""

    @classmethod
    def open(cls, path: Path, readonly: bool = False) -> IndexStore:
        """Open (and migrate, unless ``readonly``) the index at ``path``.

        Raises:
            IndexError_: the file is not an index keyclip can read.
        """
        try:
            if readonly:
                # a reader may be handed between threads by a caller that uses it from one at a
                # time (the chat app asks under a lock from gradio's worker threads)
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                     check_same_thread=False)
            else:
                db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            if not readonly:
                migrate(db)
        except (sqlite3.DatabaseError, RuntimeError) as exc:
            full = out_of_space(path.parent, exc)
            if full is not None:  # a new index the disk had no room for is not a damaged one
                raise full from exc
            raise IndexError_(f"{path}: not a readable keyclip index ({exc}); delete it to rebuild") from exc
        return cls(db, path, readonly=readonly)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")  # on a full disk COMMIT itself fails: roll back then too
        except BaseException:
            rollback(self.db)
            raise

    # -- meta and stages ---------------------------------------------------------------------

    def set_meta(self, **values: object) -> None:
        with self.transaction() as db:
            for key, value in values.items():
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self, key: str, default: object = None) -> object:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def stage_fingerprint(self, name: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM stages WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def stages(self) -> dict[str, dict]:
        return {
            name: {"fingerprint": fp, "finished_at": at, "seconds": sec, "info": json.loads(info)}
            for name, fp, at, sec, info in self.db.execute("SELECT * FROM stages ORDER BY finished_at")
        }

    @staticmethod
    def _mark(db: sqlite3.Connection, name: str, fingerprint: str, seconds: float, info: dict) -> None:
        db.execute(
            "INSERT OR REPLACE INTO stages VALUES (?, ?, ?, ?, ?)",
            (name, fingerprint, time.time(), round(seconds, 3), json.dumps(info)),
        )

    @staticmethod
    def _replace_records(db: sqlite3.Connection, kind: str, rows: list[tuple[float, float, str, int]]) -> None:
        db.execute("DELETE FROM embeddings WHERE record_id IN (SELECT id FROM records WHERE kind = ?)", (kind,))
        db.execute("DELETE FROM records WHERE kind = ?", (kind,))
        db.executemany("INSERT INTO records (kind, t0, t1, text, ref_id) VALUES (?, ?, ?, ?, ?)",
                       [(kind, t0, t1, text, ref) for t0, t1, text, ref in rows])

    # -- stage writers -----------------------------------------------------------------------

    def write_scenes(
        self,
        fingerprint: str,
        seconds: float,
        scenes: list[tuple[float, float]],
        clips: list[tuple[int, float, float]],
        keyframes: list[tuple[int, float, int, int, bytes]],
        info: dict,
        features: list[dict] | None = None,
    ) -> None:
        """Scenes, clips ``(scene_index, t0, t1)`` and keyframes ``(clip_index, t, w, h, jpeg)``;
        ``features`` per scene: the picture measures its kind is told from."""
        with self.transaction() as db:
            for table in ("frame_classes", "seen_objects", "clip_objects", "keyframe_embeddings", "keyframes", "clips",
                          "scenes"):
                db.execute(f"DELETE FROM {table}")
            feats = features or [{} for _ in scenes]
            db.executemany("INSERT INTO scenes (id, t0, t1, features) VALUES (?, ?, ?, ?)",
                           [(i + 1, t0, t1, json.dumps(f)) for i, ((t0, t1), f) in enumerate(zip(scenes, feats, strict=True))])
            db.executemany("INSERT INTO clips (id, scene_id, t0, t1) VALUES (?, ?, ?, ?)",
                           [(i + 1, s + 1, t0, t1) for i, (s, t0, t1) in enumerate(clips)])
            db.executemany("INSERT INTO keyframes (clip_id, t, width, height, jpeg) VALUES (?, ?, ?, ?, ?)",
                           [(c + 1, t, w, h, jpeg) for c, t, w, h, jpeg in keyframes])
            self._mark(db, "scenes", fingerprint, seconds, info)

    def write_speech(self, fingerprint: str, seconds: float, segments: list, info: dict,
                     until: float | None = None) -> None:
        """The transcript, and the stage done; with ``until``, a part of it (every segment final up
        to ``until`` seconds): readable at once, the stage not done, and a build resumes after it
        (:meth:`speech_part`)."""
        with self.transaction() as db:
            db.execute("DELETE FROM voice_turns")  # they refer to the segments; the voices stage re-runs
            db.execute("DELETE FROM speech_words")
            db.execute("DELETE FROM speech_segments")
            rows = []
            for i, seg in enumerate(segments, start=1):
                db.execute("INSERT INTO speech_segments (id, t0, t1, text, avg_logprob, no_speech_prob) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (i, seg.t0, seg.t1, seg.text, seg.avg_logprob, seg.no_speech_prob))
                db.executemany("INSERT INTO speech_words VALUES (?, ?, ?, ?, ?)",
                               [(i, w.t0, w.t1, w.text, w.probability) for w in seg.words])
                rows.append((seg.t0, seg.t1, seg.text, i))
            self._replace_records(db, "speech", rows)
            if until is None:
                self._mark(db, "speech", fingerprint, seconds, info)
                db.execute("DELETE FROM meta WHERE key = 'speech_part'")
            else:
                db.execute("DELETE FROM stages WHERE name = 'speech'")
                part = {"fingerprint": fingerprint, "until": round(until, 3), "seconds": round(seconds, 3),
                        "language": info.get("language"), "language_probability": info.get("language_probability")}
                db.execute("INSERT OR REPLACE INTO meta VALUES ('speech_part', ?)", (json.dumps(part),))

    def forget_speech(self) -> None:
        """No transcript, and the stages that read it not done (an index seeded from one with
        another speech source: readers must not take that source's speech for this one's)."""
        with self.transaction() as db:
            db.execute("DELETE FROM voice_turns")
            db.execute("DELETE FROM speech_words")
            db.execute("DELETE FROM speech_segments")
            self._replace_records(db, "speech", [])
            db.execute("DELETE FROM stages WHERE name IN ('speech', 'voices', 'embed')")
            db.execute("DELETE FROM meta WHERE key = 'speech_part'")

    def speech_part(self) -> dict | None:
        """``{"fingerprint", "until", "seconds", "language", …}`` while only part of the transcript
        is in (see :meth:`write_speech`), else None."""
        return self.meta("speech_part")

    def write_ocr(self, fingerprint: str, seconds: float, spans: list, info: dict) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM ocr_spans")
            rows = []
            for i, s in enumerate(spans, start=1):
                db.execute("INSERT INTO ocr_spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (i, s.t0, s.t1, s.text, *s.box, s.confidence, s.reads))
                rows.append((s.t0, s.t1, s.text, i))
            self._replace_records(db, "ocr", rows)
            self._mark(db, "ocr", fingerprint, seconds, info)

    def write_objects(
        self, fingerprint: str, seconds: float, detections: list, per_clip: dict[int, object], info: dict,
        crops: dict[tuple[int, str], bytes] | None = None,
    ) -> None:
        """Detections, per-clip summaries (``clip_id -> ClipObjects``) and their seen records
        (one per clip: ``seen: 2 person (2 at once, 6:31-6:50), ...``); ``crops`` maps
        ``(clip_id, label)`` to the thumbnail of that label's largest box in the clip."""
        from keyclip.console import hms

        crops = crops or {}
        with self.transaction() as db:
            db.execute("DELETE FROM detections")
            db.execute("DELETE FROM clip_objects")
            db.execute("DELETE FROM seen_objects")
            db.executemany("INSERT INTO detections (t, label, confidence, x0, y0, x1, y1) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(d.t, d.label, d.confidence, *d.box) for d in detections])
            rows = []
            clips = {c.id: c for c in self.clips()}
            for clip_id, summary in per_clip.items():
                db.execute("INSERT INTO clip_objects VALUES (?, ?, ?, ?)",
                           (clip_id, json.dumps(summary.labels), json.dumps(summary.boxes), summary.describe()))
                db.executemany("INSERT INTO seen_objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [(clip_id, o.label, o.count, o.at_once, o.first_t, o.last_t, o.frames, o.confidence,
                                 o.best_t, *o.best_box, crops.get((clip_id, o.label))) for o in summary.seen])
                clip = clips[clip_id]
                rows.append((clip.t0, clip.t1, summary.sentence(hms), clip_id))
            self._replace_records(db, "objects", rows)
            self._mark(db, "objects", fingerprint, seconds, info)

    def write_kinds(self, fingerprint: str, kinds: list[tuple[str, dict]], info: dict) -> None:
        """One ``(kind, why)`` per scene, in time order."""
        with self.transaction() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM scenes ORDER BY t0, id")]
            if len(ids) != len(kinds):
                raise ValueError(f"{len(kinds)} kinds for {len(ids)} scenes")
            for scene_id, (kind, why) in zip(ids, kinds, strict=True):
                row = db.execute("SELECT features FROM scenes WHERE id = ?", (scene_id,)).fetchone()
                features = {**json.loads(row[0] or "{}"), "why": why}
                db.execute("UPDATE scenes SET kind = ?, features = ? WHERE id = ?", (kind, json.dumps(features), scene_id))
            self._mark(db, "kinds", fingerprint, 0.0, info)

    def write_voices(self, fingerprint: str, seconds: float, turns: list[tuple[int, float, float, int | None]],
                     info: dict) -> None:
        """Voice turns ``(segment_id, t0, t1, voice)`` (voice None: too short or like no voice);
        each segment's voice is that of its longest turn with one."""
        with self.transaction() as db:
            db.execute("DELETE FROM voice_turns")
            db.execute("UPDATE speech_segments SET voice = NULL")
            db.executemany("INSERT INTO voice_turns VALUES (?, ?, ?, ?)", turns)
            longest: dict[int, tuple[float, int]] = {}
            for seg_id, t0, t1, v in turns:
                if v is not None and t1 - t0 > longest.get(seg_id, (0.0, 0))[0]:
                    longest[seg_id] = (t1 - t0, v)
            db.executemany("UPDATE speech_segments SET voice = ? WHERE id = ?",
                           [(v, seg_id) for seg_id, (_, v) in longest.items()])
            self._mark(db, "voices", fingerprint, seconds, info)

    def write_frame_classes(self, fingerprint: str, seconds: float, rows: list[tuple[int, float, str, float]],
                            info: dict) -> None:
        """``(keyframe_id, t, label, score)`` rows of the image classifier."""
        with self.transaction() as db:
            db.execute("DELETE FROM frame_classes")
            db.executemany("INSERT INTO frame_classes VALUES (?, ?, ?, ?)", rows)
            self._mark(db, "classes", fingerprint, seconds, info)

    def frame_classes(self) -> list[tuple[float, str, float]]:
        """``(t, label, score)`` of the image classifier, in time order (weak evidence)."""
        return [tuple(r) for r in self.db.execute("SELECT t, label, score FROM frame_classes ORDER BY t, score DESC")]

    def write_embeddings(self, fingerprint: str, seconds: float, ids: list[int], vectors: np.ndarray, info: dict) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM embeddings")
            db.executemany("INSERT INTO embeddings VALUES (?, ?)",
                           [(i, v.astype(np.float32).tobytes()) for i, v in zip(ids, vectors, strict=True)])
            self._mark(db, "embed", fingerprint, seconds, info)

    def write_keyframe_embeddings(
        self, fingerprint: str, seconds: float, ids: list[int], vectors: np.ndarray | list, info: dict
    ) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM keyframe_embeddings")
            db.executemany("INSERT INTO keyframe_embeddings VALUES (?, ?)",
                           [(i, v.astype(np.float32).tobytes()) for i, v in zip(ids, vectors, strict=True)])
            self._mark(db, "frames", fingerprint, seconds, info)

    def keyframes(self) -> list[tuple[int, int, float, bytes]]:
        """``(keyframe_id, clip_id, t, jpeg)`` in time order."""
        return self.db.execute("SELECT id, clip_id, t, jpeg FROM keyframes ORDER BY t, id").fetchall()

    def keyframe_near(self, t: float) -> bytes | None:
        """The JPEG of the keyframe nearest ``t`` (one row read, not every keyframe's picture)."""
        row = self.db.execute("SELECT jpeg FROM keyframes ORDER BY abs(t - ?), id LIMIT 1", (t,)).fetchone()
        return row[0] if row else None

    def mark_skipped(self, name: str, fingerprint: str, reason: str) -> None:
        """Record that a stage has nothing to do for this video (e.g. no audio stream)."""
        with self.transaction() as db:
            self._mark(db, name, fingerprint, 0.0, {"skipped": reason})

    # -- readers -----------------------------------------------------------------------------

    def clips(self) -> list[Clip]:
        return [Clip(*row) for row in self.db.execute("SELECT id, scene_id, t0, t1 FROM clips ORDER BY t0")]

    def scenes(self) -> list[tuple[float, float]]:
        return [tuple(r) for r in self.db.execute("SELECT t0, t1 FROM scenes ORDER BY t0")]

    def scene_rows(self) -> list[SceneRow]:
        """Scenes with their kind (None until the kinds stage ran) and picture measures."""
        def load():
            return [SceneRow(t0, t1, kind, json.loads(f or "{}")) for t0, t1, kind, f in
                    self.db.execute("SELECT t0, t1, kind, features FROM scenes ORDER BY t0")]
        return self.memoised("scene_rows", load)

    def seen_objects(self) -> list[SeenRow]:
        """What was seen per clip and label, in time order (thumbnails not loaded)."""
        def load():
            return [SeenRow(*r[:8], tuple(r[8:12])) for r in self.db.execute(
                "SELECT clip_id, label, count, at_once, first_t, last_t, confidence, best_t, x0, y0, x1, y1 "
                "FROM seen_objects ORDER BY first_t, clip_id, label")]
        return self.memoised("seen_objects", load)

    def detections(self, labels: set[str] | None = None) -> list:
        """The detector's boxes (``Detection``s) in time order, of ``labels`` only when given."""
        from keyclip.tools.detect import Detection

        rows = self.db.execute("SELECT t, label, confidence, x0, y0, x1, y1 FROM detections ORDER BY t, id")
        return [Detection(t, label, conf, (x0, y0, x1, y1)) for t, label, conf, x0, y0, x1, y1 in rows
                if labels is None or label in labels]

    def seen_thumbnail(self, clip_id: int, label: str) -> bytes | None:
        row = self.db.execute("SELECT jpeg FROM seen_objects WHERE clip_id = ? AND label = ?", (clip_id, label)).fetchone()
        return row[0] if row else None

    def voices(self) -> list[tuple[float, float, int | None]]:
        """``(t0, t1, voice)`` per voice turn (a sentence, or a segment's run of words) in time order."""
        return [tuple(r) for r in self.db.execute("SELECT t0, t1, voice FROM voice_turns ORDER BY t0")]

    def memoised(self, key: str, load):
        """``load()``, remembered under ``key`` while a read-only store is open (always fresh otherwise)."""
        if not self.readonly:
            return load()
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def refresh(self) -> bool:
        """For a read-only store kept open while its index is being built: drop what
        :meth:`memoised` remembered if a stage (or a window of the transcript) was committed
        since it began remembering; True then (a reader holding records of its own reads them
        again)."""
        now = (tuple(self.db.execute("SELECT name, fingerprint, finished_at FROM stages ORDER BY name")),
               (self.speech_part() or {}).get("until"))
        if now == self._memo_of:
            return False
        self._memo.clear()
        self._memo_of = now
        return True

    def records(self, kind: str | None = None) -> list[Record]:
        sql = "SELECT id, kind, t0, t1, text FROM records"
        args: tuple = ()
        if kind:
            sql, args = sql + " WHERE kind = ?", (kind,)
        return self.memoised(f"records:{kind}", lambda: [Record(*row) for row in
                                                          self.db.execute(sql + " ORDER BY t0, id", args)])

    def embeddings(self) -> tuple[list[int], np.ndarray]:
        def load():
            rows = self.db.execute("SELECT record_id, vector FROM embeddings ORDER BY record_id").fetchall()
            if not rows:
                return [], np.zeros((0, 0), dtype=np.float32)
            return [r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

        return self.memoised("embeddings", load)

    def speech(self) -> list:
        """The transcript: ``SpeechSegment``s in time order, with their words."""
        from keyclip.tools.asr import SpeechSegment, Word

        words: dict[int, list[Word]] = {}
        for seg_id, t0, t1, word, p in self.db.execute(
                "SELECT segment_id, t0, t1, word, probability FROM speech_words ORDER BY segment_id, t0"):
            words.setdefault(seg_id, []).append(Word(t0, t1, word, p if p is not None else 0.0))
        return [SpeechSegment(t0, t1, text, tuple(words.get(i, ())), lp if lp is not None else 0.0,
                              nsp if nsp is not None else 0.0)
                for i, t0, t1, text, lp, nsp in self.db.execute(
                    "SELECT id, t0, t1, text, avg_logprob, no_speech_prob FROM speech_segments ORDER BY t0, id")]

    def ocr_spans(self) -> list:
        """Screen-text lines with their span, box (0-1, x0 y0 x1 y1) and confidence, in time order."""
        from keyclip.tools.ocr import OCRSpan

        return [OCRSpan(t0, t1, text, (x0, y0, x1, y1), conf, reads)
                for t0, t1, text, x0, y0, x1, y1, conf, reads in self.db.execute(
                    "SELECT t0, t1, text, x0, y0, x1, y1, confidence, reads FROM ocr_spans ORDER BY t0, y0, id")]

    def has_embeddings(self) -> bool:
        return self.db.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone() is not None

    def counts(self) -> dict[str, int]:
        tables = ("scenes", "clips", "keyframes", "speech_segments", "speech_words", "ocr_spans",
                  "detections", "records", "embeddings", "keyframe_embeddings")
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
