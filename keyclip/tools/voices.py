"""Voices: a voice print per speech segment, and segments grouped into voices.

The encoder is a GE2E d-vector model (a 3-layer LSTM over 40-band log-mel frames, 256-d prints)
exported to ONNX; :class:`VoiceEncoder` computes its features with numpy (a 400-sample Hamming
window centred in a 512-point FFT, hop 160 at 16 kHz, Slaney mel), runs 80-frame windows with a
40-frame step and averages their unit prints. :func:`group_voices` joins prints whose cosine
similarity to a voice's mean print reaches ``same_voice``, so a recording's distinct speakers get
distinct ids, numbered in order of first appearance.

Example:
    >>> encoder = VoiceEncoder(Path("embedder.int8.onnx"))              # doctest: +SKIP
    >>> prints = [encoder.embed(samples) for samples in segments]       # doctest: +SKIP
    >>> group_voices(prints, same_voice=0.75)                           # doctest: +SKIP
    [0, 0, 1, 0]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keyclip.errors import ModelMissingError

SAMPLE_RATE = 16000
_N_FFT, _WIN, _HOP, _MELS, _FRAMES, _STEP = 512, 400, 160, 40, 80, 40


def _slaney_mel(f: np.ndarray) -> np.ndarray:
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-10) / 1000) * 27 / np.log(6.4), f * 3 / 200)


def _slaney_hz(m: np.ndarray) -> np.ndarray:
    return np.where(m >= 15, 1000 * np.exp((m - 15) * np.log(6.4) / 27), m * 200 / 3)


def mel_filters() -> np.ndarray:
    """The 40 x 257 Slaney-normalised mel filter bank for 16 kHz and a 512-point FFT."""
    freqs = np.linspace(0, SAMPLE_RATE / 2, _N_FFT // 2 + 1)
    edges = _slaney_hz(np.linspace(0, _slaney_mel(np.array(SAMPLE_RATE / 2)), _MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs
    tri = np.maximum(0, np.minimum(-ramps[:-2] / widths[:-1, None], ramps[2:] / widths[1:, None]))
    return tri * (2 / (edges[2:] - edges[:-2]))[:, None]


class VoiceEncoder:
    """A d-vector voice encoder (ONNX, input ``(batch, 80, 40)`` log-mel windows)."""

    def __init__(self, model: Path, threads: int = 1):
        import onnxruntime as ort

        if not Path(model).is_file():
            raise ModelMissingError(f"voices: no voice encoder at {model}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            raise ModelMissingError(f"voices: onnxruntime cannot load {Path(model).name}: {exc}") from exc
        self._input = self._session.get_inputs()[0].name
        self._filters = mel_filters().T.astype(np.float32)
        window = np.zeros(_N_FFT, dtype=np.float32)
        start = (_N_FFT - _WIN) // 2
        window[start:start + _WIN] = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(_WIN) / _WIN)
        self._window = window
        self.name = Path(model).name

    def features(self, samples: np.ndarray) -> np.ndarray:
        """``(frames, 40)`` log10 mel power of 16 kHz mono float32 ``samples``."""
        wav = np.pad(samples.astype(np.float32), (0, max(0, _N_FFT - len(samples))))
        n = 1 + (len(wav) - _N_FFT) // _HOP
        frames = wav[np.arange(_N_FFT)[None] + _HOP * np.arange(n)[:, None]]
        power = np.abs(np.fft.rfft(frames * self._window)) ** 2
        return np.log10(power.astype(np.float32) @ self._filters + 1e-10)

    def embed(self, samples: np.ndarray, max_windows: int = 8) -> np.ndarray:
        """A unit 256-d voice print of ``samples`` (at most ``max_windows`` windows, spread evenly)."""
        feats = self.features(samples)
        feats = np.pad(feats, ((0, max(0, _FRAMES - len(feats))), (0, 0)))
        starts = list(range(0, len(feats) - _FRAMES + 1, _STEP))
        if len(starts) > max_windows:
            starts = [starts[round(i)] for i in np.linspace(0, len(starts) - 1, max_windows)]
        windows = np.stack([feats[i:i + _FRAMES] for i in starts]).astype(np.float32)
        prints = self._session.run(None, {self._input: windows})[0]
        prints /= np.linalg.norm(prints, axis=1, keepdims=True) + 1e-9
        mean = prints.mean(axis=0)
        return mean / (np.linalg.norm(mean) + 1e-9)


def group_voices(prints: list[np.ndarray], same_voice: float, passes: int = 3,
                 founding: list[bool] | None = None) -> list[int | None]:
    """A voice id per print, ids in order of first appearance (None: matches no voice).

    Only ``founding`` prints (long segments; all by default) found voices; the others join the
    nearest voice they match by ``same_voice``, or get None: a second of speech makes a noisy
    print, and one stray print must not count as a speaker of its own.

    Leader clustering in time order (a print joins the most similar voice whose mean print it
    matches by ``same_voice``, else starts a new one), then voices whose mean prints match are
    merged and every print is reassigned to its nearest voice, a few times; linear in the number
    of segments, so a three-hour recording is grouped in a blink."""
    if not prints:
        return []
    founding = founding or [True] * len(prints)
    lead = [i for i, f in enumerate(founding) if f]
    if not lead:
        return [None] * len(prints)
    grouped = _leader_groups(np.stack([prints[i] for i in lead]).astype(np.float32), same_voice, passes)
    x = np.stack(prints).astype(np.float32)
    ids = sorted(set(grouped))
    cents = np.stack([x[[lead[j] for j, g in enumerate(grouped) if g == k]].mean(axis=0) for k in ids])
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    owner: list[int | None] = [None] * len(prints)
    for j, g in enumerate(grouped):
        owner[lead[j]] = g
    for i in range(len(prints)):
        if owner[i] is None:
            sims = cents @ x[i]
            k = int(sims.argmax())
            owner[i] = ids[k] if sims[k] >= same_voice else None
    order: dict[int, int] = {}
    for k in owner:
        if k is not None:
            order.setdefault(k, len(order))
    return [None if k is None else order[k] for k in owner]


def _leader_groups(x: np.ndarray, same_voice: float, passes: int) -> list[int]:
    sums: list[np.ndarray] = []
    owner = np.zeros(len(x), dtype=int)
    for i, p in enumerate(x):
        if sums:
            cents = np.stack(sums)
            sims = (cents / np.linalg.norm(cents, axis=1, keepdims=True)) @ p
            k = int(sims.argmax())
            if sims[k] >= same_voice:
                sums[k] = sums[k] + p
                owner[i] = k
                continue
        sums.append(p.copy())
        owner[i] = len(sums) - 1
    for _ in range(passes):
        cents = np.stack([x[owner == k].mean(axis=0) for k in sorted(set(owner.tolist()))])
        cents /= np.linalg.norm(cents, axis=1, keepdims=True)
        merged = list(range(len(cents)))
        sim = cents @ cents.T
        for a in range(len(cents)):
            for b in range(a):
                if sim[a, b] >= same_voice and merged[a] == a:
                    merged[a] = merged[b]
        groups = sorted(set(merged))
        cents = np.stack([cents[[i for i, m in enumerate(merged) if m == g]].mean(axis=0) for g in groups])
        cents /= np.linalg.norm(cents, axis=1, keepdims=True)
        new_owner = (x @ cents.T).argmax(axis=1)
        if np.array_equal(new_owner, owner):
            break
        owner = new_owner
    return owner.tolist()
