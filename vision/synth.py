"""Synthetic steel-like surfaces with drawn defects, for the demo plant and the tests.

Written by us (no downloaded data), seeded and reproducible. Each image is a grayscale 8-bit
texture — low-frequency shading, fine grain and streaks along a rolling direction — with at most one
kind of defect drawn on it, and its mask (white = defect pixels):

==========  ================================================================
clean       texture only
scratch     one or two thin straight bright or dark lines
pit         a cluster of small dark round pits
inclusion   one to three elongated dark flakes along the rolling direction
patch       a large soft-edged darker or brighter region
crack       a jagged dark line with a branch
==========  ================================================================

They are easier than real photos (the defects are drawn on purpose): the demo shows the workflow,
the figures in docs/inspection.md come from the real NEU and magnetic-tile images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = ("clean", "scratch", "pit", "inclusion", "patch", "crack")


def _texture(rng: np.random.Generator, size: int) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    base = gaussian_filter(rng.normal(0, 1, (size, size)), sigma=size / 6)
    base = base / (np.abs(base).max() + 1e-9) * rng.uniform(8, 20)
    grain = gaussian_filter(rng.normal(0, 1, (size, size)), sigma=0.8) * rng.uniform(6, 12)
    streaks = gaussian_filter(rng.normal(0, 1, (size, size)), sigma=(0.6, size / 8)) * rng.uniform(10, 25)
    img = rng.uniform(100, 160) + base + grain + streaks
    return img.astype(np.float32)


def _line_mask(size: int, points: list[tuple[float, float]], width: int) -> np.ndarray:
    from PIL import Image, ImageDraw

    m = Image.new("L", (size, size), 0)
    ImageDraw.Draw(m).line(points, fill=255, width=width, joint="curve")
    return np.asarray(m, dtype=np.float32) / 255


def _defect(kind: str, rng: np.random.Generator, size: int) -> tuple[np.ndarray, float]:
    """(soft mask in [0, 1], signed intensity) of one defect."""
    from scipy.ndimage import gaussian_filter

    if kind == "scratch":
        m = np.zeros((size, size), np.float32)
        for _ in range(int(rng.integers(1, 3))):
            a, r = rng.uniform(0, np.pi), rng.uniform(0.3, 0.7) * size
            cx, cy = rng.uniform(0.25, 0.75, 2) * size
            pts = [(cx - r * np.cos(a), cy - r * np.sin(a)), (cx + r * np.cos(a), cy + r * np.sin(a))]
            m = np.maximum(m, _line_mask(size, pts, int(rng.integers(1, 3))))
        return gaussian_filter(m, 0.6), rng.choice([-1, 1]) * rng.uniform(45, 70)
    if kind == "pit":
        yy, xx = np.mgrid[:size, :size]
        m = np.zeros((size, size), np.float32)
        cx, cy = rng.uniform(0.25, 0.75, 2) * size
        for _ in range(int(rng.integers(4, 12))):
            px, py = cx + rng.normal(0, size / 10), cy + rng.normal(0, size / 10)
            r = rng.uniform(1.5, 4.0)
            m = np.maximum(m, (((xx - px) ** 2 + (yy - py) ** 2) <= r * r).astype(np.float32))
        return gaussian_filter(m, 0.7), -rng.uniform(50, 80)
    if kind == "inclusion":
        yy, xx = np.mgrid[:size, :size]
        m = np.zeros((size, size), np.float32)
        for _ in range(int(rng.integers(1, 4))):
            cx, cy = rng.uniform(0.2, 0.8, 2) * size
            ry, rx = rng.uniform(0.08, 0.25) * size, rng.uniform(1.5, 4)
            m = np.maximum(m, (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1).astype(np.float32))
        return gaussian_filter(m, 1.0), -rng.uniform(40, 65)
    if kind == "patch":
        noise = gaussian_filter(rng.normal(0, 1, (size, size)), sigma=size / 12)
        yy, xx = np.mgrid[:size, :size]
        cx, cy = rng.uniform(0.3, 0.7, 2) * size
        blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (size * rng.uniform(0.12, 0.2)) ** 2)))
        m = ((blob + 0.3 * noise / (np.abs(noise).max() + 1e-9)) > 0.5).astype(np.float32)
        return gaussian_filter(m, 3.0), rng.choice([-1, 1]) * rng.uniform(30, 50)
    if kind == "crack":
        x, y = rng.uniform(0.1, 0.3) * size, rng.uniform(0.2, 0.8) * size
        a = rng.uniform(-0.5, 0.5)
        pts = [(x, y)]
        for _ in range(14):
            a += rng.normal(0, 0.45)
            x, y = x + np.cos(a) * size / 20, y + np.sin(a) * size / 20
            pts.append((x, y))
        m = _line_mask(size, pts, 2)
        j = int(rng.integers(4, 10))
        b = rng.choice([-1, 1]) * rng.uniform(0.6, 1.2)
        branch = [pts[j]] + [(pts[j][0] + np.cos(a + b) * k * size / 20, pts[j][1] + np.sin(a + b) * k * size / 20)
                             for k in range(1, 5)]
        m = np.maximum(m, _line_mask(size, branch, 1))
        return gaussian_filter(m, 0.5), -rng.uniform(60, 90)
    raise ValueError(f"unknown defect kind {kind!r}")


def surface(kind: str, seed: int, size: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """One (image, mask) pair as uint8 (H, W) arrays; ``kind`` is one of :data:`CLASSES`."""
    rng = np.random.default_rng(seed)
    img = _texture(rng, size)
    mask = np.zeros((size, size), np.float32)
    if kind != "clean":
        mask, amount = _defect(kind, rng, size)
        img = img + mask * amount
    return np.clip(img, 0, 255).astype(np.uint8), ((mask > 0.3) * 255).astype(np.uint8)


def generate(out: str | Path, per_class: int = 40, size: int = 200, seed: int = 7, masks: str | Path | None = None,
             classes: tuple[str, ...] = CLASSES) -> dict[str, int]:
    """Write ``out/<class>/<class>_NNN.png`` (and masks under ``masks/<class>/``); the counts per class."""
    from PIL import Image

    out = Path(out)
    for ci, kind in enumerate(classes):
        (out / kind).mkdir(parents=True, exist_ok=True)
        if masks:
            (Path(masks) / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            img, mask = surface(kind, seed * 1_000_003 + ci * 10_007 + i, size)
            Image.fromarray(img).save(out / kind / f"{kind}_{i:03d}.png")
            if masks:
                Image.fromarray(mask).save(Path(masks) / kind / f"{kind}_{i:03d}.png")
    return {k: per_class for k in classes}
