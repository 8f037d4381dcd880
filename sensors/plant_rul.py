"""Remaining life from a plant's own run-to-failure history, with whatever sensors it has.

The file is a readings export (time and machine columns found as :mod:`readings` finds them); each machine id
is one run that ended in a failure (name runs ``P-1/run1``, ``P-1/run2`` when one machine failed several
times). The target is the number of readings left until the run's end, capped at :data:`rul.CAP`; features and
model are :class:`rul.RulModel`'s (trailing-window means and slopes per sensor). ``inputs`` are the sensor
columns it learned from: the status applies it only to machines that have them, and says "readings" as the unit.
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.sensors.rul import CAP, RulModel


def runs_frame(df, sensors: list[str]):
    """A readings frame (timestamp, machine_id, sensors) as C-MAPSS-shaped runs: unit, cycle, sensors."""
    import pandas as pd

    parts = []
    for unit, (_, g) in enumerate(df.sort_values("timestamp").groupby("machine_id", sort=True), start=1):
        g = g[sensors].astype(float).reset_index(drop=True)
        g.insert(0, "cycle", range(1, len(g) + 1))
        g.insert(0, "unit", unit)
        parts.append(g)
    return pd.concat(parts, ignore_index=True)


def train(path: str | Path, mapping: dict[str, str] | None = None, seed: int = 13) -> RulModel:
    """A RUL model on the plant's run-to-failure file (one run per machine id, each ending at its failure)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from shopfloor.sensors.readings import normalise, read_file

    path = Path(path)
    df, rep = normalise(read_file(path), mapping, path.name)
    sensors = [s.name for s in rep.sensors if df[s.name].nunique() > 2]
    if not sensors:
        raise InputError(f"{path.name}: no sensor column varies: nothing to learn remaining life from")
    runs = runs_frame(df, sensors)
    if runs["unit"].nunique() < 3:
        raise InputError(f"{path.name}: {runs['unit'].nunique()} run(s) to failure; need at least 3 (one per "
                         "machine id, e.g. P-1/run1, P-1/run2, ...)")
    mean, std = runs[sensors].mean().to_dict(), runs[sensors].std().replace(0, 1).fillna(1).to_dict()
    model = RulModel(None, sensors, mean, std, {})
    x = model._features(runs)
    y = (runs.groupby("unit")["cycle"].transform("max") - runs["cycle"]).clip(upper=CAP).loc[x.index]
    model.model = HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                                l2_regularization=1.0, random_state=seed).fit(x, y)
    model.meta = {"kind": "rul", "format": "plant", "cap": CAP, "sensors": sensors, "unit": "readings",
                  "n_units": int(runs["unit"].nunique()), "seed": seed, "source": path.name}
    return model


def predict_machine(model: RulModel, proc) -> float | None:
    """Remaining readings of one machine from its process rows, or None when it lacks the model's sensors."""
    if not all(s in proc.columns for s in model.sensors):
        return None
    runs = runs_frame(proc, model.sensors)
    return next(iter(model.predict_last(runs).values()))
