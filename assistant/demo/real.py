"""A second plant built from real public data we did not write (``../shared/data``, see its README).

The documents are a mining haul truck's FMEA (an Excel export, 329 rows), a 29-chapter lathe
handbook (Markdown) and 5,485 excavator work orders (the incident history); the failure-mode
classifier is trained on the mining work-order observations (``logs/failure_modes_train.csv``); the
inspection line is the magnetic-tile photos (a 6-class classifier and an anomaly model on the defect-free
tiles), when ``images/`` is there.
Nothing is copied into the repository or rewritten: the index reads the files where they are, and
every table is mapped by the same column-role logic a plant's own files go through.

``shopfloor demo --plant real [--data DIR]`` builds it; tests and benchmarks use it beside the demo.
"""

from __future__ import annotations

import os
from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.workspace import Workspace

DOCS = ("manuals/lathe", "manuals/haul_truck_fmea.csv", "logs/excavator_work_orders.csv")
FAILURE_MODE_DATA = "logs/failure_modes_train.csv"
IMAGES = "images/magnetic_tile/images"
SEED = 13


def default_data_dir() -> Path:
    """``$SHOPFLOOR_SHARED_DATA``, else ``shared/data`` beside the repository checkout."""
    env = os.environ.get("SHOPFLOOR_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


def real_steps(data_dir: str | Path | None = None, epochs: int | None = None) -> list:
    """The real plant's build steps, reading from ``data_dir``."""
    from shopfloor.assistant.demo.plan import Step

    data = Path(data_dir) if data_dir else default_data_dir()
    if not all((data / d).exists() for d in DOCS):
        raise InputError(f"real plant data not found under {data}: it needs {', '.join(DOCS)} "
                         "(pass --data DIR or set $SHOPFLOOR_SHARED_DATA)")

    def build_index(ws: Workspace) -> str:
        from shopfloor.assistant.pipeline.knowledge import index_config
        from shopfloor.index import Index

        idx = Index.build([data / d for d in DOCS], ws.index_dir, index_config(ws))
        kinds = {s["source"]: s.get("table", {}).get("kind", s["doc_type"]) for s in idx.sources()}
        tables = ", ".join(f"{Path(s).name}: {k}" for s, k in kinds.items() if s.endswith((".csv", ".xlsx")))
        return f"{len(kinds)} sources ({tables})"

    def train_failure_mode(ws: Workspace) -> str:
        from shopfloor.finetune import TrainConfig, train

        cfg = TrainConfig(text_col="text", label_col="label", task="failure_mode", out=ws.classifier_dir("failure_mode"),
                          seed=SEED, epochs=epochs or 12, target_precision=ws.config.classifier.target_precision)
        out = train(cfg, [data / FAILURE_MODE_DATA])
        return f"saved to {Path(out).name}"

    def train_images(ws: Workspace) -> str:
        from shopfloor.vision.anomaly import AnomalyModel
        from shopfloor.vision.backbone import Backbone
        from shopfloor.vision.classifier import DefectClassifier
        from shopfloor.vision.images import read_folder

        folder = data / IMAGES
        backbone = Backbone()
        clf = DefectClassifier.train(read_folder(folder), source=str(folder), backbone=backbone, seed=SEED)
        clf.save(ws.vision_dir("classifier"))
        an = AnomalyModel.train(read_folder(folder, only=["free"]).paths, normal_class="free", backbone=backbone,
                                seed=SEED)
        an.save(ws.vision_dir("anomaly"))
        return (f"magnetic tile: {sum(clf.meta['images'].values())} photos, cross-validated accuracy "
                f"{clf.meta['cv_accuracy']:.3f}; anomaly model on {an.meta['images']} defect-free photos")

    steps = [Step("index", DOCS, build_index, recipe=2, root=data),
             Step("classifier:failure_mode", (FAILURE_MODE_DATA,), train_failure_mode, recipe=2, root=data)]
    if (data / IMAGES).is_dir():  # the inspection line: magnetic tiles (classes and an anomaly model on good tiles)
        steps.append(Step("vision", (IMAGES,), train_images, recipe=2, root=data))  # 2: anomaly model v2
    return steps
