"""Build an index while answering from it: a hook runs as soon as the speech stage is readable.

The build runs on a daemon thread; the caller's thread waits, and calls ``on_speech(index)``
once, when the transcript (or, on a long video, its first window) is committed and other stages
are still to come: whether this build
committed it or another keyclip process that holds the video's build lock did (its index is
polled). A Ctrl-C on the caller's thread ends the wait at once; the build thread dies with the
process and finished stages are kept, as after any interrupted build.

Example:
    >>> result = build_answering_early(video, settings, progress, lambda db: print("speech ready", db))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from keyclip.index.build import BuildResult, Progress, build_index, index_dir_for, stage_fingerprints
from keyclip.index.partial import pending_stages
from keyclip.index.store import IndexStore
from keyclip.media.hashing import content_hash
from keyclip.settings import Settings

POLL_S = 1.0


def _speech_readable(db: Path, speech_fingerprint: str) -> bool:
    """The transcript is committed there (with this fingerprint) and other stages are still to come."""
    if not db.is_file():
        return False
    try:
        store = IndexStore.open(db, readonly=True)
    except Exception:  # being created by the other process: try again at the next poll
        return False
    try:
        part = store.speech_part()
        if part is not None and part.get("fingerprint") == speech_fingerprint:
            return True  # the first windows of a long video: answerable, with a notice saying so
        return store.stage_fingerprint("speech") == speech_fingerprint and bool(pending_stages(store))
    except Exception:
        return False
    finally:
        store.close()


def build_answering_early(video: str | Path, settings: Settings, progress: Progress | None,
                          on_speech: Callable[[Path], None]) -> BuildResult:
    """``build_index(video, settings, progress)``, calling ``on_speech(index path)`` on this thread
    when speech is readable before the build ends (never, for a finished index)."""
    wake = threading.Event()
    """Set when this build commits its transcript, or ends: the index is looked at at once."""
    done = threading.Event()
    outcome: dict = {}

    def on_commit(stage: str, db: Path) -> None:
        if stage in ("speech", "speech:part"):
            wake.set()

    def build() -> None:
        try:
            outcome["result"] = build_index(video, settings, progress, on_commit=on_commit)
        except BaseException as exc:  # re-raised on the caller's thread
            outcome["error"] = exc
        finally:
            done.set()
            wake.set()

    thread = threading.Thread(target=build, name="keyclip-build", daemon=True)
    thread.start()
    db = index_dir_for(content_hash(Path(video), settings.cache_dir), settings) / "index.sqlite"
    speech = stage_fingerprints(settings)["speech"]
    while not done.is_set():
        wake.wait(POLL_S)
        wake.clear()
        if not done.is_set() and _speech_readable(db, speech):
            on_speech(db)
            break
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
