"""What a partly built index holds: the stages committed so far and the ones still to come.

Each stage of a build commits on its own (speech first, from its own thread), so a reader can
answer from an index that is still being built; it should then say what is missing.

Example:
    >>> pending = pending_stages(store)                  # doctest: +SKIP
    >>> partial_notice(pending)                          # doctest: +SKIP
    'answered while indexing: ...'
"""

from __future__ import annotations

from keyclip.index.store import IndexStore

STAGE_WORDS = {
    "scenes": "scenes and keyframes",
    "speech": "speech",
    "ocr": "on-screen text",
    "objects": "objects seen",
    "voices": "voices",
    "embed": "meaning search (embeddings)",
}
"""The stages an answer's evidence comes from, in a user's words (the others derive from them
or are off by default)."""


ASK_AGAIN = "; ask again when indexing finishes for the full evidence"
"""The end of :func:`partial_notice` (left out where the answer is updated by itself, as in the chat)."""


def pending_stages(store: IndexStore) -> list[str]:
    """Stages of ``ALL_STAGES`` the index holds no result of yet (a stage committed with other
    settings still holds evidence: it is not pending here)."""
    from keyclip.index.build import ALL_STAGES

    done = {name for (name,) in store.db.execute("SELECT name FROM stages")}
    return [name for name in ALL_STAGES if name not in done]


def speech_until(store: IndexStore) -> float | None:
    """Seconds of the video transcribed so far, while only part of the transcript is in."""
    part = store.speech_part()
    return None if part is None else float(part["until"])


def partial_notice(pending: list[str], transcribed_until: float | None = None) -> str:
    """One line for an answer given from a partial index ('' when nothing is pending);
    ``transcribed_until``: the speech stage holds the transcript up to then."""
    names = [STAGE_WORDS[name] for name in pending if name in STAGE_WORDS]
    if transcribed_until is not None and "speech" in pending:
        m, sec = divmod(int(transcribed_until), 60)
        names[names.index("speech")] = f"speech after {m // 60}:{m % 60:02d}:{sec:02d}"
    words = ", ".join(names)
    if not words:
        return ""
    return f"answered while the video is still being indexed: not yet in the index: {words}{ASK_AGAIN}"
