"""The image models on the real shared images (read from ../shared/data, never copied): small subsets, real figures.

The full cross-validated figures are in docs/inspection.md (benchmarks/bench_inspection.py); these tests
keep the path honest in CI on a few dozen photos per class.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def _split(data, per_class_train: int, per_class_test: int, seed: int = 13):
    rng = np.random.default_rng(seed)
    tr, te = [], []
    for c in data.classes:
        idx = rng.permutation([i for i, lab in enumerate(data.labels) if lab == c])
        tr += list(idx[:per_class_train])
        te += list(idx[per_class_train:per_class_train + per_class_test])
    return data.subset(sorted(tr)), data.subset(sorted(te))


def test_neu_steel_defects_from_twenty_photos_a_class(shared_data, backbone):
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import read_folder
    from shopfloor.vision.model import evaluate

    train, test = _split(read_folder(shared_data / "images" / "neu"), 20, 10)
    clf = DefectClassifier.train(train, backbone=backbone)
    r = evaluate(clf, test, backbone=backbone)
    assert r["accuracy"] >= 0.9, r  # measured 0.967-0.988 in 5-fold CV on 40 a class
    assert r["review_rate"] <= 0.3 and r["accepted_accuracy"] >= 0.9  # few photos held back, the rest right


def test_magnetic_tile_odd_sizes_and_an_anomaly_model_on_good_tiles(shared_data, backbone):
    from shopfloor.vision.anomaly import AnomalyModel
    from shopfloor.vision.images import read_folder
    from shopfloor.vision.model import evaluate

    data = read_folder(shared_data / "images" / "magnetic_tile" / "images")
    train, test = _split(data, 40, 15)
    good = [p for p, lab in zip(train.paths, train.labels, strict=True) if lab == "free"]
    an = AnomalyModel.train(good, normal_class="free", backbone=backbone)
    r = evaluate(an, test, backbone=backbone)
    # 0.92 measured on this subset (40 good tiles); 3-fold CV on all tiles: 0.90 (docs/inspection.md)
    assert r["auroc"] >= 0.8, r
    assert r["false_alarm_rate"] <= 0.2
