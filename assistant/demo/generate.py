"""Write the demo plant's files (deterministic: the same seed gives the same bytes).

Usage:
    python -m shopfloor.assistant.demo.generate [--out assistant/demo/data] [--seed 7]

The output is committed under ``assistant/demo/data``; rerun this after changing the generator.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from shopfloor.assistant.demo import _manuals, _plant, _sensors, _text

DEFAULT_OUT = Path(__file__).resolve().parent / "data"
N_LOGS, N_DEV, N_INCIDENTS, N_COMPLAINTS, N_READINGS = 720, 140, 360, 320, 500
N_TRAIN_UNITS = 40


def _write_csv(path: Path, header: list[str], rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _dates(rng: random.Random, n: int) -> list[str]:
    start = date(2023, 1, 1)
    return sorted((start + timedelta(days=rng.randrange(0, 3 * 365))).isoformat() for _ in range(n))


def write_records(out: Path, rng: random.Random) -> None:
    _write_csv(out / "machines.csv", ["machine_id", "name", "type", "line", "manual"],
               [[*m, f"manuals/{m[0]}.md"] for m in _plant.MACHINES])
    for m in _plant.MACHINES:
        (out / "manuals").mkdir(parents=True, exist_ok=True)
        (out / "manuals" / f"{m[0]}.md").write_text(_manuals.render_manual(m[0]), encoding="utf-8")
    incidents = [_text.incident(rng, i + 1, d) for i, d in enumerate(_dates(rng, N_INCIDENTS))]
    cols = ["incident_id", "date", "machine_id", "text", "failure_mode", "component", "action", "downtime_h"]
    _write_csv(out / "incidents.csv", cols, [[r[c] for c in cols] for r in incidents])


def write_logs(out: Path, rng: random.Random) -> None:
    cols = ["text", "machine_id", "failure_mode", "component", "action", "severity"]
    logs = [_text.log_entry(rng) for _ in range(N_LOGS)]
    _write_csv(out / "logs_train.csv", cols, [[r[c] for c in cols] for r in logs[N_DEV:]])
    _write_csv(out / "logs_dev.csv", cols, [[r[c] for c in cols] for r in logs[:N_DEV]])
    complaints = [_text.complaint(rng, i + 1, d) for i, d in enumerate(_dates(rng, N_COMPLAINTS))]
    ccols = ["complaint_id", "date", "product", "text", "category", "severity"]
    _write_csv(out / "complaints.csv", ccols, [[r[c] for c in ccols] for r in complaints])
    taxonomy = {"failure_mode": _plant.FAILURE_MODES, "component": _plant.COMPONENTS, "action": _plant.ACTIONS,
                "severity": _plant.SEVERITY, "complaint_category": _plant.COMPLAINT_CATEGORIES}
    (out / "taxonomy.yaml").write_text(yaml.safe_dump(taxonomy, sort_keys=False, width=120), encoding="utf-8")


def write_sensors(out: Path, rng: random.Random) -> None:
    start, rows = datetime(2026, 9, 1), []
    for k, m in enumerate(_plant.MACHINES):
        rows += _sensors.process_rows(m[0], N_READINGS, start, rng, udi0=1 + k * N_READINGS)
    _write_csv(out / "sensors" / "process.csv", ["timestamp", "machine_id", *_sensors.AI4I_COLUMNS], rows)
    design = _sensors.fleet(rng)
    train = []
    for unit in range(1, N_TRAIN_UNITS + 1):
        train += _sensors.degradation_unit(unit, rng.randrange(130, 300), design, rng)
    (out / "sensors" / "degradation_train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    test, truth = [], []
    for unit in range(1, len(_plant.MACHINES) + 1):  # test unit i = i-th machine of machines.csv
        life = rng.randrange(130, 300)
        cut = rng.randrange(40, life - 5)
        test += _sensors.degradation_unit(unit, life, design, rng, cut=cut)
        truth.append(str(life - cut))
    (out / "sensors" / "degradation_test.txt").write_text("\n".join(test) + "\n", encoding="utf-8")
    (out / "sensors" / "degradation_test_RUL.txt").write_text("\n".join(truth) + "\n", encoding="utf-8")


def generate(out: Path = DEFAULT_OUT, seed: int = 7) -> Path:
    """Write every demo file under ``out``; returns ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_records(out, random.Random(seed))
    write_logs(out, random.Random(seed + 1))
    write_sensors(out, random.Random(seed + 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Write the demo plant's data files.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(generate(args.out, args.seed))


if __name__ == "__main__":
    main()
