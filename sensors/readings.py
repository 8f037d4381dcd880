"""Importing sensor readings (CSV/XLSX/Parquet, one row per timestamp and machine) into the workspace database.

Any plant's export: the time and machine columns are found by meaning or given (``--map 'Zeit=timestamp'``),
every other mostly-numeric column is a sensor with the unit its header gives (or ``--map 'T1=sensor:°C'``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from shopfloor.errors import InputError
from shopfloor.locks import store_lock
from shopfloor.machines import known_machines, machine_key, match_machine, register_machines
from shopfloor.sensors import columns as cols

ID_COLUMNS = {"timestamp", "machine_id"}


class SensorColumn(BaseModel):
    """A sensor column as imported: its name in the file and its unit ('' = none known)."""

    name: str
    unit: str = ""


class ImportReport(BaseModel):
    """What an import stored, and every cell it could not use (nothing is dropped silently)."""

    rows: int
    machines: int
    sensors: list[SensorColumn] = Field(description="The sensor columns imported, with their units.")
    roles: dict[str, str] = Field({}, description="Which file column became timestamp / machine_id.")
    bad_timestamps: int = 0
    rows_without_machine: int = 0
    duplicate_rows: int = Field(0, description="Rows repeating a machine and time of an earlier row of the file "
                                               "(the last one is kept).")
    missing_cells: dict[str, int] = Field({}, description="Empty or 'n/a' cells per sensor column.")
    non_numeric_cells: dict[str, int] = Field({}, description="Text cells in a sensor column (kept as missing).")
    implausible_cells: dict[str, int] = Field({}, description="Readings outside the unit's plausible range "
                                                              "(kept as missing).")


def read_file(path: Path):
    """A readings file as strings (CSV: separator and encoding sniffed), or typed columns (Parquet)."""
    import pandas as pd

    from shopfloor.tables import csv_format

    if not path.exists():
        raise InputError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name} is empty: nothing to import")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".xls":
            raise InputError(f"{path.name}: old Excel (.xls) files are not read; save it as .xlsx or .csv")
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        sep, encoding, _ = csv_format(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as e:
        raise InputError(f"{path.name}: cannot read the readings ({type(e).__name__}: {e})") from None


def normalise(df, mapping: dict[str, str] | None, name: str):
    """(frame with ``timestamp`` / ``machine_id`` / numeric sensors, report) from a plant's own table."""
    import pandas as pd

    role = cols.roles(df, mapping)
    found = {r: c for c, r in role.items() if r in ID_COLUMNS}
    missing = ID_COLUMNS - set(found)
    if missing:
        raise InputError(f"{name}: no {' and no '.join(sorted(missing))} column found among {list(df.columns)}; "
                         "name it with --map, e.g. --map 'Zeit=timestamp' --map 'Anlage=machine_id'")
    stamp = df[found["timestamp"]]
    clock = cols.time_of_day(df, role, found["timestamp"])
    if clock is not None:  # date and time in two columns: one reading per time, not all at midnight
        stamp = stamp.astype(str).str.strip() + " " + df[clock].astype(str).str.strip()
        role[clock] = "ignore"
        found["timestamp"] = f"{found['timestamp']} + {clock}"
    out = pd.DataFrame({"timestamp": cols.parse_times(stamp),
                        "machine_id": df[found["machine_id"]].astype(str).str.strip()})
    rep = ImportReport(rows=0, machines=0, sensors=[], roles=found)
    for c, r in role.items():
        if r == "sensor" or r.startswith("sensor:"):
            _sensor(out, rep, df[c], str(c), r.partition(":")[2], forced=r != "sensor")
        elif r == "label":
            values, _, bad = cols.to_numbers(df[c])
            out[c] = values if not bad else df[c]
    rep.bad_timestamps = int(out["timestamp"].isna().sum())
    no_machine = df[found["machine_id"]].isna().to_numpy() | out["machine_id"].str.lower().isin(cols.NA_TOKENS)
    rep.rows_without_machine = int((no_machine & out["timestamp"].notna()).sum())
    out = out[out["timestamp"].notna() & ~no_machine]
    rep.duplicate_rows = int(out.duplicated(subset=["machine_id", "timestamp"]).sum())
    return out, rep


def _sensor(out, rep: ImportReport, cell, name: str, unit: str, forced: bool) -> None:
    """Add one sensor column when it holds mostly numbers (or was mapped as a sensor, or is all blank: a sensor
    with no readings yet); count what it loses."""
    values, missing, bad = cols.to_numbers(cell)
    if not forced and bad > (len(values) - missing) / 2:
        out[name] = cell  # a text column (operator, status): kept as text, not a sensor
        return
    unit = cols.normalise_unit(unit) or unit or cols.unit_of(name)
    wild = cols.implausible(values, unit)
    out[name] = values.where(~wild)
    rep.sensors.append(SensorColumn(name=name, unit=unit))
    for field, n in (("missing_cells", missing), ("non_numeric_cells", bad), ("implausible_cells", int(wild.sum()))):
        if n:
            getattr(rep, field)[name] = n


