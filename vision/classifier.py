"""Defect classifier: frozen EfficientNet-Lite0 features + a calibrated logistic-regression head.

Chosen by cross-validation on the shared NEU and magnetic-tile images (docs/inspection.md): on a
2-core CPU it trains in well under a minute per thousand images and beats a small CNN trained from
scratch. Training:

1. every image (plus ``augment_views - 1`` random flips/turns/crops/lighting changes; none by default:
   on the magnetic tiles they cost 2.7 points of cross-validated accuracy, on NEU they gained 0.3) is
   embedded once;
2. k-fold out-of-fold predictions (views of one photo stay in one fold) give the honest accuracy,
   the softmax temperature and the confidence cut that reaches ``target_precision`` — below it a
   result is marked ``needs_review``;
3. the head is refitted on everything and saved as plain arrays (``weights.npz``, no pickle).

A prediction also carries a class-activation map: the head is linear on averaged features, so the
predicted class's weights applied to the 7x7 feature map show where the evidence is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopfloor.calibration import expected_calibration_error, fit_temperature, softmax, threshold_for_precision
from shopfloor.errors import InputError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
MIN_PER_CLASS = 2
CHUNK = 64


def _noop(stage: str, done: int, total: int) -> None:
    pass


def embed_set(paths: list[Path], backbone, *, views: int = 1, seed: int = 13,
              progress: Progress = _noop) -> tuple[np.ndarray, np.ndarray, list[int], list[str]]:
    """Features of every readable image (and its augmented views).

    Returns (features, image index of each row, indices of the images read, skipped 'file: reason').
    """
    from shopfloor.vision.augment import views as make_views
    from shopfloor.vision.images import load_image

    rng = np.random.default_rng(seed)
    feats, owner, ok, skipped = [], [], [], []
    progress("embedding images", 0, len(paths))
    for start in range(0, len(paths), CHUNK):
        batch, who = [], []
        for i in range(start, min(start + CHUNK, len(paths))):
            try:
                img = load_image(paths[i])
            except InputError as e:
                skipped.append(str(e))
                continue
            ok.append(i)
            for v in make_views(img, views, rng):
                batch.append(v)
                who.append(i)
        if batch:
            feats.append(backbone.embed(batch))
            owner += who
        progress("embedding images", min(start + CHUNK, len(paths)), len(paths))
    if not feats:
        return np.zeros((0, 1280), np.float32), np.zeros(0, int), ok, skipped
    return np.concatenate(feats), np.asarray(owner), ok, skipped


@dataclass
class Head:
    """Standardise, then a multinomial logistic regression; logits are plain matrix algebra."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (classes, 1280)
    intercept: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, c: float, balanced: bool, seed: int) -> Head:
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(0), x.std(0) + 1e-6
        lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None, random_state=seed)
        lr.fit((x - mean) / scale, y)
        coef, intercept = lr.coef_, lr.intercept_
        if coef.shape[0] == 1:  # two classes: sklearn keeps one row; make it symmetric
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        return cls(mean.astype(np.float32), scale.astype(np.float32), coef.astype(np.float32),
                   intercept.astype(np.float32))

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef.T + self.intercept

    def cam(self, maps: np.ndarray, cls_index: int) -> np.ndarray:
        """(7, 7) evidence for class ``cls_index`` in one image's feature map, scaled to [0, 1]."""
        w = self.coef[cls_index] / self.scale
        m = maps @ w
        m = m - m.min()
        return m / m.max() if m.max() > 0 else m


