"""What an inspection returns, the same for the CLI, the API and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class InspectionResult:
    """One image's verdict. ``heatmap`` (H, W) in [0, 1] is kept out of the JSON form.

    - a classifier fills ``label``, ``confidence`` (calibrated), ``alternatives`` and ``needs_review``
      (confidence below the cut that reached the target precision in cross-validation);
    - an anomaly model fills ``anomaly_score`` (1.0 = the threshold) and ``anomalous``;
    - both together: ``unknown`` when the photo is unlike the good parts and the classifier was unsure of its
      class (it must pick one of those it knows; this is how a new kind of defect shows).
    """

    image: str
    label: str | None = None
    confidence: float | None = None
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    needs_review: bool = False
    review_reason: str | None = None
    anomaly_score: float | None = None
    anomalous: bool | None = None
    unknown: bool = False
    error: str | None = None
    heatmap: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "heatmap"}
        d["alternatives"] = [{"label": a, "confidence": round(c, 4)} for a, c in self.alternatives]
        for k in ("confidence", "anomaly_score"):
            if d[k] is not None:
                d[k] = round(float(d[k]), 4)
        return d

    def merge(self, other: InspectionResult) -> InspectionResult:
        """This classifier result with ``other``'s anomaly verdict (heatmap: the anomaly map wins)."""
        return InspectionResult(
            image=self.image, label=self.label, confidence=self.confidence, alternatives=self.alternatives,
            needs_review=self.needs_review, review_reason=self.review_reason,
            anomaly_score=other.anomaly_score, anomalous=other.anomalous, error=self.error or other.error,
            heatmap=other.heatmap if other.heatmap is not None else self.heatmap)


def upsample(grid: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A coarse (h, w) map resized to ``shape`` (bilinear), for overlays at the photo's own size."""
    from PIL import Image

    img = Image.fromarray(grid.astype(np.float32), mode="F")
    return np.asarray(img.resize((shape[1], shape[0]), Image.Resampling.BILINEAR), dtype=np.float32)


def overlay(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """The photo with ``heatmap`` (values in [0, 1], any size) blended over it in a colour map."""
    from matplotlib import colormaps

    h = heatmap if heatmap.shape == image.shape[:2] else upsample(heatmap, image.shape[:2])
    colours = colormaps["inferno"](np.clip(h, 0, 1))[..., :3] * 255
    weight = alpha * np.clip(h, 0, 1)[..., None]
    return np.clip(image * (1 - weight) + colours * weight, 0, 255).astype(np.uint8)
