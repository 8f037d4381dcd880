"""Reviewed examples that change predictions at once, before any retraining.

A person corrects a row; from that moment the same text, and texts close to it, get the reviewed
label. The memory holds the frozen sentence embeddings of reviewed texts and their labels; a new
text's probabilities are blended with a nearest-neighbour vote of the reviewed texts, more strongly
the closer the nearest one is (cosine ``FLOOR`` -> no effect, 1.0 -> the reviewed label alone).
The reviews themselves live in the workspace database; this is derived state, rebuilt on load.
Measured by ``benchmarks/bench_classifier.py`` (simulated review of 50 rows; docs/classifier.md).

Example:
    >>> m = ReviewMemory()                                                        # doctest: +SKIP
    >>> m.add(vecs, ["Leaking"]); m.blend(p, labels, new_vecs)                   # doctest: +SKIP
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

FLOOR = 0.80  # below this similarity a reviewed text says nothing about a new one (fixed a priori, not tuned)
K = 5


class ReviewMemory:
    """Embeddings and labels of reviewed texts; the latest review of a text wins."""

    def __init__(self):
        self._vecs: dict[str, np.ndarray] = {}  # normalised text -> embedding
        self._labels: dict[str, str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._labels)

    def add(self, texts: list[str], labels: list[str], vectors: np.ndarray) -> None:
        with self._lock:
            for t, y, v in zip(texts, labels, vectors, strict=True):
                key = " ".join(str(t).lower().split())
                self._vecs[key], self._labels[key] = v.astype("float32"), str(y)

    def labels(self) -> list[str]:
        with self._lock:
            return sorted(set(self._labels.values()))

    def blend(self, probs: np.ndarray, labels: list[str], vectors: np.ndarray) -> tuple[np.ndarray, list[str], list]:
        """(probabilities over ``labels`` + any reviewed label not in it, the extended labels, per-row evidence).

        Evidence per row: None, or (similarity, reviewed label) of the nearest reviewed text that moved it.
        """
        import numpy as np

        with self._lock:
            keys = list(self._labels)
            if not keys:
                return probs, labels, [None] * len(probs)
            mem = np.stack([self._vecs[k] for k in keys])
            mem_labels = [self._labels[k] for k in keys]
        ext = labels + sorted(set(mem_labels) - set(labels))
        out = np.zeros((len(probs), len(ext)), dtype="float64")
        out[:, :len(labels)] = probs
        sims = vectors @ mem.T  # (n, n_reviewed)
        evidence: list = [None] * len(probs)
        for r in range(len(probs)):
            top = np.argsort(-sims[r])[:K]
            near = [j for j in top if sims[r, j] >= FLOOR]
            if not near:
                continue
            vote = np.zeros(len(ext))
            for j in near:
                vote[ext.index(mem_labels[j])] += sims[r, j] - FLOOR + 1e-6
            vote /= vote.sum()
            a = float(np.clip((sims[r, near[0]] - FLOOR) / (1.0 - FLOOR), 0.0, 1.0))
            out[r] = (1 - a) * out[r] + a * vote
            evidence[r] = (float(sims[r, near[0]]), mem_labels[near[0]])
        return out, ext, evidence
