"""A small classifier per task trained once per session on the demo logs (a few seconds each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.assistant.demo.plan import DATA_DIR

LOGS = DATA_DIR / "logs_train.csv"
DEV = DATA_DIR / "logs_dev.csv"


def _train(root: Path, task: str, **kw) -> Path:
    from shopfloor.finetune import TrainConfig, train

    cfg = TrainConfig(text_col="text", label_col=task, task=task, out=root / task, epochs=3, max_rows=300, **kw)
    return train(cfg, LOGS, progress=False)


@pytest.fixture(scope="session")
def tasks_root(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("classifiers")
    _train(root, "failure_mode")
    _train(root, "component")
    return root


@pytest.fixture(scope="session")
def fm_dir(tasks_root: Path) -> Path:
    return tasks_root / "failure_mode"
