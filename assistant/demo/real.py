"""A second plant built from real public data we did not write (``../shared/data``, see its README).

The documents are a mining haul truck's FMEA (an Excel export, 329 rows), a 29-chapter lathe
handbook (Markdown) and 5,485 excavator work orders (the incident history); the failure-mode
classifier is trained on the mining work-order observations (``logs/failure_modes_train.csv``).
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
SEED = 13


def default_data_dir() -> Path:
    """``$SHOPFLOOR_SHARED_DATA``, else ``shared/data`` beside the repository checkout."""
    env = os.environ.get("SHOPFLOOR_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


def real_steps(data_dir: str | Path | None = None, epochs: int | None = None) -> list:
    """The real plant's build steps, reading from ``data_dir``."""
    from shopfloor.assistant.demo.build import Step

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

    return [Step("index", DOCS, build_index, recipe=2, root=data),
            Step("classifier:failure_mode", (FAILURE_MODE_DATA,), train_failure_mode, recipe=2, root=data)]
