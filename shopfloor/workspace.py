"""The workspace: one directory holding everything a plant's shopfloor owns.

Layout::

    <workspace>/
        config.yaml          settings (see shopfloor.config)
        shopfloor.db         SQLite: machines, incidents, readings, classifications, reviews, ...
        models/              classifier adapters (models/classifier/<task>), sensor models,
                             image models (models/vision/classifier, models/vision/anomaly)
        indexes/             knowledge indexes (indexes/knowledge)
        sensors/             imported sensor streams, charts

Resolution order: explicit path > ``$SHOPFLOOR_WORKSPACE`` > the user data dir.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.config import CONFIG_FILE, Config, load_config, save_config

ENV_VAR = "SHOPFLOOR_WORKSPACE"


def default_workspace_dir() -> Path:
    """``$SHOPFLOOR_WORKSPACE`` if set, else the platform's user data dir (e.g. ~/.local/share/shopfloor)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("shopfloor", appauthor=False))


@dataclass
class Workspace:
    """A workspace directory; created on first use, config validated on open.

    Example:
        >>> ws = Workspace.open("/tmp/ws")          # doctest: +SKIP
        >>> ws.classifier_dir("failure_mode")       # doctest: +SKIP
        PosixPath('/tmp/ws/models/classifier/failure_mode')
    """

    root: Path
    config: Config = field(default_factory=Config)

    @classmethod
    def open(cls, root: str | Path | None = None) -> Workspace:
        root = Path(root).expanduser() if root else default_workspace_dir()
        for sub in ("models", "indexes", "sensors"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        cfg_path = root / CONFIG_FILE
        if not cfg_path.exists():
            save_config(Config(), cfg_path)
        ws = cls(root=root, config=load_config(cfg_path))
        if ws.config.hf_offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        return ws

    @property
    def db_path(self) -> Path:
        return self.root / "shopfloor.db"

    def connect(self) -> sqlite3.Connection:
        from shopfloor.db import connect

        return connect(self.db_path)

    def classifier_dir(self, task: str = "failure_mode") -> Path:
        return self.root / "models" / "classifier" / task

    def sensor_model_dir(self, task: str) -> Path:
        return self.root / "models" / "sensors" / task

    @property
    def taxonomy_path(self) -> Path:
        """Cold-start tasks: ``{task: {label: description}}``; a task listed here without a trained model is
        classified by similarity to the descriptions, every row to the review queue."""
        return self.root / "taxonomy.yaml"

    def vision_dir(self, kind: str = "classifier") -> Path:
        """An image model: ``classifier`` (defect classes) or ``anomaly`` (good-parts memory)."""
        return self.root / "models" / "vision" / kind

    @property
    def index_dir(self) -> Path:
        return self.root / "indexes" / "knowledge"
