"""Image classes: an ImageNet classifier's top labels for a keyframe - weak evidence of what a
picture shows ("Egyptian cat 0.91", "espresso 0.66"), never an answer on its own.

The packaged model is EfficientNet-Lite3 (int8 TFLite, 1,000 ImageNet classes); OpenCV's DNN
module cannot run its int8 layers, so it runs on LiteRT (``ai-edge-litert``, the ``classes``
extra).

Example:
    >>> classifier = ImageClassifier(model, labels)                 # doctest: +SKIP
    >>> classifier.classify(image_bgr)                              # doctest: +SKIP
    [('Egyptian cat', 0.91)]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keyclip.errors import ModelMissingError


class ImageClassifier:
    def __init__(self, model: Path, labels: Path, threads: int = 1, top_k: int = 3, min_score: float = 0.2):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise ModelMissingError("classes: ai-edge-litert is not installed (pip install 'keyclip[classes]')") from exc
        for path in (model, labels):
            if not Path(path).is_file():
                raise ModelMissingError(f"classes: {Path(path).name} not found at {path}")
        try:
            self._it = Interpreter(model_path=str(model), num_threads=max(1, threads))
            self._it.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelMissingError(f"classes: LiteRT cannot load {Path(model).name}: {exc}") from exc
        self._in = self._it.get_input_details()[0]
        self._out = self._it.get_output_details()[0]
        # "tabby, tabby cat" -> "tabby": the first name of each class
        self.labels = [line.split(",")[0].strip() for line in Path(labels).read_text().splitlines() if line.strip()]
        self.top_k, self.min_score = top_k, min_score
        self.name = Path(model).name

    def classify(self, image_bgr: np.ndarray) -> list[tuple[str, float]]:
        import cv2

        _, h, w, _ = self._in["shape"]
        x = cv2.resize(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB), (int(w), int(h)), interpolation=cv2.INTER_AREA)
        self._it.set_tensor(self._in["index"], x[None].astype(self._in["dtype"]))
        self._it.invoke()
        raw = self._it.get_tensor(self._out["index"])[0].astype(np.float32)
        scale, zero = self._out["quantization"]
        scores = (raw - zero) * scale if scale else raw
        top = np.argsort(scores)[::-1][: self.top_k]
        return [(self.labels[i], round(float(scores[i]), 3)) for i in top if scores[i] >= self.min_score]
