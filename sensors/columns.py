"""What a plant's sensor columns are: their role (time, machine, sensor, ignored), unit and plausible range,
and how a cell becomes a number. One reading of cells for import, status and ``sensor spc`` alike.

A plant's own export names its columns in its own language (``Zeit``, ``Anlage``, ``Lagertemperatur (°C)``):
roles are found by meaning (a list of names per role in English, German and Chinese), then by content (a
column of dates), and can always be given by hand (``--map 'Zeit=timestamp'``). Every other column that
holds mostly numbers is a sensor; its unit comes from the header (``(°C)``, ``[K]``, a trailing ``mm/s``) or
is given (``--map 'T1=sensor:°C'``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shopfloor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

ROLES = ("timestamp", "machine_id", "ignore", "label", "sensor")
TIME_NAMES = {"timestamp", "time", "datetime", "date", "date time", "time stamp", "ts", "zeit", "zeitstempel",
              "datum", "uhrzeit", "datum zeit", "messzeit", "时间", "日期", "时间戳", "采集时间", "horodatage", "fecha"}
MACHINE_NAMES = {"machine id", "machine", "machine no", "asset", "asset id", "equipment", "equipment id", "device",
                 "anlage", "anlagen id", "anlagennummer", "maschine", "maschinen id", "gerät", "pumpe", "aggregat",
                 "设备", "设备编号", "设备号", "机器", "机台", "machine name", "tag"}
# AI4I's identifiers and labels: stored with the readings (the failure model reads them), never charted
NOT_SENSORS = {"UDI", "Product ID", "Type", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"}
NA_TOKENS = {"", "n/a", "na", "nan", "null", "none", "-", "--", "#n/a", "#na", "n.a.", "k.a.", "nv", "missing"}

# unit -> plausible range of a reading (outside it the sensor is faulty: a -999 sentinel, a 9999 overflow)
UNITS: dict[str, tuple[float, float]] = {
    "°C": (-60.0, 1200.0), "K": (200.0, 1500.0), "°F": (-80.0, 2200.0),
    "bar": (-1.0, 2000.0), "mbar": (-1000.0, 2e6), "Pa": (-1e5, 2e8), "kPa": (-100.0, 2e5), "MPa": (-0.1, 200.0),
    "psi": (-15.0, 30000.0), "A": (-5000.0, 5000.0), "mA": (-1e5, 1e5), "V": (-1e5, 1e5), "kV": (-500.0, 500.0),
    "W": (-1e7, 1e7), "kW": (-1e5, 1e5), "MW": (-1e3, 1e3), "Hz": (0.0, 1e5), "rpm": (-1e5, 1e5),
    "mm/s": (0.0, 1000.0), "m/s": (-1000.0, 1000.0), "m/s²": (0.0, 1e4), "g": (0.0, 1000.0), "µm": (0.0, 1e5),
    "mm": (-1e5, 1e5), "Nm": (-1e6, 1e6), "N": (-1e8, 1e8), "kN": (-1e5, 1e5), "%": (-1.0, 200.0),
    "l/min": (0.0, 1e6), "m³/h": (0.0, 1e6), "kg": (0.0, 1e6), "min": (0.0, 1e7), "h": (0.0, 1e6),
    "ppm": (0.0, 1e6), "dB": (0.0, 200.0),
}
ALIASES = {"degc": "°C", "deg c": "°C", "c": "°C", "℃": "°C", "grad c": "°C", "°c": "°C", "k": "K", "kelvin": "K",
           "degf": "°F", "°f": "°F", "1/min": "rpm", "u/min": "rpm", "min-1": "rpm", "min⁻¹": "rpm", "r/min": "rpm",
           "转/分": "rpm", "l/min": "l/min", "lpm": "l/min", "m3/h": "m³/h", "m^3/h": "m³/h", "m/s2": "m/s²",
           "m/s^2": "m/s²", "um": "µm", "μm": "µm", "n·m": "Nm", "n m": "Nm", "nm": "Nm"}
_BRACKETED = re.compile(r"^(.*?)[\s_]*[(\[]\s*([^()\[\]]{1,12})\s*[)\]]\s*$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass(frozen=True)
class SensorColumn:
    """One sensor column: its header as the plant wrote it, the unit (``""`` if none), the plausible range."""

    name: str
    unit: str = ""

    @property
    def plausible(self) -> tuple[float, float] | None:
        return UNITS.get(self.unit)

    def to_dict(self) -> dict:
        return {"name": self.name, "unit": self.unit}


def normalise_unit(text: str) -> str:
    """A unit as written (``degC``, ``1/min``, ``m3/h``) in its one spelling, or ``""`` if not a unit we know."""
    t = text.strip()
    if t in UNITS:
        return t
    low = t.lower()
    if low in ALIASES:
        return ALIASES[low]
    return next((u for u in UNITS if u.lower() == low), "")


def unit_of(header: str) -> str:
    """The unit in a column header: ``Lagertemperatur (°C)`` -> °C, ``Torque [Nm]`` -> Nm, ``Flow l/min`` -> l/min."""
    m = _BRACKETED.match(header)
    if m:
        return normalise_unit(m.group(2)) or m.group(2).strip()
    parts = header.replace("_", " ").split()
    if len(parts) >= 1:
        u = normalise_unit(parts[-1])
        if u and (len(parts) > 1 or u == "rpm"):
            return u
    return ""


def _key(header: str) -> str:
    """A header compared by meaning: no unit, lower case, punctuation as spaces."""
    m = _BRACKETED.match(header)
    base = m.group(1) if m else header
    return " ".join(re.sub(r"[_\-./:#]+", " ", base.lower()).split())


def parse_map(items: list[str] | None) -> dict[str, str]:
    """``['Zeit=timestamp', 'T1=sensor:°C']`` -> ``{'Zeit': 'timestamp', 'T1': 'sensor:°C'}``; bad items refused."""
    out: dict[str, str] = {}
    for item in items or []:
        col, sep, role = item.rpartition("=")
        col, role = col.strip(), role.strip()
        if not sep or not col:
            raise InputError(f"--map {item!r}: write COLUMN=ROLE, e.g. 'Zeit=timestamp'; roles: {', '.join(ROLES)} "
                             "(sensor:UNIT gives a unit, e.g. 'T1=sensor:°C')")
        if role.split(":", 1)[0] not in ROLES:
            raise InputError(f"--map {item!r}: unknown role {role!r}; roles: {', '.join(ROLES)}")
        out[col] = role
    return out


def roles(df: pd.DataFrame, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """column -> role for every column: the ``mapping`` first, then names by meaning, then content."""
    mapping = dict(mapping or {})
    unknown = [c for c in mapping if c not in df.columns]
    if unknown:
        raise InputError(f"--map names column(s) {unknown} that the file does not have; columns are {list(df.columns)}")
    out = {c: mapping.get(c, "") for c in df.columns}
    for role, names in (("timestamp", TIME_NAMES), ("machine_id", MACHINE_NAMES)):
        if role in out.values():
            continue
        hit = next((c for c in df.columns if not out[c] and _key(str(c)) in names), None)
        if hit is None and role == "timestamp":
            hit = next((c for c in df.columns if not out[c] and _looks_like_time(df[c])), None)
        if hit is not None:
            out[hit] = role
    for c in df.columns:
        if not out[c]:
            out[c] = "label" if c in NOT_SENSORS else "sensor"
    return out


def time_of_day(df: pd.DataFrame, role: dict[str, str], date_col: str) -> str | None:
    """A separate clock-time column (``Datum;Uhrzeit`` exports) to join to the date column, or None."""
    for c in df.columns:
        if c == date_col or role.get(c) != "sensor":
            continue
        s = df[c].astype(str).str.strip()
        if len(s) and s.str.match(r"^\d{1,2}:\d{2}(:\d{2})?$").mean() > 0.9:
            return c
    return None


def _looks_like_time(col: pd.Series) -> bool:
    sample = col.dropna().astype(str).str.strip().head(50)
    if sample.empty or not sample.str.contains(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}").mean() > 0.9:
        return False
    return bool(parse_times(sample).notna().mean() > 0.9)


def parse_times(col: pd.Series) -> pd.Series:
    """Timestamps from ISO, US or German (``29.11.2026 23:45``) writing; unreadable cells become NaT."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(col.dt, "tz", None) is not None else col
    s = col.astype(str).str.strip()
    dayfirst = bool(s.str.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}").mean() > 0.5)
    aware = s.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).any()
    # offsets that change within a file (daylight saving) are one instant each: read as UTC, stored naive
    out = pd.to_datetime(s, errors="coerce", dayfirst=dayfirst, format="mixed", utc=bool(aware))
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out


