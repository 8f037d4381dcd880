"""Cold start: classify with only a taxonomy (label + one-line description), by embedding similarity.

Everything it predicts is flagged for review: its job is to pre-fill labels so that people can
correct them, and the corrected rows become the first training data.
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.finetune.predict import Prediction
from shopfloor.models import EMBEDDER


def load_taxonomy(path: str | Path, task: str) -> dict[str, str]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if task not in data:
        raise InputError(f"{path}: no task {task!r}; tasks in the file: {sorted(data)}")
    labels = data[task]
    if isinstance(labels, list):
        labels = {str(x): "" for x in labels}
    if not isinstance(labels, dict) or len(labels) < 2:
        raise InputError(f"{path}: task {task!r} needs at least two labels (label: description)")
    return {str(k): str(v or "") for k, v in labels.items()}


def label_text(label: str, description: str) -> str:
    """What a taxonomy label is compared with (and, for a label nobody has reviewed yet, trained on):
    ``"label words: description"``, or the label words alone."""
    return f"{label.replace('_', ' ')}: {description}".rstrip(": ")


class ColdStartClassifier:
    """Nearest label description in MiniLM space; a softmax over cosine similarities gives the ranking."""

    def __init__(self, taxonomy: dict[str, str], task: str, embedder: str = EMBEDDER,
                 sharpness: float = 20.0):
        from shopfloor.models import load_embedder

        self.task, self.labels = task, list(taxonomy)
        self._model = load_embedder(embedder)
        texts = [label_text(k, v) for k, v in taxonomy.items()]
        self._label_vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        self.sharpness = sharpness
        self.folder = None

    @classmethod
    def from_yaml(cls, path: str | Path, task: str) -> ColdStartClassifier:
        return cls(load_taxonomy(path, task), task)

    def predict(self, texts: list[str], top: int = 3) -> list[Prediction]:
        import numpy as np

        texts = [str(t or "") for t in texts]
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        z = vecs @ self._label_vecs.T * self.sharpness
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out = []
        for row in p:
            order = row.argsort()[::-1][:top]
            out.append(Prediction(self.labels[order[0]], float(row[order[0]]),
                                  [(self.labels[i], float(row[i])) for i in order[1:]], True,
                                  "cold start: no trained model yet, please confirm"))
        return out
