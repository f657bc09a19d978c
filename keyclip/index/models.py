"""The models the index stages use, made on first use and kept.

One ``build_index`` call makes its own set; a batch worker passes one set to every video it
indexes, so Whisper, the OCR engine, the detector and MiniLM load once per worker, not per video.

Example:
    >>> models = IndexModels(settings)                                         # doctest: +SKIP
    >>> for video in videos:
    ...     build_index(video, settings, models=models)                          # doctest: +SKIP
"""

from __future__ import annotations

import threading

from keyclip.settings import Settings


class IndexModels:
    """Lazily made, one per role (the first request's thread count wins: a worker keeps one
    Whisper, not one per thread count); safe to share between the speech thread and the visual
    pass of one build (each role is made under a lock)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._made: dict[str, object] = {}
        self._lock = threading.Lock()
        self.made = 0
        """How many models were made (loaded) so far."""

    def _get(self, role: str, threads: int | None, make):
        with self._lock:
            if role not in self._made:
                self._made[role] = make()
                self.made += 1
            return self._made[role]

    def asr(self, threads: int | None = None):
        from keyclip.backends.registry import make_asr

        return self._get("asr", threads, lambda: make_asr(self.settings, threads=threads))

    def ocr(self, threads: int | None = None):
        from keyclip.backends.registry import make_ocr

        return self._get("ocr", threads, lambda: make_ocr(self.settings, threads=threads))

    def detector(self):
        """``(detector, "")`` or ``(None, why the objects stage is skipped)``."""
        from keyclip.backends.registry import make_detector

        return self._get("detector", None, lambda: make_detector(self.settings))

    def voice_encoder(self, threads: int | None = None):
        """``(encoder, "")`` or ``(None, why the voices stage is skipped)``."""
        from keyclip.backends.registry import make_voice_encoder

        # small: one per thread count (the build prints beside speech on one, then on all cores)
        return self._get(f"voices/{threads}", threads, lambda: make_voice_encoder(self.settings, threads=threads))

    def classifier(self):
        """``(image classifier, "")`` or ``(None, why the classes stage is skipped)``."""
        from keyclip.backends.registry import make_classifier

        return self._get("classifier", None, lambda: make_classifier(self.settings))

    def embedder(self, threads: int | None = None):
        from keyclip.backends.registry import make_embedder

        return self._get("embedder", threads, lambda: make_embedder(self.settings, threads=threads))

    def scorer(self, threads: int | None = None):
        from keyclip.backends.registry import make_scorer

        return self._get("scorer", threads, lambda: make_scorer(self.settings, threads=threads))

    @property
    def loaded(self) -> list[str]:
        """Roles made so far (a worker that loads models once shows the same list every video)."""
        return sorted(self._made)
