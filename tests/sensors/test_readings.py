"""Importing readings: one store (the parquet file), ids matched to the registered machines in any spelling."""

from __future__ import annotations

import pandas as pd

from shopfloor.sensors import import_readings
from shopfloor.sensors.readings import load_process


def test_import_matches_spellings_and_registers_new_machines(workspace, tmp_path):
    with workspace.connect() as conn:
        conn.execute("INSERT INTO machines (id, name, type) VALUES ('P-101', 'Pump', 'pump')")
        conn.commit()
    src = tmp_path / "r.csv"
    src.write_text("timestamp,machine_id,temp_c\n2026-01-01T00:00:00,p101,40\n2026-01-01T01:00:00,P 101,41\n"
                   "2026-01-01T00:00:00,M-9,20\nnot a time,P-101,99\n")
    report = import_readings(workspace, src)
    assert report.rows == 3 and report.bad_timestamps == 1 and report.machines == 2
    store = pd.read_parquet(workspace.root / "sensors" / "process.parquet")
    assert sorted(store["machine_id"].unique()) == ["M-9", "P-101"]
    assert list(load_process(workspace, "p-101")["temp_c"]) == [40, 41]
    with workspace.connect() as conn:
        assert {r[0] for r in conn.execute("SELECT id FROM machines")} == {"P-101", "M-9"}


def test_text_cells_are_counted_not_silently_dropped_and_new_spellings_merge(workspace, tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("timestamp,machine_id,temp_c,operator\n"
                   "2026-01-01T00:00:00,Z-7,40,ann\n2026-01-01T01:00:00,z7,ERR,bob\n"
                   "2026-01-01T02:00:00,Z-7,,ann\n2026-01-01T03:00:00,Z-7,42.5,ann\n")
    report = import_readings(workspace, src)
    assert report.non_numeric_cells == {"temp_c": 1} and report.missing_cells == {"temp_c": 1}
    assert report.machines == 1  # 'z7' is the 'Z-7' of the same file, not a second machine
    rows = load_process(workspace, "Z-7")
    assert rows["temp_c"].tolist()[::3] == [40.0, 42.5] and rows["temp_c"].isna().sum() == 2
    assert rows["operator"].tolist() == ["ann", "bob", "ann", "ann"]  # a text column stays text
    assert not list((workspace.root / "sensors").glob("*.importing.parquet"))
