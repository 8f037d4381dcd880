"""Shared fixtures: real models load once per session; every test gets its own workspace.

Real data lives in ../shared/data (beside the repository, never copied into it). Tests that
need it use the ``shared_data`` fixture, which skips with a clear reason when it is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from shopfloor.assistant.policy import Role, User

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SHOPFLOOR_SHARED_DATA", REPO.parent / "shared" / "data"))
ARTIFACTS = REPO / "tests" / "_artifacts"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when this checkout has no shared data beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files a person should look at (screenshots, charts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture()
def workspace(tmp_path, monkeypatch):
    """A fresh, empty workspace for one test (``$SHOPFLOOR_WORKSPACE`` points at it)."""
    from shopfloor.workspace import Workspace

    monkeypatch.setenv("SHOPFLOOR_WORKSPACE", str(tmp_path / "ws"))
    return Workspace.open(tmp_path / "ws")


@pytest.fixture(scope="session")
def embedder():
    """The embedded all-MiniLM-L6-v2 SentenceTransformer, loaded once per session."""
    from shopfloor.models import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def llm():
    """(tokenizer, model) for the embedded SmolLM2-135M-Instruct, converted/loaded once per session."""
    from shopfloor.models import load_llm

    return load_llm()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """A workspace with the whole demo plant built (index, classifiers, sensor models), once per session.

    This is what ``make demo`` builds; tests that need a realistic, complete workspace share it
    and must not modify it (copy it first if they write).
    """
    from shopfloor.assistant.demo.build import build_demo
    from shopfloor.workspace import Workspace

    ws = Workspace.open(tmp_path_factory.mktemp("demo") / "ws")
    build_demo(ws)
    return ws


@pytest.fixture(scope="session")
def surfaces(tmp_path_factory):
    """(images folder, masks folder): 6 classes x 10 synthetic photos, and a separate test set of 4 per class."""
    from shopfloor.vision.synth import generate

    root = tmp_path_factory.mktemp("surfaces")
    generate(root / "train", per_class=10, seed=3, masks=root / "train_masks")
    generate(root / "test", per_class=4, seed=4, masks=root / "test_masks")
    return root


REAL_INCIDENT_ROWS = 600  # of the 5,485 excavator work orders: the index builds in ~20 s instead of ~2 min


@pytest.fixture(scope="session")
def real_workspace(tmp_path_factory, shared_data):
    """The real plant (``shopfloor demo --plant real``) built from ``../shared/data``, once per session.

    To keep CI within its budget the incident history is the first REAL_INCIDENT_ROWS excavator work
    orders (written with copies of the rest to a temporary folder, never into the repository) and the
    classifier trains 4 epochs; the FMEA, the lathe handbook and the failure-mode logs are used whole.
    """
    import csv
    import shutil

    from shopfloor.assistant.demo.build import build_demo
    from shopfloor.workspace import Workspace

    data = tmp_path_factory.mktemp("real_data")
    (data / "manuals").mkdir()
    (data / "logs").mkdir()
    # copies, not symlinks: a symlinked document named directly is refused by the index (a plant's link to /etc)
    shutil.copytree(shared_data / "manuals" / "lathe", data / "manuals" / "lathe")
    for rel in ("manuals/haul_truck_fmea.csv", "logs/failure_modes_train.csv"):
        shutil.copyfile(shared_data / rel, data / rel)
    with open(shared_data / "logs" / "excavator_work_orders.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[: REAL_INCIDENT_ROWS + 1]
    with open(data / "logs" / "excavator_work_orders.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    ws = Workspace.open(tmp_path_factory.mktemp("real") / "ws")
    build_demo(ws, plant="real", data_dir=data, epochs=4)
    return ws


@pytest.fixture(scope="session")
def real_assistant(real_workspace):
    """An Assistant on the real plant, language model off."""
    from shopfloor.assistant.pipeline import Assistant

    return Assistant(real_workspace, use_llm=False, user=ADMIN)


# ---- the Assistant on the demo plant (pipeline, API, UI and security tests) ----
ADMIN = User("test-admin", Role.admin)  # what these tests act as; tests/security checks every other role


@pytest.fixture(scope="session")
def assistant(demo_workspace):
    """An Assistant on the shared demo workspace, language model off (tests that need it ask for llm_assistant)."""
    from shopfloor.assistant.pipeline import Assistant

    return Assistant(demo_workspace, use_llm=False, user=ADMIN)


@pytest.fixture(scope="session")
def llm_assistant(demo_workspace):
    from shopfloor.assistant.pipeline import Assistant

    return Assistant(demo_workspace, use_llm=True, user=ADMIN)


def copy_workspace(ws, dest: Path) -> Path:
    """A private copy of a workspace that other tests may be reading: the files, and the database through SQLite's
    backup (copying a live WAL database file by file races with its -shm/-wal files coming and going)."""
    import sqlite3
    from contextlib import closing

    db = Path(ws.db_path)
    shutil.copytree(ws.root, dest, ignore=shutil.ignore_patterns(db.name, f"{db.name}-*"))
    with closing(sqlite3.connect(db)) as src, closing(sqlite3.connect(dest / db.relative_to(ws.root))) as dst:
        src.backup(dst)
    return dest


@pytest.fixture()
def writable_assistant(demo_workspace, tmp_path):
    """An Assistant on a private copy of the demo workspace, for tests that add, remove or correct."""
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    root = copy_workspace(demo_workspace, tmp_path / "ws")
    return Assistant(Workspace.open(root), use_llm=False, user=ADMIN)


# ---- the CLI in-process (one runner shared by the CLI tests of every package) ----
class CLI:
    """``shopfloor`` driven through typer's test runner: ``cli(*args)`` -> the result (exit code checked unless
    ``code=None``), ``cli.json(*args)`` -> its stdout parsed. ``workspace`` (optional) is passed as
    ``--workspace`` before the command, as a plant's script would."""

    def __init__(self, workspace: Path | None = None) -> None:
        from typer.testing import CliRunner

        self.runner, self.workspace = CliRunner(), workspace

    def __call__(self, *args: str, input: str | None = None, code: int | None = 0):
        from shopfloor.assistant.cli import app

        head = ["--workspace", str(self.workspace)] if self.workspace else []
        result = self.runner.invoke(app, [*head, *map(str, args)], input=input)
        assert code is None or result.exit_code == code, (args, result.output[-2000:], repr(result.exception))
        return result

    def json(self, *args: str, input: str | None = None) -> dict:
        import json

        return json.loads(self(*args, input=input).stdout)

    def on(self, workspace: Path) -> CLI:
        """The same CLI on another workspace folder."""
        return CLI(workspace)


@pytest.fixture(scope="session")
def cli_runner() -> CLI:
    """The CLI in-process, on whatever workspace the command names (or ``$SHOPFLOOR_WORKSPACE``)."""
    return CLI()
