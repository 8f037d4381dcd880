"""Saving a sensor model: fitted estimators with joblib, its settings and figures as JSON beside them."""

from __future__ import annotations

import json
from pathlib import Path

from shopfloor.errors import NotBuiltError


def save(folder: str | Path, parts: dict, meta: dict) -> Path:
    import joblib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(parts, folder / "model.joblib")
    (folder / "config.json").write_text(json.dumps(meta, indent=2))
    return folder


def load(folder: str | Path, task: str) -> tuple[dict, dict]:
    """(parts, meta) of the ``task`` model ("failure" or "rul") in ``folder``."""
    import joblib

    folder = Path(folder)
    if not (folder / "config.json").exists():
        raise NotBuiltError(f"no {task} model at {folder}: run `shopfloor sensor train --task {task} ...`")
    return joblib.load(folder / "model.joblib"), json.loads((folder / "config.json").read_text())
