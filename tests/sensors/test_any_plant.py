"""Issue 24: a plant's own sensor export (German columns, °C/bar/mm/s/A, blanks and "n/a") works end to end."""

from __future__ import annotations

import pytest

from shopfloor.errors import InputError
from shopfloor.sensors import import_readings, machine_status
from shopfloor.sensors.status import fleet
from tests.sensors.plants import DRIFT_FROM, DROP_FROM, START, STEP, N, odd_plants, pump_plant


@pytest.fixture(scope="module")
def pump_ws(tmp_path_factory):
    from shopfloor.workspace import Workspace

    root = tmp_path_factory.mktemp("pump")
    ws = Workspace.open(root / "ws")
    report = import_readings(ws, pump_plant(root / "pumpen.csv"), {"Zeit": "timestamp", "Anlage": "machine_id"})
    return ws, report


def test_import_maps_columns_and_reads_units_and_counts_lost_cells(pump_ws):
    _, r = pump_ws
    assert r.rows == 3 * N and r.machines == 3 and r.bad_timestamps == 0
    assert [(s.name, s.unit) for s in r.sensors] == [("Lagertemperatur (°C)", "°C"), ("Schwingung (mm/s)", "mm/s"),
                                                     ("Druck (bar)", "bar"), ("Strom (A)", "A")]
    assert r.roles == {"timestamp": "Zeit", "machine_id": "Anlage"}
    # 2.5 % of 2,880 cells per column are blank or "n/a": counted as missing, never as text
    assert all(40 <= n <= 110 for n in r.missing_cells.values()) and r.non_numeric_cells == {}


def test_fleet_shows_the_drift_and_the_pressure_drop_on_the_right_pumps_and_nothing_else(pump_ws):
    ws, _ = pump_ws
    rows = {r.machine_id: r for r in fleet(ws)}
    assert rows["PU-01"].state == "alarm" and rows["PU-03"].state == "alarm" and rows["PU-02"].state == "ok"
    alarms = {(a["machine_id"], a["sensor"], a["direction"]) for m in ("PU-01", "PU-03")
              for a in machine_status(m, ws, charts=False).alarms}
    assert {("PU-01", "Lagertemperatur (°C)", "high"), ("PU-01", "Schwingung (mm/s)", "high"),
            ("PU-03", "Druck (bar)", "low")} <= alarms
    assert not any(m == "PU-01" and s == "Druck (bar)" for m, s, _ in alarms)
    since = str(START + DROP_FROM * STEP)
    assert rows["PU-03"].since[:16] == since[:16]  # the first reading after the drop
    assert str(START + DRIFT_FROM * STEP) <= rows["PU-01"].since


def test_status_charts_values_in_their_units_and_says_why_there_is_no_risk(pump_ws):
    ws, _ = pump_ws
    st = machine_status("pu 01", ws)
    assert [c.rsplit("/", 1)[1] for c in st.charts] == ["PU-01_values.png", "PU-01_residuals.png"]
    assert st.anomaly["anomalous"] and st.anomaly["sensors"][0]["sensor"] in ("Lagertemperatur (°C)",
                                                                              "Schwingung (mm/s)")
    assert st.failure_probability is None and any("no failure model" in n for n in st.notes)
    temp = [v for v in st.spc_violations if v["sensor"] == "Lagertemperatur (°C)"]
    assert temp and temp[-1]["unit"] == "°C" and 60 < temp[-1]["value"] < 70  # a temperature, not a residual


@pytest.mark.parametrize("name", ["other_columns", "one_sensor", "text_only", "one_row", "all_blank"])
def test_odd_plants_import_and_their_status_never_raises(name, tmp_path):
    from shopfloor.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    path = odd_plants(tmp_path / "plants")[name]
    r = import_readings(ws, path)
    st = machine_status(_machine(ws), ws)
    assert st.latest_reading is not None
    if name == "other_columns":
        assert {s.unit for s in r.sensors} == {"K", "l/min", "rpm"} and st.anomaly is not None
    if name in ("text_only", "all_blank", "one_row"):
        assert st.spc_violations == [] and st.notes and st.anomaly is None


def _machine(ws) -> str:
    with ws.connect() as conn:
        return conn.execute("SELECT id FROM machines").fetchone()[0]


@pytest.mark.parametrize(("content", "message"), [
    ("", "is empty"),
    ("a,b\n1,2\n", "no machine_id and no timestamp column found"),
    ("timestamp,machine_id,x\n2026-01-01,,1\n", "no row has both"),
])
def test_files_that_cannot_be_readings_are_refused_clearly(workspace, tmp_path, content, message):
    f = tmp_path / "r.csv"
    f.write_text(content)
    with pytest.raises(InputError, match=message):
        import_readings(workspace, f)


