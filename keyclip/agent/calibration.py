"""``confidence`` as the probability that an answer is right.

A logistic model over the grounding features of :mod:`keyclip.agent.grounding` (margin over the
runner-up, how well the cited evidence covers the question's focus, whether it is denied, ...),
fitted on keyclip's evaluation lectures by ``bench/calibrate.py`` and shipped as
``keyclip/agent/data/calibration.json`` together with how it was fitted (sets, items,
leave-one-set-out calibration error) and the threshold chosen from the risk/coverage curve.

Example:
    >>> cal = load_calibration()
    >>> 0.0 <= cal.probability({"log_margin": -0.1, "focus": 1.0, "log_best": -0.2}) <= 1.0
    True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

FEATURES = ("log_best", "log_margin", "focus")
"""What the model uses: how strongly the evidence supports the chosen option, how far ahead of
the runner-up it is (both on a log scale: the difference between 0.01 and 0.1 matters more than
between 0.6 and 0.7) and how much of the question's focus the cited evidence covers. Richer
feature sets (kind of judge, sight, anchors) were tried and did not calibrate better on held-out
sets (bench/RESULTS.md)."""


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    bias: float
    meta: dict = field(default_factory=dict)
    """How it was fitted: sets, items, ECE, the chosen threshold."""

    def logit(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * float(features.get(name, 0.0)) for name, w in self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        z = max(-30.0, min(30.0, self.logit(features)))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {"features": list(self.weights), "weights": self.weights, "bias": self.bias, "meta": self.meta}


def packaged_path() -> Path:
    return Path(str(resources.files("keyclip.agent") / "data" / "calibration.json"))


@lru_cache(maxsize=1)
def packaged_calibration() -> Calibration:
    """The shipped model, read once per process."""
    return load_calibration()


def load_calibration(path: Path | None = None) -> Calibration:
    """The fitted model (``path``, else the packaged one)."""
    data = json.loads((path or packaged_path()).read_text())
    return Calibration({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), data.get("meta", {}))


def fit_logistic(rows: list[dict[str, float]], labels: list[int], l2: float = 1.0, iterations: int = 200,
                 features: tuple[str, ...] = FEATURES) -> Calibration:
    """Maximum-likelihood logistic regression with an L2 penalty (Newton's method), on ``rows``
    of ``features`` and 0/1 ``labels``."""
    import numpy as np

    x = np.array([[float(r.get(f, 0.0)) for f in features] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    x1 = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x1.shape[1])
    penalty = np.eye(x1.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x1 @ w, -30, 30)))
        grad = x1.T @ (p - y) + penalty @ w
        hess = x1.T @ (x1 * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return Calibration({f: round(float(v), 4) for f, v in zip(features, w[1:])}, round(float(w[0]), 4))


def expected_calibration_error(probs: list[float], labels: list[int], bins: int = 10) -> tuple[float, list[dict]]:
    """ECE over equal-width bins, and the reliability table (bin, items, mean confidence, accuracy)."""
    table = []
    total = len(probs)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, p in enumerate(probs) if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not idx:
            continue
        conf = sum(probs[i] for i in idx) / len(idx)
        acc = sum(labels[i] for i in idx) / len(idx)
        ece += len(idx) / total * abs(conf - acc)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "items": len(idx), "confidence": round(conf, 3),
                      "accuracy": round(acc, 3)})
    return ece, table
