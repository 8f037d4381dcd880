"""Calibrated confidence, shared by the text and image classifiers: temperature scaling (Guo et al. 2017),
a review threshold for a target precision, ECE."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    import numpy as np

    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising held-out negative log-likelihood (grid then refine; robust on tiny slices)."""
    import numpy as np

    if len(labels) == 0:
        return 1.0

    def nll(t: float) -> float:
        p = softmax(logits, t)[np.arange(len(labels)), labels]
        return float(-np.log(np.clip(p, 1e-12, 1.0)).mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(10), 100))
    best = min(grid, key=nll)
    fine = np.linspace(best * 0.9, best * 1.1, 41)
    return float(min(fine, key=nll))


def threshold_for_precision(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence cut whose accepted rows reach ``target`` precision (1.0 when none does)."""
    import numpy as np

    order = np.argsort(-confidence)
    conf, ok = confidence[order], correct[order].astype(float)
    precision = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    reaching = np.where(precision >= target)[0]
    if len(reaching) == 0:
        return 1.0
    return float(conf[reaching[-1]])


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Weighted mean |accuracy - confidence| over equal-width confidence bins."""
    import numpy as np

    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (confidence > lo) & (confidence <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - confidence[m].mean())
    return float(ece)
