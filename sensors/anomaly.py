"""Anomalies in a machine's recent readings, scored against its own history with an isolation forest.

The score is the share of recent readings the forest isolates as outliers; the sensors
responsible are those whose recent mean sits furthest (in robust z units) from the history.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AnomalyResult:
    score: float  # 0..1: share of recent readings flagged as outliers
    anomalous: bool
    sensors: list[dict]  # [{"sensor", "recent_mean", "baseline_median", "robust_z"}], worst first


def detect(history, recent, seed: int = 13, contamination: float = 0.02, alarm_share: float = 0.2) -> AnomalyResult:
    """``history`` and ``recent``: DataFrames of numeric sensor columns (same columns)."""
    import numpy as np
    from sklearn.ensemble import IsolationForest

    cols = [c for c in history.columns if c in recent.columns]
    if len(history) < 20 or len(recent) == 0:
        raise ValueError(f"need >= 20 history rows and some recent rows, got {len(history)} and {len(recent)}")
    forest = IsolationForest(n_estimators=200, contamination=contamination, random_state=seed).fit(history[cols])
    share = float((forest.predict(recent[cols]) == -1).mean())
    med = history[cols].median()
    mad = (history[cols] - med).abs().median().replace(0, np.nan) * 1.4826
    z = ((recent[cols].mean() - med) / mad).fillna(0.0)
    worst = z.abs().sort_values(ascending=False)
    sensors = [{"sensor": c, "recent_mean": float(recent[c].mean()), "baseline_median": float(med[c]),
                "robust_z": float(z[c])} for c in worst.index[:3] if abs(z[c]) >= 1.0]
    return AnomalyResult(share, share >= alarm_share, sensors)
