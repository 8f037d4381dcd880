from __future__ import annotations

import pytest

from shopfloor.assistant.demo.build import build_demo
from shopfloor.errors import InputError
from shopfloor.sensors import machine_status


@pytest.fixture(scope="module")
def sensor_ws(tmp_path_factory):
    from shopfloor.workspace import Workspace

    ws = Workspace.open(tmp_path_factory.mktemp("s") / "ws")
    build_demo(ws, only=["records", "readings", "sensors:failure", "sensors:rul"])
    return ws


def test_status_of_a_demo_machine(sensor_ws):
    st = machine_status("hp-601", sensor_ws)
    assert st.machine_id == "HP-601" and 0 <= st.failure_probability <= 1
    assert st.rul is not None and 0 <= st.rul <= 125
    assert st.anomaly is not None and [c.rsplit("/", 1)[1] for c in st.charts] == ["HP-601_values.png",
                                                                                    "HP-601_residuals.png"]
    assert {s["name"] for s in st.sensors} == {"Air temperature [K]", "Process temperature [K]",
                                               "Rotational speed [rpm]", "Torque [Nm]"}  # tool wear: a counter
    assert any(v["sensor"] == "Torque [Nm]" for v in st.spc_violations)  # HP-601's torque drifts up at the end
    assert st.notes == []


def test_unknown_machine_lists_known_ones(sensor_ws):
    with pytest.raises(InputError, match="unknown machine 'X-9'; known machines: AC-501, CV-401"):
        machine_status("X-9", sensor_ws)


def test_missing_models_are_notes_not_crashes(workspace):
    build_demo(workspace, only=["records"])
    st = machine_status("P-101", workspace)
    assert st.failure_probability is None and any("no process readings" in n for n in st.notes)


def test_a_reading_without_torque_gives_unknown_risk_with_the_reason(tmp_path):
    import pandas as pd

    from shopfloor.assistant.demo.build import build_demo
    from shopfloor.sensors import import_readings, machine_status
    from shopfloor.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    build_demo(ws, only=["records", "readings", "sensors:failure"])
    late = pd.DataFrame([{"timestamp": "2030-01-01T00:00:00", "machine_id": "P-101", "Type": "L",
                          "Air temperature [K]": 300.0, "Process temperature [K]": 310.0,
                          "Rotational speed [rpm]": 1500, "Tool wear [min]": 100}])  # no torque column
    late.to_csv(tmp_path / "late.csv", index=False)
    import_readings(ws, tmp_path / "late.csv")
    st = machine_status("P-101", ws, charts=False)
    assert st.failure_probability is None and st.failure_type is None
    assert any("failure risk unknown" in n and "Torque [Nm] missing" in n for n in st.notes)
    assert st.risk_unknown == ["Torque [Nm] missing"]


def test_the_demo_failure_model_is_not_applied_to_pumps_without_its_columns(sensor_ws, tmp_path):
    """Last in this module: it adds the pump plant to the shared demo workspace."""
    from shopfloor.sensors import import_readings
    from tests.sensors.plants import pump_plant

    import_readings(sensor_ws, pump_plant(tmp_path / "p.csv"))  # Zeit / Anlage found by name, no --map
    st = machine_status("PU-02", sensor_ws, charts=False)
    assert st.failure_probability is None and st.risk_unknown == ["no failure model for this machine's sensors"]
    assert machine_status("HP-601", sensor_ws, charts=False).failure_probability is not None  # still applies there
