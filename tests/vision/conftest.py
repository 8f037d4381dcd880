"""Image fixtures: the backbone loads once; the models train once on ``surfaces`` (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def backbone():
    from shopfloor.vision.backbone import Backbone

    return Backbone()


@pytest.fixture(scope="session")
def trained(surfaces, backbone):
    """A classifier and an anomaly model fitted on the synthetic training photos."""
    from shopfloor.vision.anomaly import AnomalyModel
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import read_folder

    clf = DefectClassifier.train(read_folder(surfaces / "train"), backbone=backbone, source=str(surfaces / "train"))
    an = AnomalyModel.train(read_folder(surfaces / "train", only=["clean"]).paths, normal_class="clean",
                            backbone=backbone)
    return clf, an
