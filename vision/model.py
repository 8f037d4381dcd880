"""One folder format for both image models, and the operations on it: load, run, evaluate.

A model folder holds ``model.json`` (kind, classes or threshold, cross-validated figures, provenance)
and ``weights.npz`` (plain arrays; nothing is unpickled). ``kind`` is ``classifier`` or ``anomaly``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from shopfloor.errors import InputError, NotBuiltError

Progress = Callable[[str, int, int], None]
CHUNK = 32


def load_model(path: str | Path):
    """The :class:`DefectClassifier` or :class:`AnomalyModel` saved in ``path``."""
    path = Path(path)
    cfg = path / "model.json"
    if not cfg.exists() or not (path / "weights.npz").exists():
        raise NotBuiltError(f"no image model at {path} (train one with: shopfloor inspect train --data DIR --out {path})")
    try:
        meta = json.loads(cfg.read_text())
    except json.JSONDecodeError as e:
        raise NotBuiltError(f"{cfg} is damaged ({e.msg}); retrain the model") from None
    if meta.get("kind") == "anomaly":
        from shopfloor.vision.anomaly import AnomalyModel

        return AnomalyModel.load(path, meta)
    if meta.get("kind") == "classifier":
        from shopfloor.vision.classifier import DefectClassifier

        return DefectClassifier.load(path, meta)
    raise NotBuiltError(f"{cfg}: unknown model kind {meta.get('kind')!r}")


def run(models: Iterable, sources: list[tuple[str, object]], *, heatmaps: bool = True, backbone=None,
        progress: Progress | None = None) -> list:
    """Inspect ``sources`` — (name, path or bytes) pairs — with every model; one merged result per image.

    Unreadable images get a result with ``error`` set instead of stopping the run.
    """
    from shopfloor.vision.backbone import Backbone
    from shopfloor.vision.images import load_image
    from shopfloor.vision.results import InspectionResult

    models = sorted(models, key=lambda m: m.kind != "classifier")  # the class first, the anomaly verdict merged in
    if not models:
        raise NotBuiltError("no image model is trained yet")
    backbone = backbone or Backbone()
    out: list[InspectionResult] = []
    if progress:
        progress("inspecting", 0, len(sources))
    for start in range(0, len(sources), CHUNK):
        imgs, names, results = [], [], {}
        for name, src in sources[start:start + CHUNK]:
            try:
                imgs.append(load_image(src, name=name))
                names.append(name)
            except InputError as e:
                results[name] = InspectionResult(image=name, error=str(e))
        if imgs:
            per_model = [m.predict_arrays(imgs, names, backbone=backbone, heatmaps=heatmaps) for m in models]
            for j, name in enumerate(names):
                r = per_model[0][j]
                for other in per_model[1:]:
                    r = r.merge(other[j])
                normal = next((m.normal_class for m in models if m.kind == "anomaly"), None)
                if r.label is not None and r.label == normal and r.anomalous:
                    r.needs_review = True
                    r.review_reason = f"classified {normal} but unlike the good parts the anomaly model knows"
                results[name] = r
        out += [results[name] for name, _ in sources[start:start + CHUNK]]
        if progress:
            progress("inspecting", min(start + CHUNK, len(sources)), len(sources))
    return out


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
