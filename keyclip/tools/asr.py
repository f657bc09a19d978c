"""Speech: faster-whisper (CTranslate2) with its bundled Silero VAD and word timestamps.

Audio arrives in windows (``SpeechOptions.chunk_s``) so memory stays flat in video length. A
window's last segments are held back and re-transcribed with the next window, so no word is
cut at a window edge.

Example:
    >>> asr = WhisperASR(model_dir, SpeechOptions(), threads=2)        # doctest: +SKIP
    >>> segments, info = asr.transcribe("talk.mp4")                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from keyclip.media.audio import SAMPLE_RATE, iter_audio_chunks
from keyclip.settings import SpeechOptions

_HOLD_BACK_S = 20.0
"""Segments ending this close to a window's end are redone with the next window (at most a
third of the window)."""


@dataclass(frozen=True)
class Word:
    t0: float
    t1: float
    text: str
    probability: float


@dataclass(frozen=True)
class SpeechSegment:
    t0: float
    t1: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float
    no_speech_prob: float


@dataclass
class TranscriptInfo:
    language: str | None = None
    language_probability: float = 0.0
    audio_seconds: float = 0.0
    model: str = ""
    options: dict = field(default_factory=dict)


class WhisperASR:
    """faster-whisper over a local CTranslate2 model folder (never a hub download)."""

    def __init__(self, model_dir: Path, options: SpeechOptions, threads: int = 0):
        from faster_whisper import WhisperModel

        self.options = options
        self.model_dir = Path(model_dir)
        self._model = WhisperModel(
            str(self.model_dir),
            device="cpu",
            compute_type=options.compute_type,
            cpu_threads=threads,
            local_files_only=True,
        )

    def _transcribe_window(self, audio: np.ndarray, offset: float, language: str | None, should_stop):
        segments, info = self._model.transcribe(
            audio,
            language=language,
            beam_size=self.options.beam_size,
            vad_filter=self.options.vad_filter,
            word_timestamps=True,
            condition_on_previous_text=False,
        )
        out = []
        for s in segments:  # lazy: each step decodes more audio
            if should_stop():
                raise InterruptedError("speech recognition stopped")
            words = tuple(
                Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word.strip(), round(w.probability, 4))
                for w in (s.words or [])
            )
            out.append(
                SpeechSegment(
                    t0=round(s.start + offset, 3),
                    t1=round(s.end + offset, 3),
                    text=s.text.strip(),
                    words=words,
                    avg_logprob=round(s.avg_logprob, 4),
                    no_speech_prob=round(s.no_speech_prob, 4),
                )
            )
        return out, info

    def transcribe(
        self,
        path: str | Path,
        on_progress: Callable[[float], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> tuple[list[SpeechSegment], TranscriptInfo]:
        """Transcribe a file's first audio stream.

        Args:
            path: media file.
            on_progress: called with seconds of audio done.
            should_stop: polled between segments; when it returns True, InterruptedError is raised.
        """
        info = TranscriptInfo(model=self.model_dir.name, options=self.options.model_dump())
        segments: list[SpeechSegment] = []
        language = self.options.language
        carry = np.zeros(0, dtype=np.float32)
        carry_start = 0.0
        chunks: Iterator[tuple[float, np.ndarray]] = iter_audio_chunks(path, self.options.chunk_s)
        pending = next(chunks, None)
        while pending is not None:
            start, samples = pending
            pending = next(chunks, None)
            audio = np.concatenate([carry, samples]) if carry.size else samples
            offset = carry_start if carry.size else start
            window_end = offset + audio.size / SAMPLE_RATE
            found, whisper_info = self._transcribe_window(audio, offset, language, should_stop)
            if language is None and whisper_info.language:
                language = whisper_info.language  # detect once, then keep it
                info.language = whisper_info.language
                info.language_probability = round(whisper_info.language_probability, 4)
            if pending is None:
                segments.extend(found)
                carry = np.zeros(0, dtype=np.float32)
            else:
                cut = window_end - min(_HOLD_BACK_S, self.options.chunk_s / 3)
                keep = [s for s in found if s.t1 <= cut]
                segments.extend(keep)
                if keep:
                    # restart in the pause after the last kept segment: a window that opens on
                    # the tail of a word makes Whisper drop the next utterance
                    resume = keep[-1].t1
                    if len(found) > len(keep) and found[len(keep)].t0 > resume:
                        resume = (resume + found[len(keep)].t0) / 2
                elif found:  # one segment runs over the edge: redo it whole
                    resume = found[0].t0
                else:  # silence
                    resume = max(offset, cut)
                carry = audio[int((resume - offset) * SAMPLE_RATE) :]
                carry_start = resume
            info.audio_seconds = window_end
            if on_progress:
                on_progress(window_end if pending is not None else info.audio_seconds)
        return segments, info
