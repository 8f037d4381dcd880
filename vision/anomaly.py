"""Anomaly detection from good parts only: a PatchCore-style memory of normal patch features.

Roth et al. 2022 ("Towards total recall in industrial anomaly detection"), on the packaged
EfficientNet-Lite0 instead of a WideResNet:

1. every good photo gives a 28x28 grid of mid-level patch features (stride 8 and 16, 120-d);
2. a greedy k-centre coreset keeps a tenth of them (at least 4,096, at most 16,384: the memory bank), each remembering
   which photo it came from;
3. a new photo's patches are scored by the distance to their nearest bank patch; the map, smoothed,
   is the heatmap and its maximum is the image score;
4. the threshold: every training photo is scored leave-one-out (its own patches masked out of the
   bank), and the cut is the ``1 - target_false_alarm`` quantile of those scores, so about that share
   of good parts would be flagged. Scores are reported divided by the threshold: 1.0 = the line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopfloor.errors import InputError

Progress = Callable[[str, int, int], None]
MIN_IMAGES = 5


def _noop(stage: str, done: int, total: int) -> None:
    pass


def coreset(x: np.ndarray, size: int, seed: int = 13, dims: int = 64) -> np.ndarray:
    """Indices of a greedy k-centre coreset of ``x`` (distances on a random projection, as in PatchCore)."""
    import torch

    if len(x) <= size:
        return np.arange(len(x))
    g = torch.Generator().manual_seed(seed)
    xt = torch.from_numpy(x)
    if x.shape[1] > dims:
        xt = xt @ torch.randn(x.shape[1], dims, generator=g) / dims ** 0.5
    chosen = [int(torch.randint(len(xt), (1,), generator=g))]
    mind = ((xt - xt[chosen[0]]) ** 2).sum(1)
    for _ in range(size - 1):
        i = int(mind.argmax())
        chosen.append(i)
        mind = torch.minimum(mind, ((xt - xt[i]) ** 2).sum(1))
    return np.asarray(chosen)


def _smooth(grid: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(grid, sigma=sigma, mode="nearest")


@dataclass
class AnomalyModel:
    """Memory bank + threshold; ``predict_arrays`` returns :class:`InspectionResult` with heatmaps."""

    bank: np.ndarray  # (M, C) float32
    threshold: float
    normal_class: str = "good"
    meta: dict = field(default_factory=dict)
    kind: str = "anomaly"

    @classmethod
    def train(cls, paths: list[Path], *, normal_class: str = "good", target_false_alarm: float = 0.05,
              bank_size: int | None = None, input_size: int = 224, seed: int = 13, backbone=None,
              progress: Progress = _noop) -> AnomalyModel:
        """Fit on photos of good parts only."""
        import torch

        from shopfloor.vision.backbone import Backbone
        from shopfloor.vision.images import load_image

        if not 0 < target_false_alarm < 0.5:
            raise InputError("target false-alarm rate must be between 0 and 0.5")
        t0 = time.perf_counter()
        backbone = backbone or Backbone()
        feats, skipped = [], []
        progress("embedding good images", 0, len(paths))
        for start in range(0, len(paths), 32):
            imgs = []
            for p in paths[start:start + 32]:
                try:
                    imgs.append(load_image(p))
                except InputError as e:
                    skipped.append(str(e))
            if imgs:
                feats.append(backbone.patches(imgs, size=input_size))
            progress("embedding good images", min(start + 32, len(paths)), len(paths))
        if not feats or sum(len(f) for f in feats) < MIN_IMAGES:
            raise InputError(f"an anomaly model needs at least {MIN_IMAGES} readable photos of good parts")
        f = np.concatenate(feats)
        n, h, w, c = f.shape
        flat = f.reshape(-1, c)
        owner = np.repeat(np.arange(n), h * w)
        progress("choosing the memory bank", 0, 1)
        size = bank_size or min(16384, max(4096, len(flat) // 10))  # PatchCore keeps 1-10 %; small sets keep more
        keep = coreset(flat, min(size, len(flat)), seed)
        bank, bank_owner = flat[keep], owner[keep]
        progress("choosing the memory bank", 1, 1)
        bt = torch.from_numpy(bank)
        loo = np.empty(n)
        progress("scoring good images leave-one-out", 0, n)
        for i in range(n):
            d = torch.cdist(torch.from_numpy(f[i].reshape(-1, c)), bt)
            d[:, torch.from_numpy(bank_owner == i)] = float("inf")
            loo[i] = _smooth(d.min(1).values.numpy().reshape(h, w)).max()
            if i % 16 == 15 or i == n - 1:
                progress("scoring good images leave-one-out", i + 1, n)
        threshold = float(np.quantile(loo, 1 - target_false_alarm))
        meta = {"kind": "anomaly", "backbone": "efficientnet-lite0 (ImageNet, frozen), patch features",
                "normal_class": normal_class, "input_size": input_size, "images": n, "skipped": skipped,
                "bank_size": int(len(bank)),
                "patches_seen": int(len(flat)), "target_false_alarm": target_false_alarm,
                "threshold": round(threshold, 5),
                "loo_score_quantiles": {q: round(float(np.quantile(loo, q)) / threshold, 4) for q in (0.5, 0.9, 0.99)},
                "train_seconds": round(time.perf_counter() - t0, 1), "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        return cls(bank.astype(np.float32), threshold, normal_class, meta)

    def score_maps(self, images: list[np.ndarray], backbone=None) -> tuple[np.ndarray, np.ndarray]:
        """(image scores, (N, 28, 28) maps), both divided by the threshold."""
        import torch

        from shopfloor.vision.backbone import Backbone

        backbone = backbone or Backbone()
        f = backbone.patches(images, size=int(self.meta.get("input_size", 224)))
        bt = torch.from_numpy(self.bank)
        maps = np.stack([_smooth(torch.cdist(torch.from_numpy(x.reshape(-1, x.shape[-1])), bt).min(1).values.numpy()
                                 .reshape(x.shape[:2])) for x in f]) / self.threshold
        return maps.reshape(len(f), -1).max(1), maps

    def predict_arrays(self, images: list[np.ndarray], names: list[str], backbone=None, heatmaps: bool = True) -> list:
        from shopfloor.vision.results import InspectionResult

        scores, maps = self.score_maps(images, backbone)
        # heatmap: 0 at half the threshold, 1 at twice it, so good parts stay dark and defects glow
        return [InspectionResult(image=n, anomaly_score=float(s), anomalous=bool(s >= 1.0),
                                 heatmap=np.clip((m - 0.5) / 1.5, 0, 1) if heatmaps else None)
                for n, s, m in zip(names, scores, maps, strict=True)]

    def save(self, out: str | Path) -> Path:
        """Weights and ``model.json`` in ``out``, switched atomically (:func:`~shopfloor.vision.model.save_model_files`)."""
        from shopfloor.vision.model import save_model_files

        return save_model_files(out, {"bank": self.bank.astype(np.float16)},
                                {**self.meta, "threshold": self.threshold, "normal_class": self.normal_class})

    @classmethod
    def load(cls, path: str | Path, meta: dict) -> AnomalyModel:
        from shopfloor.vision.model import weights_of

        w = weights_of(Path(path), meta)
        return cls(w["bank"].astype(np.float32), float(meta["threshold"]), meta.get("normal_class", "good"), meta)
