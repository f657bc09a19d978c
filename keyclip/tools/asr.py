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
from keyclip.media.container import Damage
from keyclip.settings import SpeechOptions
from keyclip.tools.word_times import reattach_stranded_words

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
    damage: str = ""
    """Where the sound could not be decoded, in one line ('' for an intact stream)."""


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
        from keyclip.tools.mel import BlockwiseFeatureExtractor

        # the same features without a window's 0.6 GB of spectrogram transients (keyclip.tools.mel)
        self._model.feature_extractor = BlockwiseFeatureExtractor.like(self._model.feature_extractor)
        if options.vad_filter:
            from keyclip.tools.vad import use_small_batches

            use_small_batches()  # the same speech probabilities, ~140 MB less per window
        self._batched = None
        if options.batch_size:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self._model)

    def _transcribe_window(self, audio: np.ndarray, offset: float, language: str | None, should_stop,
                           on_segment: Callable[[SpeechSegment], None] | None = None):
        import ctranslate2

        # Whisper falls back to sampling (temperature > 0) on a window it decodes badly; an unseeded
        # sampler made the same file transcribe differently run to run (dev narration WER 0.136 in
        # one build, 0.158 in the next)
        ctranslate2.set_random_seed(0)
        common = dict(language=language, beam_size=self.options.beam_size, word_timestamps=True,
                      condition_on_previous_text=False)
        if self._batched is not None:
            # the batched pipeline always cuts the audio at the VAD's speech regions
            segments, info = self._batched.transcribe(audio, batch_size=self.options.batch_size,
                                                      without_timestamps=False, **common)
        else:
            segments, info = self._model.transcribe(audio, vad_filter=self.options.vad_filter, **common)
        out = []
        for s in segments:  # lazy: each step decodes more audio
            if should_stop():
                raise InterruptedError("speech recognition stopped")
            words = reattach_stranded_words(tuple(
                Word(round(float(w.start) + offset, 3), round(float(w.end) + offset, 3), w.word.strip(),
                     round(float(w.probability), 4))
                for w in (s.words or [])
            ))
            out.append(
                SpeechSegment(
                    t0=words[0].t0 if words else round(float(s.start) + offset, 3),
                    t1=words[-1].t1 if words else round(float(s.end) + offset, 3),
                    text=s.text.strip(),
                    words=words,
                    avg_logprob=round(float(s.avg_logprob), 4),
                    no_speech_prob=round(float(s.no_speech_prob), 4),
                )
            )
            if on_segment:
                on_segment(out[-1])
        return out, info

    def transcribe(
        self,
        path: str | Path,
        on_progress: Callable[[float], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        on_settled: Callable[[list[SpeechSegment], float], None] | None = None,
        on_window: Callable[[list[SpeechSegment], float, TranscriptInfo], None] | None = None,
        start_at: float = 0.0,
        language: str | None = None,
    ) -> tuple[list[SpeechSegment], TranscriptInfo]:
        """Transcribe a file's first audio stream.

        Args:
            path: media file.
            on_progress: called with seconds of audio done, after each segment.
            should_stop: polled between segments; when it returns True, InterruptedError is raised.
            on_settled: called with the segments that became final and the time up to which the
                transcript is now final, in time order, as they are recognised (a window's segments
                past its hand-over are redone with the next window: they become final there).
            on_window: called after each window but the last with every segment so far and the
                time up to which they are final (a caller can keep them, and resume there).
            start_at: transcribe from this time on (resuming: the segments before it are the
                caller's); ``language``: the language, when already known.
        """
        info = TranscriptInfo(model=self.model_dir.name, options=self.options.model_dump())
        segments: list[SpeechSegment] = []
        language = language or self.options.language
        if language:
            info.language = language
        carry = np.zeros(0, dtype=np.float32)
        carry_start = 0.0
        damage = Damage()
        furthest = 0.0

        def report(t: float) -> None:  # a re-transcribed hand-over never moves the bar back
            nonlocal furthest
            furthest = max(furthest, t)
            if on_progress:
                on_progress(furthest)

        chunks: Iterator[tuple[float, np.ndarray]] = iter_audio_chunks(path, self.options.chunk_s, damage=damage,
                                                                       start_s=start_at)
        pending = next(chunks, None)
        while pending is not None:
            start, samples = pending
            pending = next(chunks, None)
            audio = np.concatenate([carry, samples]) if carry.size else samples
            offset = carry_start if carry.size else start
            window_end = offset + audio.size / SAMPLE_RATE
            if pending is None:  # the last window: everything in it is final
                pause, resume = None, float("inf")
            else:
                # the next window restarts inside a pause (a window that opens on the tail of a
                # word makes Whisper drop or garble the next utterance); what crosses it is redone
                latest = audio.size / SAMPLE_RATE - min(_HOLD_BACK_S, self.options.chunk_s / 3)
                pause = _last_pause_before(audio, latest)
                resume = offset + pause
            settling = True

            def on_segment(seg: SpeechSegment, resume: float = resume) -> None:
                nonlocal settling
                report(seg.t1)  # the bar moves with each segment, not each window
                settling = settling and seg.t1 <= resume
                if settling and on_settled:
                    on_settled([seg], seg.t1)

            found, whisper_info = self._transcribe_window(audio, offset, language, should_stop, on_segment)
            if language is None and whisper_info.language:
                language = whisper_info.language  # detect once, then keep it
                info.language = whisper_info.language
                info.language_probability = round(whisper_info.language_probability, 4)
            segments.extend(seg for seg in found if seg.t1 <= resume)
            if pause is None:
                carry = np.zeros(0, dtype=np.float32)
            else:
                carry = audio[int(pause * SAMPLE_RATE) :]
                carry_start = resume
            if on_settled:
                on_settled([], min(resume, window_end))
            info.audio_seconds = window_end
            report(window_end)
            if on_window and pause is not None:
                on_window(list(segments), resume, info)
        info.damage = damage.notice(Path(path).name, "sound")
        return segments, info


def _last_pause_before(audio: np.ndarray, latest: float) -> float:
    """Seconds into ``audio`` of the middle of the last pause (Silero VAD) before ``latest``;
    ``latest`` itself when there is speech throughout."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300), sampling_rate=SAMPLE_RATE)
    if not chunks:
        return latest
    pauses = [(0.0, chunks[0]["start"] / SAMPLE_RATE)]
    pauses += [(a["end"] / SAMPLE_RATE, b["start"] / SAMPLE_RATE) for a, b in zip(chunks, chunks[1:])]
    pauses.append((chunks[-1]["end"] / SAMPLE_RATE, audio.size / SAMPLE_RATE))
    best = latest
    for start, end in pauses:
        middle = (start + end) / 2
        if end > start and middle <= latest and middle > 0:
            best = middle
    return best
