"""The per-video index schema, as named migrations recorded in the database.

A database records which migrations it has; opening one applies the missing ones in order.
Every piece of evidence is also a row of ``records`` ``(kind, t0, t1, text)``, indexed by FTS5.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

SCHEMA_VERSION = 4


def _statements(script: str) -> list[str]:
    """Split a SQL script into statements (``executescript`` would commit mid-migration)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def _m001_initial(db: sqlite3.Connection) -> None:
    for statement in _statements(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE stages (
            name TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            finished_at REAL NOT NULL,
            seconds REAL NOT NULL,
            info TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE scenes (id INTEGER PRIMARY KEY, t0 REAL NOT NULL, t1 REAL NOT NULL);
        CREATE TABLE clips (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER NOT NULL REFERENCES scenes(id),
            t0 REAL NOT NULL, t1 REAL NOT NULL
        );
        CREATE INDEX clips_time ON clips(t0, t1);
        CREATE TABLE keyframes (
            id INTEGER PRIMARY KEY,
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            t REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
            jpeg BLOB NOT NULL
        );
        CREATE INDEX keyframes_clip ON keyframes(clip_id);
        CREATE TABLE speech_segments (
            id INTEGER PRIMARY KEY,
            t0 REAL NOT NULL, t1 REAL NOT NULL, text TEXT NOT NULL,
            avg_logprob REAL, no_speech_prob REAL
        );
        CREATE TABLE speech_words (
            segment_id INTEGER NOT NULL REFERENCES speech_segments(id),
            t0 REAL NOT NULL, t1 REAL NOT NULL, word TEXT NOT NULL, probability REAL
        );
        CREATE INDEX speech_words_segment ON speech_words(segment_id);
        CREATE TABLE ocr_spans (
            id INTEGER PRIMARY KEY,
            t0 REAL NOT NULL, t1 REAL NOT NULL, text TEXT NOT NULL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL, confidence REAL, reads INTEGER
        );
        CREATE TABLE detections (
            id INTEGER PRIMARY KEY, t REAL NOT NULL, label TEXT NOT NULL, confidence REAL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL
        );
        CREATE TABLE clip_objects (
            clip_id INTEGER PRIMARY KEY REFERENCES clips(id),
            labels TEXT NOT NULL, boxes TEXT NOT NULL, description TEXT NOT NULL
        );
        CREATE TABLE records (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('speech', 'ocr', 'objects')),
            t0 REAL NOT NULL, t1 REAL NOT NULL, text TEXT NOT NULL, ref_id INTEGER
        );
        CREATE INDEX records_kind_time ON records(kind, t0);
        CREATE VIRTUAL TABLE records_fts USING fts5(
            text, content='records', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
            INSERT INTO records_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
            INSERT INTO records_fts(records_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TABLE embeddings (
            record_id INTEGER PRIMARY KEY REFERENCES records(id),
            vector BLOB NOT NULL
        );
        """
    ):
        db.execute(statement)


def _m002_keyframe_embeddings(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE keyframe_embeddings (
            keyframe_id INTEGER PRIMARY KEY REFERENCES keyframes(id),
            vector BLOB NOT NULL
        )"""
    )


def _m003_seen_and_heard(db: sqlite3.Connection) -> None:
    """Scene kinds and the picture measures they come from, what was seen per clip (counts,
    times, the largest box and its thumbnail), and voices: the turns (sentences) of each speech
    segment with their voice, and the segment's main voice."""
    for statement in (
        "ALTER TABLE scenes ADD COLUMN kind TEXT",
        "ALTER TABLE scenes ADD COLUMN features TEXT",
        "ALTER TABLE speech_segments ADD COLUMN voice INTEGER",
        """CREATE TABLE voice_turns (
            segment_id INTEGER NOT NULL REFERENCES speech_segments(id),
            t0 REAL NOT NULL, t1 REAL NOT NULL, voice INTEGER
        )""",
        """CREATE TABLE seen_objects (
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            label TEXT NOT NULL, count INTEGER NOT NULL, at_once INTEGER NOT NULL,
            first_t REAL NOT NULL, last_t REAL NOT NULL, frames INTEGER NOT NULL, confidence REAL,
            best_t REAL NOT NULL, x0 REAL, y0 REAL, x1 REAL, y1 REAL, jpeg BLOB,
            PRIMARY KEY (clip_id, label)
        )""",
    ):
        db.execute(statement)


def _m004_frame_classes(db: sqlite3.Connection) -> None:
    """An image classifier's labels per keyframe (weak evidence of what a picture shows)."""
    db.execute("""CREATE TABLE frame_classes (
        keyframe_id INTEGER NOT NULL REFERENCES keyframes(id),
        t REAL NOT NULL, label TEXT NOT NULL, score REAL NOT NULL
    )""")


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_keyframe_embeddings", _m002_keyframe_embeddings),
    ("003_seen_and_heard", _m003_seen_and_heard),
    ("004_frame_classes", _m004_frame_classes),
]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply missing migrations, each in its own transaction. Returns the names applied."""
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    known = {name for name, _ in MIGRATIONS}
    if done - known:
        raise RuntimeError(f"index was written by a newer keyclip (unknown migrations: {sorted(done - known)})")
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on a full disk
                db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied

