"""Importing sensor readings (CSV/Parquet, one row per timestamp and machine) into the workspace database."""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.machines import known_machines, machine_key, match_machine, register_machines

ID_COLUMNS = {"timestamp", "machine_id"}
SKIP = {"UDI", "Product ID", "Type", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"}


def import_readings(workspace, path: str | Path) -> dict:
    """Add the rows of ``path`` to the workspace's readings store (a re-imported timestamp replaces the old row).

    The store, ``<workspace>/sensors/process.parquet``, is the one home of readings: whole rows, so the
    failure model also sees the AI4I columns (``Type``, ``Product ID``, ``Machine failure``, the flags).
    Machine ids are matched to the registered machines in any spelling; new ids are registered.

    Nothing is dropped silently: a sensor column that is mostly numbers keeps its numbers, and its text
    cells ("n/a", "12,5") become missing values counted in ``non_numeric_cells``; ``missing_cells``
    counts the empty ones. All or nothing: the new store is written beside the old one, the machines
    are registered in one transaction, and only then does the new store replace the old.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: {path}")
    df = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    missing = ID_COLUMNS - set(df.columns)
    if missing:
        raise InputError(f"{path}: readings need columns {sorted(ID_COLUMNS)}; missing {sorted(missing)}")
    df["timestamp"] = pd.to_datetime(df["timestamp"], errors="coerce")
    bad = int(df["timestamp"].isna().sum())
    df = df.dropna(subset=["timestamp"])
    non_numeric, missing_cells = {}, {}
    for c in [c for c in df.columns if c not in ID_COLUMNS | SKIP]:
        if pd.api.types.is_numeric_dtype(df[c]):
            missing_cells[c] = int(df[c].isna().sum())
            continue
        as_num = pd.to_numeric(df[c], errors="coerce")
        filled = df[c].notna() & df[c].astype(str).str.strip().ne("")
        if filled.any() and as_num[filled].notna().mean() >= 0.5:  # a sensor column with some bad cells
            non_numeric[c] = int((filled & as_num.isna()).sum())
            missing_cells[c] = int((~filled).sum())
            df[c] = as_num
    sensors = [c for c in df.columns if c not in ID_COLUMNS | SKIP and pd.api.types.is_numeric_dtype(df[c])]
    df["machine_id"] = df["machine_id"].astype(str).str.strip()
    df = df[df["machine_id"].ne("") & df["machine_id"].ne("nan")]
    store = workspace.root / "sensors" / "process.parquet"
    store.parent.mkdir(parents=True, exist_ok=True)
    tmp = store.with_suffix(".importing.parquet")
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
    try:
        merged.drop_duplicates(subset=["machine_id", "timestamp"], keep="last").to_parquet(tmp, index=False)
    except (ValueError, TypeError, OSError) as e:  # e.g. a column of mixed types: nothing registered yet
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path.name}: the readings could not be stored ({type(e).__name__}: {e}); "
                         "nothing was imported") from None
    try:
        with workspace.connect() as conn:
            register_machines(conn, ids)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(store)
    return {"rows": len(df), "machines": int(df["machine_id"].nunique()), "sensors": len(sensors),
            "bad_timestamps": bad, "non_numeric_cells": {k: v for k, v in non_numeric.items() if v},
            "missing_cells": {k: v for k, v in missing_cells.items() if v}}


def load_process(workspace, machine_id: str):
    """The machine's process rows (time-ordered), or an empty frame."""
    import pandas as pd

    store = workspace.root / "sensors" / "process.parquet"
    if not store.exists():
        return pd.DataFrame()
    df = pd.read_parquet(store)
    key = machine_key(machine_id)
    return df[df["machine_id"].map(machine_key) == key].sort_values("timestamp").reset_index(drop=True)


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
