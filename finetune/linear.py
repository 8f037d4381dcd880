"""The two linear members of the classifier ensemble: what a fine-tuned encoder misses on short, noisy logs.

* :class:`KeywordModel`: TF-IDF word (1-2) and character (2-5, within words) n-grams + logistic regression.
  Misspellings ("spaying slurry"), shorthand ("u/s", "brg") and part numbers are matched by their letters.
* :class:`SentenceModel`: logistic regression on the frozen all-MiniLM-L6-v2 sentence embedding, the
  strongest single model on the 564 labelled failure-mode logs (docs/classifier.md).

Both are saved without pickle (JSON vocabularies, ``.npz`` arrays), so a model folder is safe to open.
Measured in repeated 5-fold cross-validation by ``benchmarks/bench_classifier.py``.

Example:
    >>> km = KeywordModel.fit(["hose burst", "pump leaking", "hose split"], [0, 1, 0], n_classes=2)  # doctest: +SKIP
    >>> km.probabilities(["hose brst"]).argmax(1)                                                     # doctest: +SKIP
    array([0])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

KEYWORDS_FILE = "keywords.npz"
SENTENCE_FILE = "sentence_lr.npz"
_C = 10.0  # inverse regularisation of both logistic regressions (class-balanced); measured, not tuned per split
_WORD = {"ngram_range": (1, 2), "sublinear_tf": True, "max_features": 20000}
_CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "max_features": 40000}


def _logreg(x, y, n_classes: int, seed: int):
    """(coef (n_classes, d), intercept (n_classes,)) with rows for every class; absent classes never win."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=_C, max_iter=3000, class_weight="balanced", random_state=seed).fit(x, y)
    coef = np.zeros((n_classes, x.shape[1]), dtype="float32")
    intercept = np.full(n_classes, -1e4, dtype="float32")
    if len(lr.classes_) == 2:  # sklearn keeps one row for two classes: logit of the second
        coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
        coef[lr.classes_[0]], intercept[lr.classes_[0]] = 0.0, 0.0
    else:
        coef[lr.classes_], intercept[lr.classes_] = lr.coef_, lr.intercept_
    return coef, intercept


def _softmax_rows(z):
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class KeywordModel:
    """Word and character n-gram TF-IDF + multinomial logistic regression."""

    def __init__(self, word, char, coef, intercept):
        self.word, self.char, self.coef, self.intercept = word, char, coef, intercept

    @classmethod
    def fit(cls, texts: list[str], labels: list[int], n_classes: int, seed: int = 13) -> KeywordModel:
        from sklearn.feature_extraction.text import TfidfVectorizer

        word, char = TfidfVectorizer(**_WORD), TfidfVectorizer(**_CHAR)
        x = _stack(word.fit_transform(texts), char.fit_transform(texts))
        coef, intercept = _logreg(x, labels, n_classes, seed)
        return cls(word, char, coef, intercept)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, n_classes) class probabilities."""
        x = _stack(self.word.transform(texts), self.char.transform(texts))
        return _softmax_rows(x @ self.coef.T + self.intercept)

    def save(self, folder: Path) -> None:
        import numpy as np

        vocab = {"word": _ordered(self.word), "char": _ordered(self.char)}
        np.savez_compressed(folder / KEYWORDS_FILE, coef=self.coef.astype("float16"), intercept=self.intercept,
                            word_idf=self.word.idf_, char_idf=self.char.idf_, vocab=np.array(json.dumps(vocab)))

    @classmethod
    def load(cls, folder: Path) -> KeywordModel:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        with np.load(folder / KEYWORDS_FILE) as z:
            vocab = json.loads(str(z["vocab"]))
            word, char = TfidfVectorizer(**_WORD), TfidfVectorizer(**_CHAR)
            for vec, name in ((word, "word"), (char, "char")):
                vec.vocabulary_ = {t: i for i, t in enumerate(vocab[name])}
                vec.idf_ = z[f"{name}_idf"]
            return cls(word, char, z["coef"].astype("float32"), z["intercept"])


class SentenceModel:
    """Logistic regression on frozen, L2-normalised sentence embeddings (computed by the caller)."""

    def __init__(self, coef, intercept):
        self.coef, self.intercept = coef, intercept

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: list[int], n_classes: int, seed: int = 13) -> SentenceModel:
        return cls(*_logreg(vectors, labels, n_classes, seed))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        return _softmax_rows(vectors @ self.coef.T + self.intercept)

    def save(self, folder: Path) -> None:
        import numpy as np

        np.savez_compressed(folder / SENTENCE_FILE, coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, folder: Path) -> SentenceModel:
        import numpy as np

        with np.load(folder / SENTENCE_FILE) as z:
            return cls(z["coef"], z["intercept"])


def _stack(a, b):
    from scipy.sparse import hstack

    return hstack([a, b]).tocsr()


def _ordered(vec) -> list[str]:
    terms = [""] * len(vec.vocabulary_)
    for t, i in vec.vocabulary_.items():
        terms[i] = t
    return terms
