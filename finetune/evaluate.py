"""Scoring a classifier on a labelled table: accuracy, macro/weighted F1, speed, review rate, calibration."""

from __future__ import annotations

import time
from pathlib import Path

from shopfloor.calibration import expected_calibration_error
from shopfloor.finetune.data import load_labelled


def scores(y_true: list[str], y_pred: list[str]) -> dict:
    """Accuracy and F1 over the union of true and predicted labels: a label unseen in training is an error."""
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(y_true) | set(y_pred))
    return {"accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=sorted(set(y_true)), average="macro", zero_division=0)),
            "weighted_f1": float(f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0))}


def evaluate(clf, data: str | Path | list, text_col: str, label_col: str) -> dict:
    """Metrics of ``clf`` (a Classifier, or a cold-start one) on the table(s) ``data``.

    ``majority_class_accuracy`` is what always guessing the data's most common label scores; a model
    that does not beat it gets a ``warning``.

    ``macro_f1`` averages over the classes present in the evaluation data (the usual convention);
    rows whose true label the model never saw count as errors.
    """
    import numpy as np

    texts, labels = load_labelled(data if isinstance(data, list) else [data], text_col, label_col)
    t0 = time.perf_counter()
    preds = clf.predict(texts)
    secs = time.perf_counter() - t0
    y_pred = [p.label for p in preds]
    conf = np.array([p.confidence for p in preds])
    correct = np.array([p == y for p, y in zip(y_pred, labels, strict=True)])
    review = np.array([p.needs_review for p in preds])
    known = set(clf.labels)
    from collections import Counter

    prior = Counter(labels).most_common(1)[0][1] / len(labels)  # always guessing the most common label
    out = {"n": len(texts), **scores(labels, y_pred), "texts_per_s": len(texts) / secs,
           "majority_class_accuracy": prior,
           "needs_review_rate": float(review.mean()), "ece": expected_calibration_error(conf, correct),
           "accepted_accuracy": float(correct[~review].mean()) if (~review).any() else None,
           "unseen_label_rows": int(sum(y not in known for y in labels))}
    if out["accuracy"] <= prior:
        out["warning"] = (f"no better than always guessing the most common label ({prior:.3f}): keep reviewing "
                          "every row and train on the reviewed labels")
    return out
