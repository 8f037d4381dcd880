"""Sensor streams for the demo plant, following published rules.

Process readings follow the AI4I 2020 generation rules (Matzka 2020): air temperature as a
random walk around 300 K (sd 2 K), process temperature = air + 10 K (sd 1 K), torque ~ N(40, 10) Nm and
speed around 1538 rpm falling with torque (constant-power drive, corr ~ -0.9), tool wear growing by 5/3/2 min for
H/M/L products. Failures: TWF when wear reaches a random 200-240 min; HDF when the
air-process difference is below 8.6 K and speed below 1380 rpm; PWF when power (torque x
angular speed) leaves 3500-9000 W; OSF when wear x torque exceeds 11000/12000/13000 minNm for
L/M/H; RNF with probability 0.1 %. Each machine gets its own offsets so their statuses differ.

Degradation histories follow the C-MAPSS FD001 file shape (unit, cycle, 3 settings, 21
sensors): 7 flat sensors as in FD001, the rest drift with an exponential health index
(Saxena et al. 2008) plus noise.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

AI4I_COLUMNS = ["UDI", "Product ID", "Type", "Air temperature [K]", "Process temperature [K]",
                "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]", "Machine failure",
                "TWF", "HDF", "PWF", "OSF", "RNF"]

# machine id -> (air temp offset K, torque offset Nm, speed offset rpm, late torque drift Nm per reading)
PROFILES = {
    "P-101": (0.0, 0.0, 0.0, 0.0), "M-201": (0.0, 3.0, -40.0, 0.0), "IM-301": (2.5, 0.0, -120.0, 0.0),
    "CV-401": (-1.0, -5.0, 60.0, 0.0), "AC-501": (1.0, 0.0, 0.0, 0.0), "HP-601": (0.0, 8.0, -60.0, 0.35),
}
WEAR_STEP = {"H": 5, "M": 3, "L": 2}
OSF_LIMIT = {"L": 11000, "M": 12000, "H": 13000}
FLAT_SENSORS = {1, 5, 6, 10, 16, 18, 19}  # 1-based, flat in FD001 too


def process_rows(machine_id: str, n: int, start: datetime, rng: random.Random, udi0: int) -> list[list]:
    """``n`` hourly AI4I-style readings for one machine (timestamp, machine_id + AI4I columns)."""
    dt, dq, ds, drift = PROFILES[machine_id]
    air, wear, wear_limit, rows = 300.0 + dt, 0, rng.uniform(200, 240), []
    for i in range(n):
        air += rng.gauss(0, 0.3) - 0.05 * (air - 300.0 - dt)
        proc = air + 10 + rng.gauss(0, 1)
        ptype = rng.choices("LMH", weights=[6, 3, 1])[0]
        late = max(0, i - (n - 30)) * drift  # the last 30 readings of a drifting machine
        torque = max(3.0, rng.gauss(40 + dq + late, 10))
        speed = max(1100.0, 1538 - 16 * (torque - 40) + ds + rng.gauss(0, 80))  # corr(speed, torque) ~ -0.9
        wear += WEAR_STEP[ptype]
        flags = _failures(air, proc, speed, torque, wear, wear_limit, ptype, rng)
        ts = (start + timedelta(hours=i)).isoformat(timespec="minutes")
        rows.append([ts, machine_id, udi0 + i, f"{ptype}{10000 + udi0 + i}", ptype, round(air, 1), round(proc, 1),
                     round(speed), round(torque, 1), wear, int(any(flags)), *map(int, flags)])
        if flags[0] or wear >= wear_limit:  # tool changed after a wear failure or at its limit
            wear, wear_limit = 0, rng.uniform(200, 240)
    return rows


def _failures(air, proc, speed, torque, wear, wear_limit, ptype, rng) -> tuple[bool, ...]:
    twf = wear >= wear_limit and rng.random() < 0.5
    hdf = (proc - air) < 8.6 and speed < 1380
    power = torque * speed * 2 * math.pi / 60
    pwf = power < 3500 or power > 9000
    osf = wear * torque > OSF_LIMIT[ptype]
    rnf = rng.random() < 0.001
    return twf, hdf, pwf, osf, rnf


def fleet(rng: random.Random) -> tuple[list[float], list[float]]:
    """Sensor baselines and degradation slopes shared by every unit of the fleet (one machine design)."""
    base = [rng.uniform(1, 600) for _ in range(21)]
    return base, [rng.choice([-1, 1]) * rng.uniform(0.002, 0.02) * b for b in base]


def degradation_unit(unit: int, life: int, design: tuple[list[float], list[float]], rng: random.Random,
                     cut: int | None = None) -> list[str]:
    """One run-to-failure history (or its first ``cut`` cycles) in C-MAPSS text format."""
    base = [b * (1 + rng.gauss(0, 0.001)) for b in design[0]]  # manufacturing spread
    slope = [s * rng.uniform(0.85, 1.15) for s in design[1]]
    wear0, k = rng.uniform(0.0, 0.1), rng.uniform(3.0, 5.0)
    lines = []
    for cycle in range(1, (cut or life) + 1):
        health = wear0 + (math.exp(k * cycle / life) - 1) / (math.exp(k) - 1)  # 0 -> ~1 at failure
        settings = [rng.gauss(0, 0.002), rng.gauss(0, 0.0003), 100.0]
        sensors = [base[j] if (j + 1) in FLAT_SENSORS else base[j] + slope[j] * health + rng.gauss(0, 0.004 * base[j])
                   for j in range(21)]
        lines.append(" ".join([str(unit), str(cycle)] + [f"{v:.4f}" for v in settings + sensors]))
    return lines