def test_date_and_clock_time_in_two_columns_and_daylight_saving_offsets(workspace, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("Datum;Uhrzeit;Anlage;Druck (bar)\n" + "".join(
        f"01.03.2026;{h:02d}:{m:02d};P1;{5 + (h * 7 + m) % 3 / 10:.1f}\n" for h in range(10) for m in (0, 30)))
    r = import_readings(workspace, f)
    assert r.rows == 20 and r.duplicate_rows == 0 and r.roles["timestamp"] == "Datum + Uhrzeit"
    g = tmp_path / "tz.csv"
    g.write_text("timestamp,machine_id,T (°C)\n2026-10-25T01:30:00+02:00,P2,40\n2026-10-25T02:30:00+01:00,P2,41\n")
    assert import_readings(workspace, g).rows == 2  # offsets change at the clock change: still one time each


def test_a_bad_map_is_refused_with_the_roles():
    from shopfloor.sensors.columns import parse_map

    with pytest.raises(InputError, match="unknown role 'time'; roles: timestamp"):
        parse_map(["Zeit=time"])
    assert parse_map(["T1=sensor:°C", "a=b=ignore"]) == {"T1": "sensor:°C", "a=b": "ignore"}


def test_a_failure_model_trained_on_the_plants_own_history_scores_its_pumps(pump_ws, tmp_path):
    from shopfloor.sensors.plant_failure import PlantFailureModel
    from tests.sensors.plants import pump_history

    ws, _ = pump_ws
    model = PlantFailureModel.train(pump_history(tmp_path / "historie.csv"), "Ausfall")  # ';', decimal commas
    assert model.inputs == ["Lagertemperatur (°C)", "Schwingung (mm/s)", "Druck (bar)", "Strom (A)"]
    assert model.meta["cv_f1"] > 0.8 and model.meta["n_train"] == 4 * 1200
    model.save(ws.sensor_model_dir("failure").parent / "failure-pumps")
    hot, calm = machine_status("PU-01", ws, charts=False), machine_status("PU-02", ws, charts=False)
    assert hot.failure_probability > 0.5 > calm.failure_probability
    assert hot.explanation and hot.explanation[0]["feature"] in ("Lagertemperatur (°C)", "Schwingung (mm/s)")


def test_a_label_column_that_is_not_a_flag_is_refused(tmp_path):
    from shopfloor.sensors.plant_failure import parse_flags

    assert parse_flags(["ja", "Nein", "1", "0", "TRUE", ""]) == [1, 0, 1, 0, 1, 0]
    with pytest.raises(InputError, match="not a failure flag: \\['maybe'\\]"):
        parse_flags(["ja", "maybe"])


def test_remaining_life_from_the_plants_own_run_to_failure_history(pump_ws, tmp_path):
    from shopfloor.sensors import plant_rul
    from tests.sensors.plants import pump_runs

    ws, _ = pump_ws
    model = plant_rul.train(pump_runs(tmp_path / "laeufe.csv"))
    assert model.meta["n_units"] == 10 and model.meta["unit"] == "readings"
    assert set(model.sensors) == {"Lagertemperatur (°C)", "Schwingung (mm/s)", "Druck (bar)", "Strom (A)"}
    model.save(ws.sensor_model_dir("rul").parent / "rul-pumps")
    worn, fresh = machine_status("PU-01", ws, charts=False), machine_status("PU-02", ws, charts=False)
    assert worn.rul_unit == "readings" and worn.rul < 40 < 80 < fresh.rul  # PU-01 looks like a run's last hours


def test_a_stuck_sensor_is_a_note_and_the_others_still_chart(workspace, tmp_path):
    import random

    rng = random.Random(5)
    f = tmp_path / "r.csv"
    lines = ["timestamp,machine_id,Stuck (bar),Temp (°C)"]
    for i in range(300):  # the pressure sensor reads 4.0 for 12 days, then wakes up in the last day
        lines.append(f"{(START + i * STEP * 4):%Y-%m-%d %H:%M},S-9,{4.0 if i < 280 else 4.0 + (i % 3) / 10},"
                     f"{40 + rng.gauss(0, 1):.2f}")
    f.write_text("\n".join(lines) + "\n")
    import_readings(workspace, f)
    st = machine_status("S-9", workspace)
    assert any(n.startswith("Stuck (bar): the baseline readings do not vary") for n in st.notes)
    assert st.charts and not any("control charts could not" in n for n in st.notes)
