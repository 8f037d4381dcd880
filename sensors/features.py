"""Process features for the failure model (AI4I 2020 columns) — physical ones only, never the failure flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopfloor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

RAW = ["Air temperature [K]", "Process temperature [K]", "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]"]
TARGET = "Machine failure"
FAILURE_TYPES = {"TWF": "tool wear", "HDF": "heat dissipation", "PWF": "power", "OSF": "overstrain", "RNF": "random"}
FEATURES = ["type", "air_k", "process_k", "speed_rpm", "torque_nm", "tool_wear_min", "power_w", "temp_diff_k",
            "wear_x_torque"]


def features(df: pd.DataFrame, partial: bool = False) -> pd.DataFrame:
    """Engineered physical features: power = torque x angular speed, temperature difference, wear x torque.

    Training needs every input column; ``partial=True`` (prediction) turns a missing column into NaN so
    that the rows are reported as not scorable (:func:`input_problems`) instead of failing the batch.
    """
    import numpy as np
    import pandas as pd

    missing = [c for c in RAW if c not in df.columns]
    if missing and (not partial or len(missing) == len(RAW)):
        raise InputError(f"process data lacks column(s) {missing}; expected the AI4I 2020 columns {RAW}")
    x = df.reindex(columns=RAW).apply(pd.to_numeric, errors="coerce")  # a missing column is NaN (rows refused)
    out = pd.DataFrame({
        "type": df["Type"].map({"L": 0, "M": 1, "H": 2}).fillna(0) if "Type" in df.columns else 0,
        "air_k": x[RAW[0]], "process_k": x[RAW[1]], "speed_rpm": x[RAW[2]], "torque_nm": x[RAW[3]],
        "tool_wear_min": x[RAW[4]]})
    out["power_w"] = out["torque_nm"] * out["speed_rpm"] * 2 * np.pi / 60
    out["temp_diff_k"] = out["process_k"] - out["air_k"]
    out["wear_x_torque"] = out["tool_wear_min"] * out["torque_nm"]
    return out[FEATURES]


# Plausible ranges of the raw inputs in their stated units; outside them the reading is refused, not scored.
PLAUSIBLE = {"Air temperature [K]": (200.0, 500.0), "Process temperature [K]": (200.0, 600.0),
             "Rotational speed [rpm]": (0.0, 30000.0), "Torque [Nm]": (0.0, 1000.0), "Tool wear [min]": (0.0, 10000.0)}


def input_problems(df: pd.DataFrame) -> list[list[str]]:
    """Per row, why the failure model must not score it: a missing or non-numeric input, or a value outside
    the plausible range of its unit ("Air temperature [K] = 25.0: not a kelvin temperature (°C?)")."""
    import pandas as pd

    out: list[list[str]] = []
    cols = {c: (pd.to_numeric(df[c], errors="coerce") if c in df.columns else None) for c in RAW}
    for i in range(len(df)):
        problems = []
        for c, values in cols.items():
            v = None if values is None else values.iloc[i]
            if v is None or pd.isna(v):
                problems.append(f"{c} missing")
                continue
            lo, hi = PLAUSIBLE[c]
            if not lo <= float(v) <= hi:
                hint = " (°C given where kelvin is expected?)" if "[K]" in c and -50 <= float(v) < lo else ""
                problems.append(f"{c} = {float(v):g} is outside the plausible {lo:g}-{hi:g}{hint}")
        out.append(problems)
    return out
