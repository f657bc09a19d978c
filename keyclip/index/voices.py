"""The ``voices`` stage: who speaks when, as voice turns.

Whisper's segments can run two speakers together ("Go forward 10 meters. How do you measure…":
a recording, then the lecturer), so each segment is first cut into turns at the ends of its
sentences (recognised words ending in ``.``, ``?`` or ``!``). The audio is decoded once more
(16 kHz mono, in bounded chunks), every turn of at least ``voices.min_speech_s`` gets a voice
print, and the prints are grouped (:mod:`keyclip.tools.voices`): turns of ``voices.founding_s``
or more found voices, shorter ones only join one. Without the encoder the stage is recorded as
skipped, with a notice; nothing else depends on it.

The prints need only the audio and the turns' times, so a :class:`VoicePrinter` can compute them
while speech recognition is still running (fed the segments as each part of the transcript is
settled); :func:`run_voices` then only groups them, printing any turn the printer did not see.
"""

from __future__ import annotations

import threading
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


Turn = tuple[float, float]


def _key(a: float, b: float) -> Turn:
    return (round(a, 3), round(b, 3))


_KEEP_S = 60.0
"""Audio kept from one chunk to the next, so a turn that crosses a chunk's end (or is only known
later) is printed from its whole span."""


def print_turns(embed: Callable[[np.ndarray], np.ndarray], turns: list[tuple[int, float, float]], chunks,
                s: Settings, duration: float,
                wait_until=lambda t: None, on_print=lambda: None) -> dict[int, np.ndarray | None]:
    """Voice prints of ``turns`` (``(id, t0, t1)``, in time order) from the audio ``chunks``
    (``(start, samples)``, in order): each turn once the audio up to its end is in, from its whole
    span (None when too short to print), whatever the chunks' size. ``wait_until(end)`` is called
    before a chunk is used: it may return more turns (the transcript grows while this runs)."""
    prints: dict[int, np.ndarray | None] = {}
    pending = list(turns)
    kept, kept_start = np.zeros(0, dtype=np.float32), 0.0
    for start, samples in chunks:
        audio = np.concatenate([kept, samples]) if kept.size else samples
        origin = kept_start if kept.size else start
        end = origin + len(audio) / SAMPLE_RATE
        pending += wait_until(end) or []
        still = []
        for i, a, b in pending:
            if b > end and end < duration - 0.05:  # its end is in a later chunk
                still.append((i, a, b))
                continue
            lo, hi = int(max(0.0, a - origin) * SAMPLE_RATE), int(max(0.0, min(b, end) - origin) * SAMPLE_RATE)
            enough = hi - lo >= s.voices.min_speech_s * SAMPLE_RATE / 2
            prints[i] = embed(audio[lo:hi]) if enough else None
            on_print()
        pending = still
        keep_from = max(end - _KEEP_S, min([a for _, a, _ in pending] + [end - _KEEP_S / 2]))
        cut = max(0, int((keep_from - origin) * SAMPLE_RATE))
        kept, kept_start = audio[cut:], origin + cut / SAMPLE_RATE
    return prints


_PRINTER_CHUNK_S = 15.0


class VoicePrinter:
    """Voice prints computed beside speech recognition, from the transcript as it is settled.

    The speech thread calls :meth:`add` with each settled run of segments (and the time up to which
    the transcript is final) and :meth:`done` at the end; :meth:`run`, on another thread, decodes the
    audio once and prints each turn as soon as the transcript past its chunk is final."""

    def __init__(self, encoder, s: Settings, duration: float):
        self.encoder, self.s, self.duration = encoder, s, duration
        self._turns: list[tuple[int, float, float]] = []
        self._settled = 0.0
        self._done = False
        self._cond = threading.Condition()
        self.prints: dict[Turn, np.ndarray | None] = {}

    def add(self, segments: list, settled_until: float) -> None:
        with self._cond:
            for seg in segments:
                for a, b in sentence_turns(seg):
                    if b - a >= self.s.voices.min_speech_s:
                        self._turns.append((len(self._turns), a, b))
            self._settled = max(self._settled, settled_until)
            self._cond.notify_all()

    def done(self) -> None:
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def speed_up(self, encoder) -> None:
        """Print the rest with ``encoder`` (one on more threads, once speech has freed the cores)."""
        self.encoder = encoder

    def run(self, path: Path, should_stop=lambda: False) -> dict[Turn, np.ndarray | None]:
        taken = 0

        def wait_until(end: float) -> list[tuple[int, float, float]]:
            nonlocal taken
            with self._cond:
                while True:
                    if should_stop():
                        raise InterruptedError("voice prints stopped")
                    if self._done or self._settled >= end:
                        break
                    self._cond.wait(timeout=0.5)
                new, taken = self._turns[taken:], len(self._turns)
                return new

        # small chunks: a turn is printed soon after the transcript past it is final
        prints = print_turns(lambda x: self.encoder.embed(x), [], iter_audio_chunks(path, chunk_s=_PRINTER_CHUNK_S),
                             self.s, self.duration, wait_until)
        by_id = {i: (a, b) for i, a, b in self._turns}
        self.prints = {_key(*by_id[i]): v for i, v in prints.items()}
        return self.prints


def run_voices(store: IndexStore, path: Path, media: MediaInfo, s: Settings, fingerprint: str, progress,
               note: Callable[[str], None], models: IndexModels,
               printed: dict[Turn, np.ndarray | None] | None = None) -> float:
    """The voices stage. ``printed``: prints a :class:`VoicePrinter` already made, by turn times;
    only the turns not among them are printed here (none, when the printer saw the transcript)."""
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
    printed = printed or {}
    prints = {i: printed[_key(a, b)] for i, a, b in wanted if _key(a, b) in printed}
    missing = [(i, a, b) for i, a, b in wanted if _key(a, b) not in printed]
    if missing:
        done = len(prints)

        def count() -> None:
            nonlocal done
            done += 1
            progress.update("voices", done)

        prints |= print_turns(encoder.embed, missing, iter_audio_chunks(path, chunk_s=s.speech.chunk_s), s,
                              media.duration, on_print=count)
    prints = {i: v for i, v in prints.items() if v is not None}
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
        "voices": len(talk), "printed_beside_speech": [len(wanted) - len(missing), len(wanted)], "seconds_per_voice": {str(k): round(v, 1) for k, v in sorted(talk.items())},
        "ambiguous": [[round(turns[i][1], 2), round(turns[i][2], 2)] for i in ambiguous],
        # turns long enough to tell that sound like no voice: perhaps another one, too short to found it
        "unmatched": [[round(turns[i][1], 2), round(turns[i][2], 2)] for i in ids if voice_of[i] is None]})
    progress.finish("voices", f"{len(talk)} voice{'' if len(talk) == 1 else 's'} over {len(rows)} turns")
    return secs
