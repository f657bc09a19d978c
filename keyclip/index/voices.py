"""The ``voices`` stage: who speaks when, as voice turns.

Whisper's segments can run two speakers together ("Go forward 10 meters. How do you measure…":
a recording, then the lecturer), so each segment is first cut into turns at the ends of its
sentences (recognised words ending in ``.``, ``?`` or ``!``). The audio is decoded once more
(16 kHz mono, in bounded chunks), every turn of at least ``voices.min_speech_s`` gets a voice
print, and the prints are grouped (:mod:`keyclip.tools.voices`): turns of ``voices.founding_s``
or more found voices, shorter ones only join one. Without the encoder the stage is recorded as
skipped, with a notice; nothing else depends on it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from keyclip.index.models import IndexModels
from keyclip.index.store import IndexStore
from keyclip.media.audio import SAMPLE_RATE, iter_audio_chunks
from keyclip.media.probe import MediaInfo
from keyclip.settings import Settings
from keyclip.tools.voices import group_voices


def sentence_turns(segment) -> list[tuple[float, float]]:
    """``segment``'s span cut at the ends of its sentences (from its word times)."""
    words = list(segment.words)
    if not words:
        return [(segment.t0, segment.t1)]
    turns, start = [], words[0].t0
    for i, w in enumerate(words):
        if w.text.strip().endswith((".", "?", "!")) and i + 1 < len(words):
            turns.append((start, w.t1))
            start = words[i + 1].t0
    turns.append((start, words[-1].t1))
    return [(a, b) for a, b in turns if b > a]


def ambiguous_turns(prints: dict[int, np.ndarray], voice_of: dict[int, int | None], near: float) -> list[int]:
    """Turns whose print comes within ``near`` of a voice other than their own (or, without a
    voice, of any): the grouping could have gone either way for them."""
    voices = sorted({v for v in voice_of.values() if v is not None})
    if not voices:
        return []
    means = np.stack([np.mean([prints[i] for i, v in voice_of.items() if v == k], axis=0) for k in voices])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    out = []
    for i, p in prints.items():
        sims = means @ p
        others = [s for k, s in zip(voices, sims, strict=True) if k != voice_of.get(i)]
        if others and max(others) >= near:
            out.append(i)
    return out


def run_voices(store: IndexStore, path: Path, media: MediaInfo, s: Settings, fingerprint: str, progress,
               note: Callable[[str], None], models: IndexModels) -> float:
    t = time.perf_counter()
    segments = store.speech()
    if media.audio is None or not segments:
        store.mark_skipped("voices", fingerprint, "no speech")
        return 0.0
    encoder, why_not = models.voice_encoder(threads=s.cpu_threads)
    if encoder is None:
        note(why_not)
        store.mark_skipped("voices", fingerprint, why_not)
        return 0.0
    # segment ids are 1-based in time order (IndexStore.write_speech)
    turns = [(seg_id, a, b) for seg_id, seg in enumerate(segments, start=1) for a, b in sentence_turns(seg)]
    wanted = [(i, a, b) for i, (_, a, b) in enumerate(turns) if b - a >= s.voices.min_speech_s]
    progress.start("voices", len(wanted))
    prints: dict[int, np.ndarray] = {}
    pending = list(wanted)
    for start, samples in iter_audio_chunks(path, chunk_s=s.speech.chunk_s):
        end = start + len(samples) / SAMPLE_RATE
        still = []
        for i, a, b in pending:
            if b > end and end < media.duration - 0.05:  # runs into the next chunk: take it there
                still.append((i, a, b))
                continue
            lo, hi = int(max(0.0, a - start) * SAMPLE_RATE), int(max(0.0, min(b, end) - start) * SAMPLE_RATE)
            if hi - lo >= s.voices.min_speech_s * SAMPLE_RATE / 2:
                prints[i] = encoder.embed(samples[lo:hi])
            progress.update("voices", len(prints))
        pending = still
    ids = sorted(prints)
    groups = group_voices([prints[i] for i in ids], s.voices.same_voice,
                          founding=[turns[i][2] - turns[i][1] >= s.voices.founding_s for i in ids])
    voice_of = dict(zip(ids, groups, strict=True))
    ambiguous = ambiguous_turns({i: prints[i] for i in ids}, voice_of, s.voices.same_voice - s.voices.margin)
    rows = [(seg_id, a, b, voice_of.get(i)) for i, (seg_id, a, b) in enumerate(turns)]
    talk: Counter = Counter()
    for _, a, b, v in rows:
        if v is not None:
            talk[v] += b - a
    secs = time.perf_counter() - t
    store.write_voices(fingerprint, secs, rows, {
        "model": encoder.name, "turns": len(rows), "with_voice": sum(v is not None for *_, v in rows),
        "voices": len(talk), "seconds_per_voice": {str(k): round(v, 1) for k, v in sorted(talk.items())},
        "ambiguous": [[round(turns[i][1], 2), round(turns[i][2], 2)] for i in ambiguous],
        # turns long enough to tell that sound like no voice: perhaps another one, too short to found it
        "unmatched": [[round(turns[i][1], 2), round(turns[i][2], 2)] for i in ids if voice_of[i] is None]})
    progress.finish("voices", f"{len(talk)} voice{'' if len(talk) == 1 else 's'} over {len(rows)} turns")
    return secs