def to_numbers(col: pd.Series) -> tuple[pd.Series, int, int]:
    """(floats, missing cells, non-numeric cells) of one column, counted the same way everywhere.

    Missing: empty cells and the usual markers ("n/a", "NA", "-", "null", ...). Non-numeric: any other text
    ("error", "12,5 bar"). A decimal comma ("12,5") is read as a number. Numbers outside nothing are changed.
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = pd.to_numeric(col, errors="coerce").astype(float)
        return values, int(values.isna().sum()), 0
    s = col.astype(str).str.strip()
    missing = col.isna() | s.str.lower().isin(NA_TOKENS)
    s = s.where(~s.str.match(_DECIMAL_COMMA), s.str.replace(",", ".", regex=False))
    values = pd.to_numeric(s.where(~missing), errors="coerce").astype(float)
    non_numeric = values.isna() & ~missing
    return values, int(missing.sum()), int(non_numeric.sum())


def implausible(values: pd.Series, unit: str) -> pd.Series:
    """Readings outside the unit's plausible range (a boolean mask; all False for an unknown unit)."""
    rng = UNITS.get(unit)
    if rng is None:
        import pandas as pd

        return pd.Series(False, index=values.index)
    return (values < rng[0]) | (values > rng[1])


def is_counter(values: pd.Series) -> bool:
    """A running counter (tool wear, operating hours, a row number) rather than a measured signal: it only
    goes up, bar resets. Charting it against control limits would alarm on its normal growth."""
    d = values.dropna().diff().dropna()
    return len(d) >= 10 and bool((d >= 0).mean() >= 0.95 and (d > 0).mean() >= 0.5)


def charted(df: pd.DataFrame, units: dict[str, str] | None = None) -> list[SensorColumn]:
    """The sensor columns of one machine's readings worth a control chart: numeric, some readings, more than
    two distinct values (not an on/off flag), not a running counter."""
    import pandas as pd

    units = units or {}
    out = []
    for c in df.columns:
        if c in ("timestamp", "machine_id") or c in NOT_SENSORS or not pd.api.types.is_numeric_dtype(df[c]):
            continue
        v = df[c].astype(float)
        if v.notna().sum() < 2 or v.nunique() <= 2 or is_counter(v):
            continue
        out.append(SensorColumn(str(c), units.get(str(c)) or unit_of(str(c))))
    return out
