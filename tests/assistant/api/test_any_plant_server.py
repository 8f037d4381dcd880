"""Issue 24: the server starts on any plant's readings and answers the fleet and every status over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from tests.assistant.serving import serving
from tests.conftest import ADMIN
from tests.sensors.plants import odd_plants, pump_plant


@pytest.fixture(scope="module")
def odd_ws(tmp_path_factory):
    """One workspace holding the pump plant and every odd plant (each imported as a plant would)."""
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    root = tmp_path_factory.mktemp("odd")
    ws = Workspace.open(root / "ws")
    a = Assistant(ws, use_llm=False, user=ADMIN)
    a.machines.import_readings(pump_plant(root / "pumpen.csv"), ["Zeit=timestamp", "Anlage=machine_id"])
    for path in odd_plants(root / "plants").values():
        a.machines.import_readings(path)
    return ws


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as r:
        assert r.status == 200
        return json.loads(r.read())


def test_server_with_ui_starts_and_serves_fleet_and_every_status(odd_ws):
    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.pipeline import Assistant

    with serving(create_app(Assistant(odd_ws, use_llm=False))) as url:
        rows = {r["machine_id"]: r for r in _get(f"{url}/api/fleet")["machines"]}
        assert set(rows) == {"PU-01", "PU-02", "PU-03", "M-7", "S-1", "T-1", "R-1", "B-1"}
        assert rows["PU-01"]["state"] == "alarm" and rows["PU-02"]["state"] == "ok"
        for m in rows:
            st = _get(f"{url}/api/machines/{m}/status")
            assert st["machine_id"] == m and isinstance(st["notes"], list)
        assert _get(f"{url}/api/machines/T-1/status")["notes"][0].startswith("no numeric sensor columns")


def test_cli_import_contract_and_status(tmp_path):
    env_ws = ["--workspace", str(tmp_path / "ws")]
    src = pump_plant(tmp_path / "p.csv")
    run = [sys.executable, "-m", "assistant", *env_ws, "sensor"]
    out = subprocess.run([*run, "import", "--data", str(src), "--map", "Zeit=timestamp", "--map", "Anlage=machine_id",
                          "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    r = json.loads(out.stdout)
    assert {"rows", "machines", "sensors", "missing_cells", "non_numeric_cells"} <= set(r)
    assert r["sensors"][0] == {"name": "Lagertemperatur (°C)", "unit": "°C"}
    st = subprocess.run([*run, "status", "PU-03", "--json"], capture_output=True, text=True, timeout=120)
    assert st.returncode == 0 and any(v["sensor"] == "Druck (bar)" for v in json.loads(st.stdout)["spc_violations"])
    bad = subprocess.run([*run, "import", "--data", str(src), "--map", "Zeit"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "write COLUMN=ROLE" in bad.stderr and "Traceback" not in bad.stderr
