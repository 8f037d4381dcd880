"""Visual inspection: defect classification and anomaly heatmaps from photos of surfaces.

A component beside the text classifier, the index and the sensor models: it imports the ground
floor and its own libraries (torch, Pillow, scikit-learn), never the application.

- :mod:`~shopfloor.vision.backbone` — EfficientNet-Lite0 with the packaged ImageNet weights;
- :mod:`~shopfloor.vision.classifier` — frozen features + calibrated linear head, ``needs_review``;
- :mod:`~shopfloor.vision.anomaly` — PatchCore-style memory of good parts, heatmaps, threshold for a
  target false-alarm rate;
- :mod:`~shopfloor.vision.model` — one folder format for both, ``load_model``, evaluation;
- :mod:`~shopfloor.vision.synth` — seeded synthetic surfaces for the demo plant and tests.
"""

from __future__ import annotations

__all__ = ["InspectionResult", "load_model"]


def __getattr__(name):  # lazy: importing the package loads no torch
    if name == "InspectionResult":
        from shopfloor.vision.results import InspectionResult

        return InspectionResult
    if name == "load_model":
        from shopfloor.vision.model import load_model

        return load_model
    raise AttributeError(name)
