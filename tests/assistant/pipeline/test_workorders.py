"""Work orders: drafted from the diagnosis card, kept in the outbox while the CMMS is down, delivered when it returns,
failed only when the retry budget is spent; the CLI contract of issue 28 against a local receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import copy_workspace

LOG = "P-101 brg nse rumbling, vib up since yesterday"


class Receiver:
    """A local CMMS webhook: 503 while ``up`` is False, else 201 and the request kept in ``got``."""

    def __init__(self):
        self.up, self.got = False, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not outer.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.got.append((dict(self.headers), json.loads(body)))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/workorders"


@pytest.fixture()
def cmms(monkeypatch):
    r = Receiver()
    monkeypatch.setenv("SHOPFLOOR_CMMS_URL", r.url)
    monkeypatch.setenv("SHOPFLOOR_CMMS_TOKEN", "t0ken")
    yield r
    r.server.shutdown()


def test_a_work_order_survives_the_cmms_being_down(writable_assistant, cmms):
    a = writable_assistant
    wo = a.workorders.create(LOG)
    assert (wo.state, wo.attempts, wo.last_error) == ("queued", 1, "HTTP 503")  # tried at once, kept
    assert wo.asset == "P-101" and wo.iso14224 == "VIB" and wo.priority in ("P1", "P2", "P3") and wo.priority_reason
    assert wo.description == LOG and wo.citations and (wo.cause or wo.action)
    assert a.workorders.send().model_dump() == {"delivered": 0, "pending": 1, "failed": 0, "note": ""}
    cmms.up = True
    assert a.workorders.send().delivered == 1
    [done] = a.workorders.known()
    assert done.state == "delivered" and done.attempts == 3 and done.last_error is None and done.delivered_at
    headers, body = cmms.got[0]
    assert headers["Authorization"] == "Bearer t0ken" and headers["Idempotency-Key"] == f"shopfloor-workorder-{wo.id}"
    assert body["id"] == wo.id and body["asset"] == "P-101" and body["description"] == LOG
    assert a.workorders.send().delivered == 0  # nothing is delivered twice
    assert any(r.action == "workorder" for r in a.users.audit_log())


def test_failed_only_when_the_retry_budget_is_spent(writable_assistant, cmms):
    a = writable_assistant
    a.ws.config.cmms.max_attempts = 2
    wo = a.workorders.create(LOG)
    assert wo.state == "queued"
    from shopfloor.assistant.pipeline import outbox

    assert outbox.send(a.ws).delivered == 0 and a.workorders.known()[0].attempts == 1  # backing off: not due
    assert a.workorders.send().model_dump() == {"delivered": 0, "pending": 0, "failed": 1, "note": ""}
    assert a.workorders.known()[0].state == "failed"


def test_without_a_cmms_work_orders_wait(writable_assistant, monkeypatch):
    monkeypatch.delenv("SHOPFLOOR_CMMS_URL", raising=False)
    a = writable_assistant
    wo = a.workorders.create("HP-601 tonnage reading zero while pressing")
    assert (wo.state, wo.attempts) == ("queued", 0)
    r = a.workorders.send()
    assert r.pending == 1 and "no CMMS configured" in r.note


def test_iso_code_and_priority_from_the_card():
    from shopfloor.assistant.pipeline.diagnose import Cause, Diagnosis
    from shopfloor.assistant.pipeline.workorders import iso_code, priority
    from shopfloor.sensors.status import MachineStatus

    assert iso_code("seal_leak") == "ELP" and iso_code("hydraulic_leak") == "ELU" and iso_code("overheating") == "OHE"
    assert iso_code("tool_wear", "spindle noise") == "NOI" and iso_code("other", "") == "OTH"
    assert iso_code("Lagerschaden", "") == "VIB" and iso_code(None, "液压缸漏油") == "ELU"  # a German, a Chinese plant
    d = Diagnosis(log="x", causes=[Cause(citation="fmea.csv", score=0.5, ratings={"RPZ": "240", "Bedeutung": "8"},
                                         risk={"rpn": "240", "severity": "8"})])
    assert priority(d) == ("P1", "FMEA RPN 240, severity 8")
    d.causes[0].risk = {"rpn": "120"}
    assert priority(d)[0] == "P2"
    d.status = MachineStatus(machine_id="P-101", failure_probability=0.7)
    assert priority(d) == ("P1", "failure probability 70%")
    assert priority(Diagnosis(log="x"))[0] == "P3"


def test_cli_contract(demo_workspace, tmp_path, cmms):
    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(root)}
    cmms.up = True

    def run(*args):
        res = subprocess.run([sys.executable, "-m", "assistant", "workorder", *args, "--json"], capture_output=True,
                             text=True, timeout=180, env=env)
        assert res.returncode == 0, res.stderr[-1500:]
        return json.loads(res.stdout)

    made = run("create", "--log", "hydraulic press oil leak at the main cylinder", "--machine", "HP-601")
    assert made["state"] == "delivered" and made["asset"] == "HP-601" and isinstance(made["id"], int)
    assert run("send") == {"delivered": 0, "pending": 0, "failed": 0, "note": ""}
    listed = run("list")["workorders"]
    assert [(w["id"], w["state"], w["attempts"]) for w in listed] == [(made["id"], "delivered", 1)]


def test_a_passage_first_and_a_row_lower_the_step_and_the_work_order_say_which_is_which():
    from shopfloor.assistant.pipeline.diagnose import Cause, Diagnosis, next_step
    from shopfloor.assistant.pipeline.workorders import draft

    passage = Cause(text="This symptom usually points to a worn rod seal.", citation="HP-601.md > Symptoms", score=0.63)
    row = Cause(symptom="Ram drifts down under load", cause="Main cylinder rod seal worn", remedy="Replace rod seal kit "
                "RS-160", kind="troubleshooting", citation="HP-601.md > Troubleshooting", score=0.49)
    d = Diagnosis(log="HP-601 ram drifts down, oil on rod", machine_id="HP-601", causes=[passage, row])
    step = next_step(d)
    assert "No troubleshooting entry" not in step  # there is one, ranked lower: it is named as such
    assert step.startswith("The closest entry is a manual passage") and "less close troubleshooting row (Ram drifts" in step
    wo = draft(d, "tom")
    assert wo.cause == "Main cylinder rod seal worn" and wo.action == "Replace rod seal kit RS-160"


def test_work_orders_export_to_csv_and_json_without_live_formulas(tmp_path):
    import pandas as pd

    from shopfloor.assistant.pipeline.workorders import WorkOrder, export
    from shopfloor.errors import InputError

    orders = [WorkOrder(id=7, description='=HYPERLINK("http://x","click")', citations=["P-101.md > 3", "fmea.csv"]),
              WorkOrder(id=8, description="Pumpe P-101 läuft heiß", priority="P1")]
    assert export(orders, tmp_path / "wo.csv") == 2
    back = pd.read_csv(tmp_path / "wo.csv", dtype=str, keep_default_na=False)
    assert back["description"][0].startswith("'=") and back["citations"][0] == "P-101.md > 3 | fmea.csv"
    assert back["description"][1] == "Pumpe P-101 läuft heiß" and list(back["id"]) == ["7", "8"]
    export(orders, tmp_path / "wo.json")
    assert [w["id"] for w in json.loads((tmp_path / "wo.json").read_text())["workorders"]] == [7, 8]
    with pytest.raises(InputError, match="csv or .json"):
        export(orders, tmp_path / "wo.xlsx")


def test_an_alarm_draft_without_a_document_checks_the_signal_and_ranks_by_the_alarms_state():
    from shopfloor.assistant.pipeline.results import AlarmView
    from shopfloor.assistant.pipeline.workorders import from_alarm

    alarm = AlarmView(id=4, machine_id="Presse 3", sensor="Öltemperatur [°C]", direction="high", rule="ewma",
                      description="EWMA beyond its limit", first_reading="2026-11-02 06:00", points=3,
                      state="acknowledged", active=True, last_reading="2026-11-02 09:00")
    wo = from_alarm(alarm, "tom")
    assert (wo.priority, wo.failure_mode, wo.iso14224) == ("P2", "öltemperatur_too_high", "OHE")  # temperature
    assert wo.action.startswith("Check Öltemperatur on Presse 3") and wo.cause == "" and wo.citations == []
    assert from_alarm(alarm.model_copy(update={"active": False}), "tom").priority == "P3"
    assert from_alarm(alarm.model_copy(update={"sensor": "Druck [bar]"}), "tom").iso14224 == "PDE"
