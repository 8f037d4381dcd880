"""Sensor files as plants bring them, written before the code that reads them (issue 24).

``pump_plant``: a German pump plant's own export. Columns ``Zeit, Anlage, Lagertemperatur (°C),
Schwingung (mm/s), Druck (bar), Strom (A)``; 3 pumps x 960 readings at 15 minutes (10 days); 2 % of
the sensor cells blank and some "n/a". Pump ``PU-01``'s bearing temperature drifts up ~15 °C over its
last 20 hours while its vibration rises; ``PU-03``'s pressure falls 0.6 bar for its last 10 hours;
``PU-02`` stays in control. The values are AR(1) around each pump's own level, as real sensors wander.

``odd_plants``: files that must not stop the server: other columns, one sensor, text only, one row,
all blanks.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

PUMP_COLUMNS = ["Zeit", "Anlage", "Lagertemperatur (°C)", "Schwingung (mm/s)", "Druck (bar)", "Strom (A)"]
PUMPS = ["PU-01", "PU-02", "PU-03"]
N, STEP = 960, timedelta(minutes=15)
START = datetime(2026, 11, 20, 0, 0)
DRIFT_FROM, DROP_FROM = N - 80, N - 40  # PU-01 drifts for the last 20 h, PU-03 drops for the last 10 h
# pump -> level of each sensor: bearing °C, vibration mm/s, pressure bar, current A
LEVELS = {"PU-01": (52.0, 2.1, 6.2, 18.5), "PU-02": (48.0, 1.8, 5.8, 17.0), "PU-03": (55.0, 2.4, 6.5, 19.5)}
NOISE = (0.6, 0.08, 0.05, 0.3)


def _series(rng, level: float, noise: float, phi: float = 0.6) -> list[float]:
    out, z = [], 0.0
    for _ in range(N):
        z = phi * z + rng.gauss(0.0, noise * (1 - phi ** 2) ** 0.5)
        out.append(level + z)
    return out


def pump_rows(seed: int = 7) -> list[list[str]]:
    import random

    rng = random.Random(seed)
    rows = []
    for pump in PUMPS:
        cols = [_series(rng, lv, sd) for lv, sd in zip(LEVELS[pump], NOISE, strict=True)]
        for i in range(N):
            temp, vib, pres, amps = (c[i] for c in cols)
            if pump == "PU-01" and i >= DRIFT_FROM:
                frac = (i - DRIFT_FROM + 1) / (N - DRIFT_FROM)
                temp += 15.0 * frac
                vib += 1.5 * frac
            if pump == "PU-03" and i >= DROP_FROM:
                pres -= 0.6
            cells = [f"{temp:.1f}", f"{vib:.2f}", f"{pres:.2f}", f"{amps:.1f}"]
            for j in range(4):
                r = rng.random()
                cells[j] = "" if r < 0.02 else "n/a" if r < 0.025 else cells[j]
            rows.append([(START + i * STEP).strftime("%Y-%m-%d %H:%M"), pump, *cells])
    return rows


def pump_plant(path: Path, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(PUMP_COLUMNS)
        w.writerows(pump_rows(seed))
    return path


def odd_plants(folder: Path) -> dict[str, Path]:
    """name -> CSV; each must import (or be refused with a clear error) and never stop the server."""
    import random

    rng = random.Random(3)
    folder.mkdir(parents=True, exist_ok=True)
    t = [(START + i * STEP).strftime("%Y-%m-%d %H:%M") for i in range(300)]
    files = {
        "other_columns": (["datetime", "asset", "Motor temp [K]", "Flow l/min", "rpm"],
                          [[t[i], "M-7", f"{330 + rng.gauss(0, 1):.1f}", f"{120 + rng.gauss(0, 3):.1f}",
                            f"{1480 + rng.gauss(0, 5):.0f}"] for i in range(300)]),
        "one_sensor": (["timestamp", "machine_id", "Pressure (bar)"],
                       [[t[i], "S-1", f"{4 + rng.gauss(0, .1):.2f}"] for i in range(300)]),
        "text_only": (["timestamp", "machine_id", "Status"], [[t[i], "T-1", "running"] for i in range(300)]),
        "one_row": (["timestamp", "machine_id", "Temperature (°C)"], [[t[0], "R-1", "40.2"]]),
        "all_blank": (["timestamp", "machine_id", "Temperature (°C)", "Current (A)"],
                      [[t[i], "B-1", "", "n/a"] for i in range(300)]),
    }
    out = {}
    for name, (header, rows) in files.items():
        out[name] = folder / f"{name}.csv"
        with out[name].open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
    return out


def pump_history(path: Path, seed: int = 9) -> Path:
    """The pump plant's labelled history (``Ausfall`` = ja / nein): 4 older pumps x 1,200 hourly readings, each
    with 5 bearing failures (temperature +12 °C and vibration +1.2 mm/s over 30 readings, the last 10 flagged)."""
    import random

    rng = random.Random(seed)
    rows = []
    for k, pump in enumerate(["PA-1", "PA-2", "PA-3", "PA-4"]):
        level = LEVELS[PUMPS[k % 3]]
        cols = [_series(rng, lv, sd)[:1200] + _series(rng, lv, sd)[:240] for lv, sd in zip(level, NOISE, strict=True)]
        starts = sorted(rng.sample(range(50, 1380, 40), 5))
        for i in range(1200):
            temp, vib, pres, amps = (c[i] for c in cols)
            into = next((i - s for s in starts if 0 <= i - s < 30), None)
            if into is not None:
                temp += 12.0 * (into + 1) / 30
                vib += 1.2 * (into + 1) / 30
            flag = "ja" if into is not None and into >= 20 else "nein"
            rows.append([(START - timedelta(days=60) + i * timedelta(hours=1)).strftime("%d.%m.%Y %H:%M"), pump,
                         f"{temp:.1f}".replace(".", ","), f"{vib:.2f}".replace(".", ","), f"{pres:.2f}".replace(".", ","),
                         f"{amps:.1f}".replace(".", ","), flag])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:  # a German export: ';' and decimal commas
        w = csv.writer(f, delimiter=";")
        w.writerow([*PUMP_COLUMNS, "Ausfall"])
        w.writerows(rows)
    return path


def pump_runs(path: Path, seed: int = 11) -> Path:
    """Run-to-failure history: 10 pump runs (``PR-<k>/run1``) of 300-420 readings at 15 minutes, each ending in a
    bearing failure: temperature +15 °C and vibration +1.5 mm/s over the last 80 readings (as PU-01 now)."""
    import random

    rng = random.Random(seed)
    rows = []
    for k in range(10):
        n = rng.randint(300, 420)
        level = LEVELS[PUMPS[k % 3]]
        cols = [_series(rng, lv, sd)[:n] for lv, sd in zip(level, NOISE, strict=True)]
        for i in range(n):
            temp, vib, pres, amps = (c[i] for c in cols)
            frac = max(0, i - (n - 80) + 1) / 80
            rows.append([(START - timedelta(days=30) + i * STEP).strftime("%Y-%m-%d %H:%M"), f"PR-{k + 1}/run1",
                         f"{temp + 15 * frac:.1f}", f"{vib + 1.5 * frac:.2f}", f"{pres:.2f}", f"{amps:.1f}"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(PUMP_COLUMNS)
        w.writerows(rows)
    return path
