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


def features(df: pd.DataFrame) -> pd.DataFrame:
    """Engineered physical features: power = torque x angular speed, temperature difference, wear x torque."""
    import numpy as np
    import pandas as pd

    missing = [c for c in RAW if c not in df.columns]
    if missing:
        raise InputError(f"process data lacks column(s) {missing}; expected the AI4I 2020 columns {RAW}")
    x = df[RAW].apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame({
        "type": df["Type"].map({"L": 0, "M": 1, "H": 2}).fillna(0) if "Type" in df.columns else 0,
        "air_k": x[RAW[0]], "process_k": x[RAW[1]], "speed_rpm": x[RAW[2]], "torque_nm": x[RAW[3]],
        "tool_wear_min": x[RAW[4]]})
    out["power_w"] = out["torque_nm"] * out["speed_rpm"] * 2 * np.pi / 60
    out["temp_diff_k"] = out["process_k"] - out["air_k"]
    out["wear_x_torque"] = out["tool_wear_min"] * out["torque_nm"]
    return out[FEATURES]
