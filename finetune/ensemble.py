"""The classifier's members and how their probabilities are combined.

A trained task folder holds up to three members, each giving class probabilities:
``encoder`` (the LoRA-tuned transformer and its head), ``keywords`` (n-gram TF-IDF + LR) and
``sentence`` (frozen MiniLM sentence embedding + LR). Their probabilities are averaged with the
weights saved in ``classifier.json`` (equal by default: chosen by repeated cross-validation over all
labelled failure-mode logs, docs/classifier.md), and the average is temperature-scaled on the
held-out calibration slice like a single model's logits (``log p`` plays the logits' part).
A folder from before the ensemble has the encoder alone, and is read as such.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.finetune.linear import KeywordModel, SentenceModel
from shopfloor.models import EMBEDDER

if TYPE_CHECKING:
    import numpy as np


def weights(meta: dict) -> dict[str, float]:
    """Member -> weight (summing to 1) as saved; the encoder alone for folders without ``members``."""
    w = meta.get("members") or {"encoder": 1.0}
    total = sum(w.values())
    return {k: v / total for k, v in w.items() if v > 0}


def combine(parts: dict[str, np.ndarray], w: dict[str, float]) -> np.ndarray:
    """Weighted mean of the members' (n, n_labels) probabilities."""
    import numpy as np

    return np.sum([w[k] * parts[k] for k in w], axis=0)


def as_logits(p: np.ndarray) -> np.ndarray:
    """log-probabilities: what temperature scaling and the review threshold work on."""
    import numpy as np

    return np.log(np.clip(p, 1e-9, 1.0))


def sentence_engine(runtime: str = "auto") -> str:
    """"onnx-int8" where onnxruntime is installed (and ``runtime`` is not "torch"), else "torch"."""
    from shopfloor.finetune.runtime import available

    return "onnx-int8" if runtime == "auto" and available() else "torch"


def sentence_vectors(texts: list[str], embedder: str = EMBEDDER, batch_size: int = 64,
                     engine: str | None = None) -> np.ndarray:
    """Frozen, L2-normalised sentence embeddings: int8 ONNX Runtime (3x faster on 2 cores) or the torch model.

    Training records the engine it used (``classifier.json``: ``sentence_engine``) and prediction uses the same.
    """
    engine = engine or sentence_engine()
    if engine == "onnx-int8":
        return _ort_sentence(embedder).encode(list(texts), batch_size)
    from shopfloor.models import load_embedder

    return load_embedder(embedder).encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False).astype("float32")


@functools.lru_cache(maxsize=2)
def _ort_sentence(embedder: str):
    from shopfloor.finetune.runtime import OrtSentence

    return OrtSentence(embedder)


class Members:
    """The linear members of one task folder, loaded once."""

    def __init__(self, folder: Path, meta: dict):
        w = weights(meta)
        self.keywords = KeywordModel.load(folder) if "keywords" in w else None
        self.sentence = SentenceModel.load(folder) if "sentence" in w else None

    def parts(self, texts: list[str], vectors: np.ndarray | None) -> dict[str, np.ndarray]:
        out = {}
        if self.keywords is not None:
            out["keywords"] = self.keywords.probabilities(texts)
        if self.sentence is not None and vectors is not None:
            out["sentence"] = self.sentence.probabilities(vectors)
        return out