def preview(path: str | Path, mapping: dict[str, str] | None = None) -> ImportReport:
    """What :func:`import_readings` would store, without storing anything."""
    path = Path(path)
    df, rep = normalise(read_file(path), mapping, path.name)
    rep.rows, rep.machines = len(df), int(df["machine_id"].nunique())
    return rep


def import_readings(workspace, path: str | Path, mapping: dict[str, str] | None = None) -> ImportReport:
    """Add the rows of ``path`` to the workspace's readings store (a re-imported timestamp replaces the old row).

    The store, ``<workspace>/sensors/process.parquet``, is the one home of readings: whole rows, so the
    failure model also sees the AI4I columns (``Type``, ``Product ID``, ``Machine failure``, the flags).
    Machine ids are matched to the registered machines in any spelling; new ids are registered. Units go to
    ``sensors/columns.json``. ``mapping``: column -> role (:data:`columns.ROLES`), as ``--map`` gives it.

    All or nothing, one import at a time per workspace: the new store is written to a temporary file beside
    the old one, the machines are registered in one transaction, and only then does it replace the old.
    Returns what was stored and lost (:class:`ImportReport`).
    """
    path = Path(path)
    df, rep = normalise(read_file(path), mapping, path.name)
    if df.empty:
        raise InputError(f"{path.name}: no row has both a readable time and a machine id; nothing imported")
    folder = workspace.root / "sensors"
    folder.mkdir(parents=True, exist_ok=True)
    with store_lock(folder, "sensor import", ".import.lock"):
        _store(workspace, df, path.name)
        _save_units(folder, rep.sensors)
    rep.rows, rep.machines = len(df), int(df["machine_id"].nunique())
    return rep


def _store(workspace, df, name: str) -> None:
    import pandas as pd

    store = workspace.root / "sensors" / "process.parquet"
    ids = sorted(df["machine_id"].unique())
    with workspace.connect() as conn:
        known = known_machines(conn)
    spelling = {}
    for raw in ids:  # what register_machines will record, worked out before anything is written
        spelling[raw] = match_machine(raw, known)
        if spelling[raw] is None:
            known.append(raw)
            spelling[raw] = raw
    df["machine_id"] = df["machine_id"].map(spelling)
    old = pd.read_parquet(store) if store.exists() else None
    merged = pd.concat([old, df]) if old is not None else df
    fd, tmp_name = tempfile.mkstemp(prefix=".importing-", suffix=".parquet", dir=store.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        merged.drop_duplicates(subset=["machine_id", "timestamp"], keep="last").to_parquet(tmp, index=False)
        with workspace.connect() as conn:
            register_machines(conn, ids)
        tmp.replace(store)
    except (ValueError, TypeError, OSError) as e:  # e.g. a column of mixed types: nothing registered yet
        raise InputError(f"{name}: the readings could not be stored ({type(e).__name__}: {e}); "
                         "nothing was imported") from None
    finally:
        tmp.unlink(missing_ok=True)


def _save_units(folder: Path, sensors: list[SensorColumn]) -> None:
    path = folder / "columns.json"
    units = json.loads(path.read_text()) if path.exists() else {}
    units.update({s.name: s.unit for s in sensors})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(units, indent=1, ensure_ascii=False))
    tmp.replace(path)


def units(workspace) -> dict[str, str]:
    """sensor column -> unit, as imported (``""``: none known)."""
    path = workspace.root / "sensors" / "columns.json"
    return json.loads(path.read_text()) if path.exists() else {}


def load_process(workspace, machine_id: str):
    """The machine's process rows (time-ordered), or an empty frame; columns no reading of it fills are dropped."""
    import pandas as pd

    store = workspace.root / "sensors" / "process.parquet"
    if not store.exists():
        return pd.DataFrame()
    df = pd.read_parquet(store)
    key = machine_key(machine_id)
    rows = df[df["machine_id"].map(machine_key) == key].sort_values("timestamp").reset_index(drop=True)
    keep = [c for c in rows.columns if c in ID_COLUMNS or rows[c].notna().any()]
    return rows[keep]


def import_cycles(workspace, path: str | Path, machine_ids: list[str]) -> dict:
    """Run histories in C-MAPSS format; unit i belongs to ``machine_ids[i-1]``; kept as one file per machine."""
    from shopfloor.sensors.rul import read_cmapss

    df = read_cmapss(path)
    folder = workspace.root / "sensors" / "cycles"
    folder.mkdir(parents=True, exist_ok=True)
    stored = {}
    for unit, g in df.groupby("unit"):
        if 1 <= unit <= len(machine_ids):
            g.to_csv(folder / f"{machine_ids[unit - 1]}.csv", index=False)
            stored[machine_ids[unit - 1]] = int(g["cycle"].max())
    return {"machines": len(stored), "cycles": stored}
