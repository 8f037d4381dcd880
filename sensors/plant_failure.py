"""A failure model trained on a plant's own labelled history, with whatever sensors that plant measures.

The AI4I model (:mod:`failure`) reads five named columns; a pump plant has others. This model takes the
sensor columns of the plant's own file (found as :mod:`readings` finds them) and a failure flag column
(``--label``: 1/0, yes/no, ja/nein, true/false), and learns the same way: gradient boosting with isotonic
calibration, the decision threshold that maximises out-of-fold F1. Its ``inputs`` are the columns it was
trained on; the status applies it only to machines that have them.
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError

TRUE = {"1", "yes", "y", "true", "ja", "j", "x", "failure", "fail", "ausfall", "störung", "stoerung", "是", "故障"}
FALSE = {"0", "no", "n", "false", "nein", "", "ok", "否", "正常"}


def parse_flags(col) -> list[int]:
    """A failure flag column as 0/1; cells that are neither are refused with examples."""
    cells = [str(v).strip().lower() for v in col]
    bad = sorted({c for c in cells if c not in TRUE | FALSE})
    if bad:
        raise InputError(f"the label column has values that are not a failure flag: {bad[:5]}; use 1/0, yes/no, "
                         "ja/nein or true/false")
    return [int(c in TRUE) for c in cells]


class PlantFailureModel:
    """``PlantFailureModel.train(file, label).predict(rows)``: probability of failure from the plant's sensors."""

    def __init__(self, main, threshold: float, medians: dict[str, float], meta: dict):
        self.main, self.threshold, self.medians, self.meta = main, threshold, medians, meta
        self.per_type: dict = {}

    @property
    def inputs(self) -> list[str]:
        return list(self.meta["inputs"])

    def _x(self, df):
        import pandas as pd

        return df.reindex(columns=self.inputs).apply(pd.to_numeric, errors="coerce").astype(float)

    @classmethod
    def train(cls, path: str | Path, label: str, mapping: dict[str, str] | None = None,
              seed: int = 13) -> PlantFailureModel:
        """Fit on the plant's readings file; ``label`` names its failure flag column."""
        from sklearn.metrics import f1_score
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        from shopfloor.sensors.failure import _best_f1_threshold, _model
        from shopfloor.sensors.readings import normalise, read_file

        path = Path(path)
        raw = read_file(path)
        if label not in raw.columns:
            raise InputError(f"label column {label!r} not found; columns are {list(raw.columns)}")
        df, rep = normalise(raw, {**(mapping or {}), label: "label"}, path.name)
        inputs = [s.name for s in rep.sensors]
        if not inputs:
            raise InputError(f"{path.name}: no numeric sensor columns to learn from")
        y = parse_flags(raw.loc[df.index, label])
        if sum(y) < 5 or len(y) - sum(y) < 5:
            raise InputError(f"{path.name}: {sum(y)} failures and {len(y) - sum(y)} normal rows; need at least 5 of each")
        x = df[inputs].astype(float)
        oof = cross_val_predict(_model(seed), x, y, cv=StratifiedKFold(3, shuffle=True, random_state=seed),
                                method="predict_proba")[:, 1]
        threshold = _best_f1_threshold(oof, y)
        meta = {"format": "plant", "inputs": inputs, "units": {s.name: s.unit for s in rep.sensors},
                "label": label, "n_train": len(y), "failure_rate": sum(y) / len(y), "threshold": threshold,
                "seed": seed, "source": path.name, "cv_f1": float(f1_score(y, oof >= threshold))}
        return cls(_model(seed).fit(x, y), threshold, {c: float(x[c].median()) for c in inputs}, meta)

    def predict(self, df, machine_type: str | None = None) -> list[dict]:
        """Per row, as :meth:`FailureModel.predict`; a row missing an input is not scored (``unknown`` says which)."""
        x = self._x(df)
        p = self.main.predict_proba(x.fillna(x.median()).fillna(0.0))[:, 1]
        out: list[dict] = []
        for i in range(len(x)):
            gaps = [f"{c} missing" for c in self.inputs if x[c].isna().iloc[i]]
            out.append({"failure_probability": None if gaps else float(p[i]),
                        "failure": None if gaps else bool(p[i] >= self.threshold), "failure_type_probs": {},
                        "failure_type": None, "unknown": gaps})
        return out

    def explain(self, row_df, top: int = 3, failure_type: str | None = None) -> list[dict]:
        """Inputs whose typical (median) value would lower this reading's risk the most."""
        row = self._x(row_df.iloc[[0]])
        base = float(self.main.predict_proba(row)[0, 1])
        effects: list[dict] = []
        for c in self.inputs:
            alt = row.copy()
            alt[c] = self.medians[c]
            effects.append({"feature": c, "value": float(row[c].iloc[0]), "typical": self.medians[c],
                            "contribution": base - float(self.main.predict_proba(alt)[0, 1])})
        effects.sort(key=lambda e: -e["contribution"])
        return [e for e in effects[:top] if e["contribution"] > 0]

    def save(self, folder: str | Path) -> Path:
        from shopfloor.sensors import _store

        return _store.save(folder, {"main": self.main, "medians": self.medians}, {"kind": "failure", **self.meta})

    @classmethod
    def load(cls, folder: str | Path) -> PlantFailureModel:
        from shopfloor.sensors import _store

        parts, meta = _store.load(folder, "failure")
        return cls(parts["main"], meta["threshold"], parts["medians"], meta)


_LOADED: dict[tuple[str, int], object] = {}  # folder, model file's mtime -> loaded model (a load takes ~1-3 s)


def cached_load(folder: Path, load):
    """``load(folder)`` once per version of the saved model (a retrain writes a new file, so a new mtime)."""
    stamp = (folder / "model.joblib").stat().st_mtime_ns
    key = (str(folder.resolve()), stamp)
    if key not in _LOADED:
        _LOADED[key] = load(folder)
    return _LOADED[key]


def load_models(models_dir: Path, task: str) -> list:
    """Every ``task`` model of a workspace (``failure`` / ``failure-*``, ``rul`` / ``rul-*``), any format."""
    import json

    from shopfloor.sensors.failure import FailureModel
    from shopfloor.sensors.rul import RulModel

    out = []
    for folder in sorted(models_dir.glob(f"{task}*")):
        cfg = folder / "config.json"
        if not (cfg.exists() and (folder / "model.joblib").exists()):
            continue
        plant = json.loads(cfg.read_text()).get("format") == "plant"
        cls = RulModel if task == "rul" else PlantFailureModel if plant else FailureModel
        out.append(cached_load(folder, cls.load))
    return out

