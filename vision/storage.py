"""A model folder on disk: written atomically, its arrays read back without unpickling.

``model.json`` names its weights file (``weights-<sha256>.npz``; ``weights.npz`` in folders saved before the
atomic switch). Both image models (:mod:`.classifier`, :mod:`.anomaly`) save and load through here, and
:mod:`.model` picks which one a folder holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from shopfloor.errors import NotBuiltError


def save_model_files(out: str | Path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write a model folder so that a crash at any moment leaves the old model or the new one, never a mix.

    The weights go to a temporary file in ``out`` and are renamed to ``weights-<sha256[:16]>.npz`` (a name no
    other model has); then ``model.json``, naming that file, replaces the old one in one ``os.replace`` - the
    switch. Weights no longer named are removed last.
    """
    from shopfloor.locks import store_lock

    with store_lock(out, "save of this image model"):  # a second save at once is refused, not mixed
        return _save(Path(out), arrays, meta)


def _save(out: Path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    import hashlib
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".weights-", suffix=".npz.part", dir=out)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
        weights = f"weights-{digest[:16]}.npz"
        os.replace(tmp, out / weights)
        _replace_text(out / "model.json", json.dumps({**meta, "weights": weights, "weights_sha256": digest}, indent=2))
    finally:
        Path(tmp).unlink(missing_ok=True)
    for old in out.glob("weights*.npz"):
        if old.name != weights:
            old.unlink(missing_ok=True)
    return out


def _replace_text(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def weights_of(path: Path, meta: dict):
    """The arrays ``model.json`` names (``weights.npz`` for models saved before the atomic switch)."""
    name = meta.get("weights", "weights.npz")
    file = path / Path(name).name  # a bare file name: model.json cannot point outside its folder
    if not file.exists():
        raise NotBuiltError(f"{path}: model.json names {name}, which is missing; retrain the model")
    import zipfile

    try:
        return np.load(file, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise NotBuiltError(f"{file} is damaged ({type(e).__name__}); retrain the model") from None
