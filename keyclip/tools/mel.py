"""Whisper's log-Mel features computed a block of frames at a time: the same numbers as
faster-whisper's ``FeatureExtractor``, without its whole-window transients.

faster-whisper computes the short-time Fourier transform of all the audio it is given in one
go: for a 15-minute window (keyclip's ``speech.chunk_s``) the windowed frames, their spectrum,
a copy of it and the magnitudes are each 70-145 MB at once, about 0.6 GB above the audio itself,
at every window. Each STFT frame depends only on its own 400 samples of the (reflect-padded)
signal, so computing the frames in blocks and normalising over the whole spectrogram afterwards
gives the same features (``tests/test_tools.py`` checks they are identical).

Example:
    >>> model.feature_extractor = BlockwiseFeatureExtractor.like(model.feature_extractor)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

BLOCK_FRAMES = 6000
"""STFT frames per block (60 s of audio at Whisper's 10-ms hop; about 10 MB of spectrum)."""


class BlockwiseFeatureExtractor(FeatureExtractor):
    """``FeatureExtractor`` whose ``__call__`` computes the spectrogram ``BLOCK_FRAMES`` at a time."""

    @classmethod
    def like(cls, other: FeatureExtractor) -> BlockwiseFeatureExtractor:
        """One with ``other``'s parameters (mel filters, hop, FFT size, chunk length)."""
        made = cls.__new__(cls)
        made.__dict__.update(other.__dict__)
        return made

    def __call__(self, waveform: np.ndarray, padding=160, chunk_length=None):
        if chunk_length is not None:
            self.n_samples = chunk_length * self.sampling_rate
            self.nb_max_frames = self.n_samples // self.hop_length
        waveform = np.asarray(waveform, dtype=np.float32)
        if padding:
            waveform = np.pad(waveform, (0, padding))
        half = self.n_fft // 2
        padded = np.pad(waveform, (half, half), mode="reflect")  # the STFT's center padding
        n_frames = 1 + (len(padded) - self.n_fft) // self.hop_length
        window = np.hanning(self.n_fft + 1)[:-1].astype("float32")
        frames = np.lib.stride_tricks.as_strided(
            padded, (n_frames, self.n_fft), (self.hop_length * padded.strides[0], padded.strides[0]), writeable=False)
        # the last STFT frame is dropped, as faster-whisper does (stft[..., :-1])
        out = np.empty((self.mel_filters.shape[0], n_frames - 1), dtype=np.float32)
        for a in range(0, n_frames - 1, BLOCK_FRAMES):
            b = min(a + BLOCK_FRAMES, n_frames - 1)
            spectrum = np.fft.rfft(frames[a:b] * window, n=self.n_fft, axis=-1).astype("complex64")
            magnitudes = np.abs(spectrum.T) ** 2
            out[:, a:b] = self.mel_filters @ magnitudes
        np.clip(out, 1e-10, None, out=out)
        np.log10(out, out=out)
        np.maximum(out, out.max() - 8.0, out=out)
        out += 4.0
        out /= 4.0
        return out
