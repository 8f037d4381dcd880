"""Importing sensor readings (CSV/Parquet, one row per timestamp and machine) into the workspace database."""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError

ID_COLUMNS = {"timestamp", "machine_id"}
SKIP = {"UDI", "Product ID", "Type", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"}


def import_readings(workspace, path: str | Path) -> dict:
    """Store every numeric column of ``path`` as a sensor series per machine (re-import replaces values).

    The AI4I columns of the process file (``Type``, ``Product ID``, ``Machine failure`` and the flags) are
    kept aside in ``<workspace>/sensors/process.parquet`` so the failure model sees the full rows.
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
    long = df.melt(id_vars=["machine_id", "timestamp"], value_vars=sensors, var_name="sensor").dropna(subset=["value"])
    long["timestamp"] = long["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    with workspace.connect() as conn:
        conn.executemany("INSERT OR REPLACE INTO readings (machine_id, ts, sensor, value) VALUES (?,?,?,?)",
                         long[["machine_id", "timestamp", "sensor", "value"]].itertuples(index=False, name=None))
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
    return df[df["machine_id"] == machine_id].sort_values("timestamp").reset_index(drop=True)


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