@dataclass
class DefectClassifier:
    """A trained image classifier; ``predict`` returns :class:`InspectionResult` per image."""

    classes: list[str]
    head: Head
    temperature: float = 1.0
    review_threshold: float = 0.0
    meta: dict = field(default_factory=dict)
    kind: str = "classifier"

    # --- training -------------------------------------------------------------------------------
    @classmethod
    def train(cls, data, *, augment_views: int = 1, c: float = 0.5, balanced: bool = True, folds: int = 5,
              target_precision: float = 0.95, seed: int = 13, backbone=None, source: str | None = None,
              extra: int = 0, progress: Progress = _noop) -> DefectClassifier:
        """Fit on an :class:`~shopfloor.vision.images.ImageSet` (labels from class folders).

        ``source`` (the training folder) is recorded so a retrain can find it again; ``extra`` says how many
        of the images are reviewed corrections (recorded too).
        """
        from sklearn.model_selection import StratifiedKFold

        from shopfloor.vision.backbone import Backbone

        counts = data.counts()
        if len(data.classes) < 2:
            raise InputError(f"a classifier needs at least two class folders; found {data.classes}")
        small = [c_ for c_, n in counts.items() if n < MIN_PER_CLASS]
        if small:
            raise InputError(f"class {small[0]!r} has {counts[small[0]]} image(s); each class needs at least "
                             f"{MIN_PER_CLASS} (20+ recommended)")
        t0 = time.perf_counter()
        backbone = backbone or Backbone()
        x, owner, ok, skipped = embed_set(data.paths, backbone, views=augment_views, seed=seed, progress=progress)
        labels = np.array([data.classes.index(lab) for lab in data.labels])
        y = labels[owner]
        read = np.asarray(ok)
        k = int(min(folds, np.bincount(labels[read], minlength=len(data.classes)).min()))
        if k < 2:
            raise InputError("after skipping unreadable images a class has fewer than 2 images: " + "; ".join(skipped[:3]))
        oof = np.zeros((len(read), len(data.classes)), np.float32)
        pos = {img: j for j, img in enumerate(read)}
        skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        progress("cross-validating", 0, k)
        for f, (tr, te) in enumerate(skf.split(read, labels[read])):
            train_rows = np.isin(owner, read[tr])
            head = Head.fit(x[train_rows], y[train_rows], c, balanced, seed)
            test_rows = np.isin(owner, read[te])
            originals = test_rows & np.r_[True, owner[1:] != owner[:-1]]  # the first row of each image is the photo itself
            oof[[pos[i] for i in owner[originals]]] = head.logits(x[originals])
            progress("cross-validating", f + 1, k)
        true = labels[read]
        temperature = fit_temperature(oof, true)
        p = softmax(oof, temperature)
        conf, pred = p.max(1), p.argmax(1)
        correct = pred == true
        threshold = threshold_for_precision(conf, correct, target_precision)
        head = Head.fit(x, y, c, balanced, seed)
        from sklearn.metrics import f1_score

        accepted = conf >= threshold
        meta = {
            "kind": "classifier", "backbone": "efficientnet-lite0 (ImageNet, frozen)", "classes": data.classes,
            "data": source, "reviewed_images": extra,
            "images": {c_: int((labels[read] == i).sum()) for i, c_ in enumerate(data.classes)},
            "skipped": skipped, "augment_views": augment_views, "C": c, "balanced": balanced, "folds": k,
            "cv_accuracy": round(float(correct.mean()), 4),
            "cv_macro_f1": round(float(f1_score(true, pred, average="macro")), 4),
            "cv_ece": round(expected_calibration_error(conf, correct), 4),
            "target_precision": target_precision, "review_threshold": round(threshold, 4),
            "cv_review_rate": round(float(1 - accepted.mean()), 4),
            "cv_accepted_precision": round(float(correct[accepted].mean()), 4) if accepted.any() else None,
            "train_seconds": round(time.perf_counter() - t0, 1),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        return cls(list(data.classes), head, temperature, threshold, meta)

    # --- use --------------------------------------------------------------------------------------
    def predict_arrays(self, images: list[np.ndarray], names: list[str], backbone=None,
                       heatmaps: bool = True) -> list:
        from shopfloor.vision.backbone import Backbone
        from shopfloor.vision.results import InspectionResult

        backbone = backbone or Backbone()
        feats, maps = backbone.embed_maps(images, keep_maps=heatmaps)
        probs = softmax(self.head.logits(feats), self.temperature)
        out = []
        for i, (name, p) in enumerate(zip(names, probs, strict=True)):
            order = np.argsort(-p)
            top = int(order[0])
            out.append(InspectionResult(
                image=name, label=self.classes[top], confidence=float(p[top]),
                alternatives=[(self.classes[j], float(p[j])) for j in order[1:3]],
                needs_review=bool(p[top] < self.review_threshold),
                review_reason=(f"confidence below {self.review_threshold:.0%}, the cut that reached "
                               f"{self.meta.get('target_precision', 0.95):.0%} precision in cross-validation")
                if p[top] < self.review_threshold else None,
                heatmap=self.head.cam(maps[i], top) if heatmaps else None))
        return out

    # --- files ------------------------------------------------------------------------------------
    def save(self, out: str | Path) -> Path:
        """Weights and ``model.json`` in ``out``, switched atomically (:func:`~shopfloor.vision.model.save_model_files`)."""
        from shopfloor.vision.storage import save_model_files

        return save_model_files(out, {"mean": self.head.mean, "scale": self.head.scale, "coef": self.head.coef,
                                      "intercept": self.head.intercept},
                                {**self.meta, "classes": self.classes, "temperature": self.temperature,
                                 "review_threshold": self.review_threshold})

    @classmethod
    def load(cls, path: str | Path, meta: dict) -> DefectClassifier:
        from shopfloor.vision.storage import weights_of

        w = weights_of(Path(path), meta)
        head = Head(w["mean"], w["scale"], w["coef"], w["intercept"])
        return cls(meta["classes"], head, float(meta["temperature"]), float(meta["review_threshold"]), meta)
