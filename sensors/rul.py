"""Remaining useful life from run-to-failure histories (C-MAPSS FD001 text format).

Standard protocol: drop flat sensors, z-normalise with training statistics, RUL target capped at
125 cycles, predict at each unit's last cycle. Model: gradient boosting on window features
(last value, mean, slope over the last 5 / 15 / 30 cycles per sensor, plus the cycle count) —
chosen over a small neural net because it trains in seconds on 2 cores (see docs/sensors.md).
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError

COLUMNS = ["unit", "cycle", "setting1", "setting2", "setting3"] + [f"s{i}" for i in range(1, 22)]
CAP = 125
WINDOWS = (5, 15, 30)


def read_cmapss(path: str | Path):
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: {path}")
    df = pd.read_csv(path, sep=r"\s+", header=None)
    if df.shape[1] != 26:
        raise InputError(f"{path}: expected 26 space-separated columns (unit, cycle, 3 settings, 21 sensors), "
                         f"got {df.shape[1]}")
    df.columns = COLUMNS
    return df


def _window_features(g, sensors: list[str]):
    """Features at every cycle of one unit (rows aligned with ``g``), from trailing windows only."""
    import numpy as np
    import pandas as pd

    feats = {"cycle": g["cycle"].to_numpy(dtype=float)}
    for s in sensors:
        v = g[s]
        for w in WINDOWS:
            feats[f"{s}_mean{w}"] = v.rolling(w, min_periods=1).mean().to_numpy()
            idx = pd.Series(np.arange(len(v)), index=v.index, dtype=float)
            cov = v.rolling(w, min_periods=2).cov(idx)
            var = idx.rolling(w, min_periods=2).var()
            feats[f"{s}_slope{w}"] = (cov / var).fillna(0.0).to_numpy()
        feats[f"{s}_last"] = v.to_numpy()
    return pd.DataFrame(feats, index=g.index)


class RulModel:
    """``RulModel.train(train_txt).predict_last(test_df)`` -> RUL per unit at its last cycle."""

    def __init__(self, model, sensors: list[str], mean: dict, std: dict, meta: dict):
        self.model, self.sensors, self.mean, self.std, self.meta = model, sensors, mean, std, meta

    def _features(self, df):
        import pandas as pd

        z = df.copy()
        for s in self.sensors:
            z[s] = (z[s] - self.mean[s]) / self.std[s]
        return pd.concat([_window_features(g, self.sensors) for _, g in z.groupby("unit", sort=False)])

    @classmethod
    def train(cls, data, seed: int = 13) -> RulModel:
        from sklearn.ensemble import HistGradientBoostingRegressor

        df = data if not isinstance(data, (str, Path)) else read_cmapss(data)
        sensors = [s for s in COLUMNS[5:] if df[s].nunique() > 2]  # FD001: s1, s5, s6, s10, s16, s18, s19 are flat
        mean, std = df[sensors].mean().to_dict(), df[sensors].std().replace(0, 1).to_dict()
        self = cls(None, sensors, mean, std, {})
        x = self._features(df)
        y = (df.groupby("unit")["cycle"].transform("max") - df["cycle"]).clip(upper=CAP).loc[x.index]
        self.model = HistGradientBoostingRegressor(max_iter=400, learning_rate=0.05, max_leaf_nodes=31,
                                                   l2_regularization=1.0, random_state=seed).fit(x, y)
        self.meta = {"kind": "rul", "cap": CAP, "sensors": sensors, "n_units": int(df["unit"].nunique()), "seed": seed,
                     "dropped_flat": [s for s in COLUMNS[5:] if s not in sensors]}
        return self

    def predict_last(self, df) -> dict[int, float]:
        """Predicted RUL at each unit's last recorded cycle."""
        x = self._features(df)
        last = df.groupby("unit", sort=False).tail(1).index
        pred = self.model.predict(x.loc[last]).clip(0, CAP)
        return {int(u): float(p) for u, p in zip(df.loc[last, "unit"], pred, strict=True)}

    def save(self, folder: str | Path) -> Path:
        from shopfloor.sensors import _store

        return _store.save(folder, {"model": self.model, "mean": self.mean, "std": self.std}, self.meta)

    @classmethod
    def load(cls, folder: str | Path) -> RulModel:
        from shopfloor.sensors import _store

        parts, meta = _store.load(folder, "rul")
        return cls(parts["model"], meta["sensors"], parts["mean"], parts["std"], meta)


def nasa_score(true, pred) -> float:
    """Asymmetric score of the PHM08 challenge: late predictions (d > 0) cost more than early ones."""
    import numpy as np

    d = np.asarray(pred, float) - np.asarray(true, float)
    return float(np.sum(np.where(d < 0, np.exp(-d / 13) - 1, np.exp(d / 10) - 1)))


def evaluate(model: RulModel, test, truth) -> dict:
    """RMSE and NASA score at each test unit's last cycle against the true RUL (capped like the target)."""
    import numpy as np

    df = test if not isinstance(test, (str, Path)) else read_cmapss(test)
    true = np.loadtxt(truth, ndmin=1) if isinstance(truth, (str, Path)) else np.asarray(truth, float)
    pred = model.predict_last(df)
    units = sorted(pred)
    if len(units) != len(true):
        raise InputError(f"{len(units)} test units but {len(true)} true RUL values")
    p = np.array([pred[u] for u in units])
    t = np.minimum(true, CAP)
    return {"n_units": len(units), "rmse": float(np.sqrt(np.mean((p - t) ** 2))), "nasa_score": nasa_score(t, p),
            "mae": float(np.mean(np.abs(p - t)))}


def grouped_split(df, test_fraction: float = 0.2, seed: int = 13, min_cut: int = 31):
    """Split a run-to-failure file by unit and truncate each test unit at a random cycle (like NASA's test set).

    Returns (train_df, test_df, true_rul array).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    units = df["unit"].unique()
    test_units = set(rng.choice(units, max(1, int(len(units) * test_fraction)), replace=False).tolist())
    train = df[~df["unit"].isin(test_units)]
    parts, truth = [], []
    for u in sorted(test_units):
        g = df[df["unit"] == u]
        life = int(g["cycle"].max())
        cut = int(rng.integers(min(min_cut, life - 1), life))
        parts.append(g[g["cycle"] <= cut])
        truth.append(life - cut)
    import pandas as pd

    return train, pd.concat(parts), np.array(truth, float)
