"""Build the demo plant into a workspace: records, readings, knowledge index, classifiers, sensor models.

Each step is skipped when its output exists and was built from the same inputs: the step's
fingerprint (a hash of the demo files it reads plus a recipe version) is stored in
``<workspace>/demo_build.json``. So the first ``shopfloor demo`` takes a few minutes on a laptop
and every later one starts in seconds; edit a demo file and only the steps that read it rerun.

Example:
    >>> from shopfloor.assistant.demo.build import build_demo
    >>> build_demo()                       # doctest: +SKIP
    {'records': 'built in 0.1 s', 'readings': 'built in 3.2 s', 'index': 'up to date', ...}
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopfloor.workspace import Workspace

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
STAMP_FILE = "demo_build.json"


@dataclass(frozen=True)
class Step:
    """One idempotent build step: ``run`` reads ``inputs`` (relative to DATA_DIR) into the workspace."""

    name: str
    inputs: tuple[str, ...]
    run: Callable[[Workspace], object]
    recipe: int = 1  # bump when the step's code changes what it builds
    root: Path = DATA_DIR  # the folder ``inputs`` are relative to

    def fingerprint(self) -> str:
        h = hashlib.sha256(f"{self.name}:{self.recipe}".encode())
        for rel in self.inputs:
            for path in sorted(_files(self.root / rel)):
                h.update(path.relative_to(self.root).as_posix().encode())
                h.update(path.read_bytes())
        return h.hexdigest()[:16]


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise FileNotFoundError(f"plant data missing: {path} (is the checkout complete, or the data folder right?)")
    return [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]


PLANTS = ("demo", "real")


def _stamp_file(plant: str) -> str:
    return STAMP_FILE if plant == "demo" else f"{plant}_build.json"


def _read_stamps(ws: Workspace, plant: str = "demo") -> dict[str, str]:
    path = ws.root / _stamp_file(plant)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_stamps(ws: Workspace, stamps: dict[str, str], plant: str = "demo") -> None:
    tmp = ws.root / (_stamp_file(plant) + ".tmp")
    tmp.write_text(json.dumps(stamps, indent=2))
    tmp.replace(ws.root / _stamp_file(plant))


def steps() -> list[Step]:
    """The demo build, in order (later steps may read what earlier ones wrote)."""
    from shopfloor.assistant.demo import steps as s

    return [
        Step("records", ("machines.csv", "incidents.csv"), s.load_records),
        Step("readings", ("sensors/process.csv", "sensors/degradation_test.txt", "machines.csv"), s.import_readings),
        # index recipe 3: column roles and kinds, lead-ins kept with their subsections; classifiers 2: domain.npz
        Step("index", ("manuals", "incidents.csv"), s.build_index, recipe=3),
        Step("classifier:failure_mode", ("logs_train.csv", "logs_dev.csv"), s.classifier_step("failure_mode"), recipe=2),
        Step("classifier:component", ("logs_train.csv", "logs_dev.csv"), s.classifier_step("component"), recipe=2),
        Step("classifier:complaint_category", ("complaints.csv",), s.classifier_step("complaint_category"), recipe=2),
        Step("sensors:failure", ("sensors/process.csv",), s.train_failure_model),
        Step("sensors:rul", ("sensors/degradation_train.txt",), s.train_rul_model),
    ]


def build_demo(workspace: Workspace | str | Path | None = None, force: bool = False,
               only: list[str] | None = None,
               on_step: Callable[[str, str], None] | None = None, plant: str = "demo",
               data_dir: str | Path | None = None, epochs: int | None = None) -> dict[str, str]:
    """Build (or bring up to date) every artifact of a plant in ``workspace``; returns step -> what happened.

    Args:
        workspace: a Workspace, a directory, or None for the default workspace.
        force: rebuild every step even when up to date.
        only: names of the steps to consider (default: all).
        on_step: called with (step name, "building" | outcome) so a CLI can show progress.
        plant: "demo" (the fictional plant shipped in the repository) or "real" (public data from
            ``data_dir``, by default ``../shared/data``: see :mod:`shopfloor.assistant.demo.real`).
        data_dir: the real plant's data folder.
        epochs: the real plant's classifier epochs (default 12; tests use fewer).

    Raises:
        InputError: unknown plant, or the workspace already holds the other plant.
    """
    from shopfloor.errors import InputError

    if plant not in PLANTS:
        raise InputError(f"unknown plant {plant!r}; choose one of {', '.join(PLANTS)}")
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    other = [p for p in PLANTS if p != plant and (ws.root / _stamp_file(p)).exists()]
    if other:
        raise InputError(f"{ws.root} already holds the {other[0]} plant; build the {plant} plant in another "
                         "workspace (--workspace DIR or $SHOPFLOOR_WORKSPACE)")
    if plant == "real":
        from shopfloor.assistant.demo.real import real_steps

        plan = real_steps(data_dir, epochs)
    else:
        plan = steps()
    stamps, report = _read_stamps(ws, plant), {}
    for step in plan:
        if only and step.name not in only:
            continue
        fp = step.fingerprint()
        if not force and stamps.get(step.name) == fp:
            report[step.name] = "up to date"
        else:
            if on_step:
                on_step(step.name, "building")
            t0 = time.perf_counter()
            detail = step.run(ws)
            stamps[step.name] = fp
            _write_stamps(ws, stamps, plant)
            report[step.name] = f"built in {time.perf_counter() - t0:.1f} s" + (f" ({detail})" if detail else "")
        log.info("%s plant %s: %s", plant, step.name, report[step.name])
        if on_step:
            on_step(step.name, report[step.name])
    return report
