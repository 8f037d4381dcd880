"""The demo build: records load idempotently; unchanged inputs skip; changed recipes rebuild."""

from __future__ import annotations

import dataclasses

import pytest

from shopfloor.assistant.demo import build
from shopfloor.workspace import Workspace


def test_records_step_loads_machines_and_incidents_once(workspace: Workspace):
    first = build.build_demo(workspace, only=["records"])
    assert first["records"].startswith("built in")
    second = build.build_demo(workspace, only=["records"])
    assert second == {"records": "up to date"}
    with workspace.connect() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM machines ORDER BY id")]
        n_inc = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert ids == ["AC-501", "CV-401", "HP-601", "IM-301", "M-201", "P-101"]
    assert n_inc >= 200


def test_force_rebuilds_without_duplicating(workspace: Workspace):
    build.build_demo(workspace, only=["records"])
    report = build.build_demo(workspace, only=["records"], force=True)
    assert report["records"].startswith("built in")
    with workspace.connect() as conn:
        n, distinct = conn.execute("SELECT count(*), count(DISTINCT ref) FROM incidents").fetchone()
    assert n == distinct


def test_fingerprint_changes_with_recipe():
    step = next(s for s in build.steps() if s.name == "records")
    bumped = dataclasses.replace(step, recipe=step.recipe + 1)
    assert step.fingerprint() != bumped.fingerprint()
    assert step.fingerprint() == step.fingerprint()


def test_missing_demo_file_is_a_clear_error(tmp_path):
    step = build.Step("x", ("nope.csv",), lambda ws: None, root=tmp_path)
    with pytest.raises(FileNotFoundError, match="plant data missing: .*nope.csv"):
        step.fingerprint()


def test_a_workspace_holds_one_plant(workspace: Workspace, tmp_path):
    from shopfloor.errors import InputError

    build.build_demo(workspace, only=["records"])
    with pytest.raises(InputError, match="already holds the demo plant"):
        build.build_demo(workspace, plant="real", data_dir=tmp_path)
    with pytest.raises(InputError, match="unknown plant"):
        build.build_demo(workspace, plant="moon")


def test_progress_callback_sees_each_step(workspace: Workspace):
    seen: list[tuple[str, str]] = []
    build.build_demo(workspace, only=["records"], on_step=lambda name, what: seen.append((name, what)))
    assert seen[0] == ("records", "building")
    assert seen[-1][0] == "records" and seen[-1][1].startswith("built in")


@pytest.mark.slow
def test_full_demo_build_produces_every_artifact(demo_workspace: Workspace):
    ws = demo_workspace
    assert (ws.index_dir).is_dir() and any(ws.index_dir.iterdir())
    for task in ("failure_mode", "component", "complaint_category"):
        assert any(ws.classifier_dir(task).iterdir()), task
    for task in ("failure", "rul"):
        assert any(ws.sensor_model_dir(task).iterdir()), task
    import pandas as pd

    assert pd.read_parquet(ws.root / "sensors" / "process.parquet")["machine_id"].nunique() == 6
    again = build.build_demo(ws)
    assert set(again.values()) == {"up to date"}
