"""The demo build's steps: each reads demo files and writes one kind of artifact into the workspace.

Every function takes the Workspace and returns a short detail string for the build report.
The component packages are imported inside the functions: this module is the only place that
knows how the demo is wired, and importing it costs nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from shopfloor.assistant.demo.plan import DATA_DIR
from shopfloor.workspace import Workspace

DEMO_SEED = 13


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_records(ws: Workspace) -> str:
    """Machines and past incidents into the workspace DB (upsert by id, so re-runs never duplicate)."""
    machines, incidents = _rows("machines.csv"), _rows("incidents.csv")
    with ws.connect() as conn:
        conn.executemany(
            "INSERT INTO machines (id, name, type, line, manual) VALUES (:machine_id, :name, :type, :line, :manual) "
            "ON CONFLICT(id) DO UPDATE SET name=excluded.name, type=excluded.type, line=excluded.line, "
            "manual=excluded.manual", machines)
        conn.executemany(
            "INSERT INTO incidents (ref, machine_id, date, text, failure_mode, component, action, downtime_h) "
            "VALUES (:incident_id, :machine_id, :date, :text, :failure_mode, :component, :action, :downtime_h) "
            "ON CONFLICT(ref) DO UPDATE SET machine_id=excluded.machine_id, date=excluded.date, text=excluded.text, "
            "failure_mode=excluded.failure_mode, component=excluded.component, action=excluded.action, "
            "downtime_h=excluded.downtime_h", incidents)
    return f"{len(machines)} machines, {len(incidents)} incidents"


def import_readings(ws: Workspace) -> str:
    """Process sensor streams (AI4I columns + timestamp, machine_id) and each machine's run history."""
    from shopfloor.sensors import import_cycles
    from shopfloor.sensors import import_readings as _import

    result = _import(ws, DATA_DIR / "sensors" / "process.csv")
    machines = [r["machine_id"] for r in _rows("machines.csv")]
    cycles = import_cycles(ws, DATA_DIR / "sensors" / "degradation_test.txt", machines)
    return f"{result.rows} readings of {result.machines} machines, run histories of {cycles['machines']}"


def build_index(ws: Workspace) -> str:
    """The knowledge index over the manuals and the incident history."""
    from shopfloor.assistant.pipeline.knowledge import index_config
    from shopfloor.index import Index

    idx = Index.build([DATA_DIR / "manuals", DATA_DIR / "incidents.csv"], ws.index_dir, index_config(ws))
    return f"{len(idx.sources())} sources"


def classifier_step(task: str) -> Callable[[Workspace], str]:
    """A step that trains the ``task`` classifier on the demo's labelled logs or complaints."""

    def run(ws: Workspace) -> str:
        from shopfloor.finetune import TrainConfig, train

        data, label_col = _classifier_data(task)
        # 6 epochs instead of the default 12: the demo logs are cleaner than real ones and converge
        # early (dev accuracy 0.97 either way), and the first `make demo` should not keep a newcomer waiting.
        cfg = TrainConfig(text_col="text", label_col=label_col, task=task, out=ws.classifier_dir(task),
                          seed=DEMO_SEED, epochs=6, target_precision=ws.config.classifier.target_precision,
                          text_kind="complaint" if task == "complaint_category" else "maintenance log")
        out = train(cfg, data)
        return f"saved to {Path(out).name}"

    run.__name__ = f"train_{task}"
    return run


def _classifier_data(task: str) -> tuple[list[Path], str]:
    if task == "complaint_category":
        return [DATA_DIR / "complaints.csv"], "category"
    return [DATA_DIR / "logs_train.csv"], task


def train_failure_model(ws: Workspace) -> str:
    from shopfloor.sensors import FailureModel

    model = FailureModel.train(DATA_DIR / "sensors" / "process.csv", seed=DEMO_SEED)
    model.save(ws.sensor_model_dir("failure"))
    return ""


def train_rul_model(ws: Workspace) -> str:
    from shopfloor.sensors import RulModel

    model = RulModel.train(DATA_DIR / "sensors" / "degradation_train.txt", seed=DEMO_SEED)
    model.save(ws.sensor_model_dir("rul"))
    return ""


def _describe(result: object) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k}={v}" for k, v in result.items())
    return "" if result is None else str(result)


def build_images(ws: Workspace) -> str:
    """Synthetic surface photos (ours, seeded), a defect classifier on them and an anomaly model on the clean ones.

    ``<workspace>/vision/demo_images/<class>/`` is the training set; ``<workspace>/vision/samples/`` holds a
    few new photos (another seed) to try in the Inspect tab.
    """
    from shopfloor.vision.anomaly import AnomalyModel
    from shopfloor.vision.backbone import Backbone
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import read_folder
    from shopfloor.vision.synth import generate

    folder = ws.root / "vision" / "demo_images"
    generate(folder, per_class=30, seed=DEMO_SEED)
    samples = ws.root / "vision" / "samples"
    generate(samples, per_class=2, seed=DEMO_SEED + 1)
    for sub in [p for p in samples.iterdir() if p.is_dir()]:  # flat: what an inspector would upload
        for f in sub.iterdir():
            f.replace(samples / f.name)
        sub.rmdir()
    backbone = Backbone()
    clf = DefectClassifier.train(read_folder(folder), source="vision/demo_images", backbone=backbone)  # workspace-relative
    clf.save(ws.vision_dir("classifier"))
    good = read_folder(folder, only=["clean"])
    an = AnomalyModel.train(good.paths, normal_class="clean", backbone=backbone)
    an.save(ws.vision_dir("anomaly"))
    return (f"{len(clf.classes)} classes x 30 photos, cross-validated accuracy {clf.meta['cv_accuracy']:.3f}; "
            f"anomaly model on {an.meta['images']} clean photos; samples in {samples}")
