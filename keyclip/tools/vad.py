"""faster-whisper's Silero VAD run on 1,000 windows at a time instead of 10,000: the same speech
probabilities (its LSTM state is carried from batch to batch either way) with a tenth of the
encoder's activations. For a 15-minute window of audio that is about 140 MB less at the start of
every window (``tests/test_tools.py`` checks the probabilities are identical).

faster-whisper keeps one VAD model per process (``faster_whisper.vad.get_vad_model`` is
cached); ``use_small_batches()`` gives that one model this class's ``__call__``.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import SileroVADModel, get_vad_model

ENCODER_BATCH = 1000
"""Windows of 512 samples (32 ms) per encoder run (faster-whisper: 10,000)."""


class SmallBatchVAD(SileroVADModel):
    def __call__(self, audio: np.ndarray, num_samples: int = 512, context_size_samples: int = 64):
        # as faster-whisper 1.2's SileroVADModel.__call__, with ENCODER_BATCH windows per run
        assert audio.ndim == 1, "Input should be a 1D array"
        assert audio.shape[0] % num_samples == 0, "Input size should be a multiple of num_samples"
        h = np.zeros((1, 1, 128), dtype="float32")
        c = np.zeros((1, 1, 128), dtype="float32")
        batched_audio = audio.reshape(-1, num_samples)
        context = batched_audio[..., -context_size_samples:]
        context[-1] = 0
        context = np.roll(context, 1, 0)
        batched_audio = np.concatenate([context, batched_audio], 1)
        batched_audio = batched_audio.reshape(-1, num_samples + context_size_samples)
        outputs = []
        for i in range(0, batched_audio.shape[0], ENCODER_BATCH):
            output, h, c = self.session.run(None, {"input": batched_audio[i: i + ENCODER_BATCH], "h": h, "c": c})
            outputs.append(output)
        return np.concatenate(outputs, axis=0)


def use_small_batches() -> None:
    """Give faster-whisper's (process-wide, cached) VAD model the small-batch ``__call__``."""
    model = get_vad_model()
    if type(model) is SileroVADModel:
        model.__class__ = SmallBatchVAD
