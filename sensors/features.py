"""Process features for the failure model (AI4I 2020 columns) — physical ones only, never the failure flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shopfloor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

RAW = ["Air temperature [K]", "Process temperature [K]", "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]"]
TARGET = "Machine failure"
FAILURE_TYPES = {"TWF": "tool wear", "HDF": "heat dissipation", "PWF": "power", "OSF": "overstrain", "RNF": "random"}
PHYSICAL = ["type", "air_k", "process_k", "speed_rpm", "torque_nm", "tool_wear_min", "power_w", "temp_diff_k",
            "wear_x_torque"]
MARGINS = ["strain_margin", "cooling_margin", "power_margin_w", "over_strain", "poor_cooling", "power_out_of_range"]
FEATURES = PHYSICAL + MARGINS  # chosen by cross-validation on the training part (benchmarks/bench_sensors.py)


@dataclass(frozen=True)
class ProcessLimits:
    """A machine's operating limits, from its specification; the margins to them are model features.

    Defaults: the limits stated in the AI4I 2020 description (Matzka 2020) - overstrain when tool wear x
    torque exceeds 11,000 / 12,000 / 13,000 min*Nm for product variants L / M / H; heat dissipation
    trouble when process minus air temperature is below 8.6 K *and* the speed below 1,380 rpm; power
    failure outside 3,500-9,000 W. A plant puts its own machine's limits here. The boosting model still
    learns how risk grows near and past them (tool wear and random failures are not in any limit).
    """

    strain_limit: tuple[tuple[str, float], ...] = (("L", 11000.0), ("M", 12000.0), ("H", 13000.0))
    min_temp_diff_k: float = 8.6
    min_speed_rpm: float = 1380.0
    power_w: tuple[float, float] = (3500.0, 9000.0)


LIMITS = ProcessLimits()


def features(df: pd.DataFrame, partial: bool = False, columns: list[str] | None = None,
             limits: ProcessLimits = LIMITS) -> pd.DataFrame:
    """Engineered physical features: power = torque x angular speed, temperature difference, wear x torque,
    and the margins to the machine's limits (:class:`ProcessLimits`), signed and as beyond-the-limit flags
    (a tree splits a flag exactly; a margin only to the resolution of its histogram bins).
    ``columns``: the features a saved model was trained on (older models: :data:`PHYSICAL`).

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
    strain = dict(limits.strain_limit)
    limit = (df["Type"].map(strain) if "Type" in df.columns else pd.Series(strain["L"], index=df.index))
    out["strain_margin"] = out["wear_x_torque"] - limit.fillna(strain["L"]).to_numpy()
    # heat trouble needs both a small temperature difference and a low speed: the larger of the two margins
    out["cooling_margin"] = np.maximum(out["temp_diff_k"] - limits.min_temp_diff_k,
                                       (out["speed_rpm"] - limits.min_speed_rpm) / 100.0)
    lo, hi = limits.power_w
    out["power_margin_w"] = np.minimum(out["power_w"] - lo, hi - out["power_w"])
    for flag, margin, beyond in (("over_strain", "strain_margin", 1), ("poor_cooling", "cooling_margin", -1),
                                 ("power_out_of_range", "power_margin_w", -1)):
        out[flag] = np.where(out[margin].isna(), np.nan, (beyond * out[margin] > 0).astype(float))
    return out[columns or FEATURES]


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
