"""Label-preserving views of a surface photo: flips, quarter turns, brightness/contrast, crops.

Surface defects have no "up": a scratch turned 90 degrees is still a scratch, so flips and quarter
turns are safe, as are mild lighting changes and crops that keep most of the image. Seeded, so a
training run is reproducible.
"""

from __future__ import annotations

import numpy as np


def random_view(img: np.ndarray, rng: np.random.Generator, crop: tuple[float, float] = (0.75, 1.0)) -> np.ndarray:
    """One random augmented copy of an (H, W, 3) uint8 image."""
    a = img
    if rng.random() < 0.5:
        a = a[:, ::-1]
    if rng.random() < 0.5:
        a = a[::-1]
    k = int(rng.integers(0, 4))
    if k:
        a = np.rot90(a, k)
    h, w = a.shape[:2]
    s = float(rng.uniform(*crop))
    ch, cw = max(8, int(h * s)), max(8, int(w * s))
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    a = a[y:y + ch, x:x + cw].astype(np.float32)
    contrast, brightness = rng.uniform(0.8, 1.2), rng.uniform(-20, 20)
    a = (a - a.mean()) * contrast + a.mean() + brightness
    return np.clip(a, 0, 255).astype(np.uint8)


def views(img: np.ndarray, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The image itself followed by ``n - 1`` random views."""
    return [img] + [random_view(img, rng) for _ in range(max(0, n - 1))]
