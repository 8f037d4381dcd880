"""One folder format for both image models, and the operations on it: load, run, evaluate.

A model folder holds ``model.json`` (kind, classes or threshold, cross-validated figures, provenance, and the
name of its weights file) and ``weights-<sha256>.npz`` (plain arrays; nothing is unpickled; ``weights.npz`` in
folders saved before the atomic switch). ``kind`` is ``classifier`` or ``anomaly``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from shopfloor.errors import InputError, NotBuiltError

Progress = Callable[[str, int, int], None]
CHUNK = 32  # photos decoded and run together
MAX_SIDE = 1024  # px: a decoded photo is shrunk to this long side at once (the models see 224 px)


def load_model(path: str | Path):
    """The :class:`DefectClassifier` or :class:`AnomalyModel` saved in ``path``."""
    path = Path(path)
    cfg = path / "model.json"
    if not cfg.exists():
        raise NotBuiltError(f"no image model at {path} (train one with: shopfloor inspect train --data DIR --out {path})")
    try:
        meta = json.loads(cfg.read_text())
    except json.JSONDecodeError as e:
        raise NotBuiltError(f"{cfg} is damaged ({e.msg}); retrain the model") from None
    if not isinstance(meta, dict):
        raise NotBuiltError(f"{cfg} is damaged (not a JSON object); retrain the model")
    if meta.get("kind") == "anomaly":
        from shopfloor.vision.anomaly import AnomalyModel

        return AnomalyModel.load(path, meta)
    if meta.get("kind") == "classifier":
        from shopfloor.vision.classifier import DefectClassifier

        return DefectClassifier.load(path, meta)
    raise NotBuiltError(f"{cfg}: unknown model kind {meta.get('kind')!r}")


def run(models: Iterable, sources: list[tuple[str, str | Path | bytes]], *, heatmaps: bool = True, backbone=None,
        progress: Progress | None = None) -> list:
    """Inspect ``sources`` — (name, path or bytes) pairs — with every model; one merged result per image.

    Unreadable images get a result with ``error`` set instead of stopping the run.
    """
    from shopfloor.vision.backbone import Backbone

    models = sorted(models, key=lambda m: m.kind != "classifier")  # the class first, the anomaly verdict merged in
    if not models:
        raise NotBuiltError("no image model is trained yet")
    backbone = backbone or Backbone()
    out: list = []
    if progress:
        progress("inspecting", 0, len(sources))
    for start in range(0, len(sources), CHUNK):
        out += _run_chunk(models, sources[start:start + CHUNK], heatmaps, backbone)
        if progress:
            progress("inspecting", min(start + CHUNK, len(sources)), len(sources))
    return out


def _run_chunk(models: list, sources: list[tuple[str, str | Path | bytes]], heatmaps: bool, backbone) -> list:
    """One result per source, by position (names may repeat: two photos called image.jpg keep their own results).

    Photos are decoded one at a time and shrunk to at most ``MAX_SIDE`` px on their long side before the next
    is read, so a chunk holds at most ``CHUNK`` small arrays however large the photos are.
    """
    from shopfloor.vision.images import load_image
    from shopfloor.vision.results import InspectionResult

    results: list = [None] * len(sources)
    imgs, names, where = [], [], []
    for i, (name, src) in enumerate(sources):
        try:
            imgs.append(load_image(src, name=name, max_side=MAX_SIDE))
        except InputError as e:
            results[i] = InspectionResult(image=name, error=str(e))
            continue
        names.append(name)
        where.append(i)
    if imgs:
        per_model = [m.predict_arrays(imgs, names, backbone=backbone, heatmaps=heatmaps) for m in models]
        normal = next((m.normal_class for m in models if m.kind == "anomaly"), None)
        for j, i in enumerate(where):
            r = per_model[0][j]
            for other in per_model[1:]:
                r = r.merge(other[j])
            if r.label is not None and r.label == normal and r.anomalous:
                r.needs_review = True
                r.review_reason = f"classified {normal} but unlike the good parts the anomaly model knows"
            elif r.label is not None and r.anomalous and r.needs_review:
                r.unknown = True  # the classifier had to pick a class and was unsure: maybe none of them
                r.review_reason = (f"unlike the good parts, and not clearly {r.label} or another known class: "
                                   "possibly a kind of defect the classifier was never shown")
            results[i] = r
    return results


def evaluate(model, data, *, backbone=None, progress: Progress | None = None) -> dict:
    """Figures on labelled folders: accuracy/macro-F1/per-class recall (classifier) or AUROC (anomaly)."""
    from sklearn.metrics import f1_score, roc_auc_score

    results = run([model], [(str(p), p) for p in data.paths], heatmaps=False, backbone=backbone, progress=progress)
    ok = [i for i, r in enumerate(results) if r.error is None]
    skipped = [results[i].error for i in range(len(results)) if results[i].error]
    truth = [data.labels[i] for i in ok]
    if model.kind == "classifier":
        unknown = sorted(set(truth) - set(model.classes))
        if unknown:
            raise InputError(f"class folder(s) {unknown} are not classes of this model ({model.classes})")
        pred = [results[i].label for i in ok]
        correct = np.array([p == t for p, t in zip(pred, truth, strict=True)])
        review = np.array([results[i].needs_review for i in ok])
        return {"kind": "classifier", "images": len(ok), "skipped": skipped,
                "accuracy": round(float(correct.mean()), 4),
                "macro_f1": round(float(f1_score(truth, pred, average="macro", labels=sorted(set(truth)))), 4),
                "per_class_recall": {c: round(float(correct[[t == c for t in truth]].mean()), 4)
                                     for c in sorted(set(truth))},
                "review_rate": round(float(review.mean()), 4),
                "accepted_accuracy": round(float(correct[~review].mean()), 4) if (~review).any() else None}
    normal = model.normal_class
    if normal not in truth:
        raise InputError(f"the data needs a {normal!r} folder (the model's normal class) to measure false alarms")
    y = np.array([t != normal for t in truth])
    s = np.array([results[i].anomaly_score for i in ok])
    flagged = s >= 1.0
    out = {"kind": "anomaly", "images": len(ok), "skipped": skipped, "normal_class": normal,
           "auroc": round(float(roc_auc_score(y, s)), 4) if 0 < y.sum() < len(y) else None,
           "false_alarm_rate": round(float(flagged[~y].mean()), 4),
           "defect_recall": round(float(flagged[y].mean()), 4) if y.any() else None,
           "per_class_recall": {c: round(float(flagged[[t == c for t in truth]].mean()), 4)
                                for c in sorted(set(truth)) if c != normal}}
    return out
