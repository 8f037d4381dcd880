"""Importing sensor readings (CSV/Parquet, one row per timestamp and machine) into the workspace database."""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.machines import machine_key, register_machines

ID_COLUMNS = {"timestamp", "machine_id"}
SKIP = {"UDI", "Product ID", "Type", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"}


def import_readings(workspace, path: str | Path) -> dict:
    """Add the rows of ``path`` to the workspace's readings store (a re-imported timestamp replaces the old row).

    The store, ``<workspace>/sensors/process.parquet``, is the one home of readings: whole rows, so the
    failure model also sees the AI4I columns (``Type``, ``Product ID``, ``Machine failure``, the flags).
    Machine ids are matched to the registered machines in any spelling; new ids are registered.
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
    sensors = [c for c in df.columns if c not in ID_COLUMNS | SKIP and pd.api.types.is_numeric_dtype(df[c])]
    df["machine_id"] = df["machine_id"].astype(str).str.strip()
    df = df[df["machine_id"].ne("") & df["machine_id"].ne("nan")]
    with workspace.connect() as conn:
        spelling = register_machines(conn, sorted(df["machine_id"].unique()))
    df["machine_id"] = df["machine_id"].map(spelling)
    store = workspace.root / "sensors" / "process.parquet"
    store.parent.mkdir(parents=True, exist_ok=True)
    old = pd.read_parquet(store) if store.exists() else None
    merged = pd.concat([old, df]) if old is not None else df
    merged.drop_duplicates(subset=["machine_id", "timestamp"], keep="last").to_parquet(store, index=False)
    return {"rows": len(df), "machines": int(df["machine_id"].nunique()), "sensors": len(sensors),
            "bad_timestamps": bad}


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
