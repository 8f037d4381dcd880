"""The role matrix, asserted at the facade, through the REST API and through every UI endpoint, over real HTTP.

The expected table is written out here on purpose (not read from shopfloor.assistant.policy): it is the
specification the code must meet, so a wrong entry in the code fails these tests.
"""

from __future__ import annotations

import pytest

from tests.security.conftest import PASSWORDS, snapshot

ORDER = ["viewer", "technician", "engineer", "admin"]
# action -> least role, as the product promises it to plants (docs/security.md)
EXPECTED = {"ask": "viewer", "view_machines": "viewer", "view_trends": "viewer", "acknowledge_alarm": "technician",
            "work_orders": "technician",
            "feedback": "viewer", "diagnose": "technician", "draft_report": "technician",
            "classify": "technician", "inspect": "technician", "view_reviews": "technician", "correct_label": "engineer",
            "upload_document": "engineer", "remove_document": "engineer", "approve_document": "engineer",
            "restrict_document": "engineer", "import_sensors": "engineer",
            "retrain": "admin", "manage_users": "admin", "view_audit": "admin", "change_own_password": "viewer"}


def test_policy_table_is_the_promised_one():
    from shopfloor.assistant.policy import MIN_ROLE

    assert {a.name: r.value for a, r in MIN_ROLE.items()} == EXPECTED


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 120).save(buf, format="PNG")
    return buf.getvalue()


def _facade_calls(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("text\nlabels on the boxes wrong\n")
    doc = tmp_path / "n.txt"
    doc.write_text("Hopper dryer D-2 needs 4 hours at 80 C.")
    readings = tmp_path / "r.csv"
    readings.write_text("timestamp,machine_id,temp_c\n2026-01-01T00:00:00,P-101,40\n")
    photo = _png()
    return {  # action -> a call that performs it (arguments chosen so the allowed call succeeds or fails cleanly)
        "ask": lambda a, u: a.answer("How do I fix a slipping belt?", user=u),
        "view_machines": lambda a, u: a.machines.known(user=u),
        "acknowledge_alarm": lambda a, u: a.machines.acknowledge(10**9, "checked", user=u),
        "work_orders": lambda a, u: a.workorders.known(user=u),
        "feedback": lambda a, u: a.record_feedback("q", "a", 1, user=u),
        "diagnose": lambda a, u: a.diagnose("P101 brg nse", summary=False, user=u),
        "classify": lambda a, u: a.texts.classify(["belt slipping"], "failure_mode", user=u),
        "inspect": lambda a, u: a.inspection.run([("p.png", photo)], user=u),
        "view_reviews": lambda a, u: a.reviews.page(None, user=u),
        "correct_label": lambda a, u: a.reviews.correct(None, 10**9, "x", user=u),
        "upload_document": lambda a, u: a.knowledge.add([doc], user=u),
        "remove_document": lambda a, u: a.knowledge.remove("n.txt", user=u),
        "approve_document": lambda a, u: a.knowledge.approve("n.txt", user=u),
        "restrict_document": lambda a, u: a.knowledge.restrict("n.txt", "admin", user=u),
        "import_sensors": lambda a, u: a.machines.import_readings(readings, user=u),
        "retrain": lambda a, u: a.texts.retrain("no_such_task", user=u),
        "manage_users": lambda a, u: a.users.known(user=u),
        "view_audit": lambda a, u: a.users.audit_log(user=u),
        "view_trends": lambda a, u: a.quality.trends("no_such_task", user=u),
        "draft_report": lambda a, u: a.quality.report_8d("no_such_task", "x", user=u),
    }


@pytest.mark.parametrize("role", ORDER)
def test_facade_refuses_below_the_least_role(writable_assistant, tmp_path, role):
    from shopfloor.assistant.policy import User
    from shopfloor.errors import PermissionDeniedError, ShopfloorError

    a = writable_assistant
    a.default_user = None  # nobody by default, as in the server
    user = User(f"someone-{role}", role)
    for action, call in _facade_calls(tmp_path).items():
        allowed = ORDER.index(role) >= ORDER.index(EXPECTED[action])
        if allowed:
            try:
                call(a, user)
            except PermissionDeniedError as e:
                pytest.fail(f"{role} was refused {action}: {e}")
            except ShopfloorError:
                pass  # allowed, then refused for a domain reason (no such row / task): fine
        else:
            with pytest.raises(PermissionDeniedError, match=f"needs the {EXPECTED[action]} role"):
                call(a, user)
    with pytest.raises(PermissionDeniedError, match="log in first"):
        a.answer("anything")  # no user at all


def test_every_public_method_of_the_facade_and_its_services_checks_the_role():
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.pipeline.inspection import Inspection
    from shopfloor.assistant.pipeline.knowledge import Knowledge
    from shopfloor.assistant.pipeline.machines import Machines
    from shopfloor.assistant.pipeline.quality import Quality
    from shopfloor.assistant.pipeline.texts import Texts
    from shopfloor.assistant.pipeline.users import Users
    from shopfloor.assistant.pipeline.workorders import WorkOrders

    # not actions: the model handle, answer() (= the checked ask()), registering the UI's sign-out hook, and the
    # look-ups that establish who is asking (a login, a token, a web session; the first admin of a new server)
    unchecked = {"Assistant.llm", "Assistant.answer", "Users.on_sign_out", "Users.by_name", "Users.by_token",
                 "Users.check_password", "Users.sign_in", "Users.sign_in_for_token", "Users.session_alive",
                 "Users.first_admin"}
    found = {f"{cls.__name__}.{name}" for cls in (Assistant, Inspection, Knowledge, Machines, Quality, Texts, Users,
                                                         WorkOrders)
             for name, f in vars(cls).items()
             if not name.startswith("_") and callable(f) and not hasattr(f, "action")}
    assert found == unchecked


def test_only_an_admin_changes_someone_elses_password(writable_assistant):
    from shopfloor.assistant.policy import User
    from shopfloor.errors import PermissionDeniedError

    a = writable_assistant
    a.users.add("vic2", "viewer-pass-1", "viewer")
    with pytest.raises(PermissionDeniedError):
        a.users.set_password("test-admin", "hijacked-pass", user=User("vic2", "viewer"))
    assert a.users.set_password("vic2", "a-new-password", user=User("vic2", "viewer")) >= 1  # own: yes (its token revoked)


REST = [  # method, path, body, least role
    ("post", "/api/ask", {"question": "How do I fix a slipping conveyor belt?"}, "viewer"),
    ("get", "/api/machines", None, "viewer"),
    ("get", "/api/machines/P-101/status", None, "viewer"),
    ("get", "/api/fleet", None, "viewer"),
    ("get", "/api/alarms", None, "viewer"),
    ("get", "/api/tasks", None, "viewer"),
    ("get", "/api/documents", None, "viewer"),
    ("get", "/api/me", None, "viewer"),
    ("get", "/v1/models", None, "viewer"),
    ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": "slipping belt fix?"}]}, "viewer"),
    ("post", "/api/diagnose", {"log": "P101 brg nse rumbling", "summary": False}, "technician"),
    ("post", "/api/classify", {"texts": ["belt slipping"], "task": "failure_mode"}, "technician"),
    ("get", "/api/inspect/reviews", None, "technician"),
    ("get", "/api/workorders", None, "technician"),
    ("get", "/api/reviews", None, "technician"),
    ("get", "/api/audit", None, "admin"),
]


@pytest.mark.parametrize("method, path, body, least", REST, ids=[f"{m} {p}" for m, p, _, _ in REST])
def test_rest_role_matrix(served, method, path, body, least):
    import httpx

    for name, role in (("vic", "viewer"), ("tom", "technician"), ("eng", "engineer"), ("ada", "admin")):
        headers = {"Authorization": f"Bearer {served.token(name)}"}
        r = httpx.request(method.upper(), served.url + path, json=body, headers=headers, timeout=120)
        expected = 200 if ORDER.index(role) >= ORDER.index(least) else 403
        assert r.status_code == expected, f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
    anonymous = httpx.request(method.upper(), served.url + path, json=body, timeout=60)
    assert anonymous.status_code == 401


def test_inspect_upload_and_review_need_their_roles(served):
    """Multipart photo upload: technician and up; saving a reviewed label: engineer and up; nobody anonymous."""
    import httpx

    photo = _png()
    ids = []
    for name, role in (("vic", "viewer"), ("tom", "technician"), ("eng", "engineer"), ("ada", "admin")):
        headers = {"Authorization": f"Bearer {served.token(name)}"}
        r = httpx.post(served.url + "/api/inspect", files=[("files", (f"{name}.png", photo, "image/png"))],
                       headers=headers, timeout=120)
        assert r.status_code == (200 if role != "viewer" else 403), f"{role}: {r.status_code} {r.text[:200]}"
        ids += [x["id"] for x in r.json().get("results", [])]
        r = httpx.post(served.url + "/api/inspect/reviews", json={"id": ids[0] if ids else 1, "label": "scratch"},
                       headers=headers, timeout=60)
        assert r.status_code == (200 if role in ("engineer", "admin") else 403), f"{role}: {r.text[:200]}"
    assert httpx.post(served.url + "/api/inspect", files=[("files", ("a.png", photo, "image/png"))],
                      timeout=60).status_code == 401


def test_text_review_queue_and_corrections_need_their_roles(served):
    """GET /api/reviews: technician and up; POST /api/reviews (a correction): engineer and up; nobody anonymous."""
    import httpx

    with served.db() as conn:
        cid = conn.execute("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
                           "VALUES ('complaint_category', 'lid scratched on arrival', 'damage', 0.2, 1, 'x', 'seed')"
                           ).lastrowid
        conn.commit()
    for name, role in (("vic", "viewer"), ("tom", "technician"), ("eng", "engineer"), ("ada", "admin")):
        headers = {"Authorization": f"Bearer {served.token(name)}"}
        r = httpx.get(served.url + "/api/reviews", params={"task": "complaint_category"}, headers=headers, timeout=60)
        assert r.status_code == (403 if role == "viewer" else 200), f"{role}: {r.text[:200]}"
        r = httpx.post(served.url + "/api/reviews", json={"id": cid, "label": "damage"}, headers=headers, timeout=60)
        assert r.status_code == (200 if role in ("engineer", "admin") else 403), f"{role}: {r.text[:200]}"
    assert httpx.get(served.url + "/api/reviews", timeout=60).status_code == 401
    with served.db() as conn:
        assert [r[0] for r in conn.execute("SELECT user FROM reviews WHERE classification_id = ?", (cid,))] == \
            ["eng", "ada"]


def _ui_calls(tmp_path):
    from gradio_client import handle_file

    csv = tmp_path / "complaints.csv"
    csv.write_text("text\nlabels on the boxes wrong and qty short\n\n")
    doc = tmp_path / "planted.md"
    doc.write_text("# Planted\n\nA viewer should never get this into the index.\n")
    photo = tmp_path / "part.png"
    photo.write_bytes(_png())
    readings = tmp_path / "pumpen.csv"
    readings.write_text("Zeit,Anlage,Druck (bar)\n2026-01-01 00:00,P-101,9.9\n")
    history = [{"role": "user", "content": [{"type": "text", "text": "hi"}]},
               {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}]
    # endpoint -> (arguments, is it a write a viewer must be refused?)
    return {
        "/whoami": ((), False),
        "/chat": (("How do I fix a slipping conveyor belt?", []), False),
        "/chat_submit": (("How do I fix a slipping conveyor belt?", []), False),
        "/feedback_up": ((history, "ok"), False),
        "/feedback_down": ((history, "meh"), False),
        "/diagnose": (("P101 brg nse rumbling", "(detect from text)", False, handle_file(str(photo))), True),
        "/raise_work_order": (("P101 brg nse rumbling", "(detect from text)"), True),
        "/batch_preview": ((handle_file(str(csv)),), False),
        "/batch_classify": ((handle_file(str(csv)), "text", "complaint_category", None, ""), True),
        "/batch_sheet": ((handle_file(str(csv)), None), False),
        "/review_queue": (("complaint_category",), True),
        "/review_save": ((1, "packaging_labelling", False, "complaint_category", 0), True),
        "/review_prev": (("complaint_category", 0), True),
        "/review_next": (("complaint_category", 0), True),
        "/review_pick": ((1, "complaint_category"), True),
        "/batch_refresh": ((), True),
        "/inspect": (([handle_file(str(photo))],), True),
        "/inspect_queue": ((), True),
        "/inspect_prev": ((0,), True),
        "/inspect_next": ((0,), True),
        "/inspect_pick": ((1,), True),
        "/inspect_save": ((1, "scratch", 0), True),
        "/inspect_retrain": ((), True),
        "/machine_status": (("P-101",), False),
        "/fleet": ((), False),
        "/fleet_refresh": ((), False),
        "/alarm_acknowledge": (("HP-601", 1, "viewer was here"), True),
        "/alarm_work_order": ((1,), True),
        "/workorders_list": ((), True),
        "/workorders_send": ((), True),
        "/workorders_export": ((), True),  # a viewer gets no file, only the refusal
        "/readings_check": ((handle_file(str(readings)), "Zeit=timestamp"), True),
        "/readings_import": ((handle_file(str(readings)), "Zeit=timestamp\nAnlage=machine_id"), True),
        "/trends_task": (("complaint_category", "month", "plain p"), False),
        "/trends_preview": ((handle_file(str(csv)),), False),
        "/trends_open": (("complaint_category", None, None, None, None, "month", "damage", ""), False),
        "/trends_file": ((handle_file(str(csv)), "text", "text", "month", "plain p"), False),
        "/report_task": (("complaint_category", "month", "damage"), True),
        "/report_file": ((handle_file(str(csv)), "text", "text", "text", "month", "damage"), True),
        "/report_docx": (("# 8D report (draft): damage",), False),  # no data: a viewer gets no file
        "/report_pdf": (("# 8D report (draft): damage",), False),
        "/documents_add": (([handle_file(str(doc))],), True),
        "/documents_remove": (("P-101.md",), True),
        "/documents_approve": (("P-101.md",), True),
        "/documents_restrict": (("P-101.md", "admin"), True),
        "/admin_retrain": (("complaint_category",), True),
        "/admin_user_add": (("mallory", "mallory-pass-1", "admin"), True),
        "/admin_set_password": (("ada", "hijacked-pass-1"), True),
        "/admin_set_role": (("vic", "admin"), True),
        "/admin_revoke": (("ada",), True),
        "/admin_refresh": ((), True),
        "/account_password": (("not-my-password", "another-pass-1"), True),
    }


def _flat(x) -> str:
    return repr(x)


def test_every_ui_endpoint_as_a_viewer(served, tmp_path):
    """Log in to the UI as a viewer and call every endpoint /gradio_api/info lists: each write is refused and the
    database is unchanged (apart from the viewer's own feedback rows)."""
    from gradio_client import Client

    with served.db() as conn:
        conn.execute("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
                     "VALUES ('complaint_category', 'secret complaint text', 'damage', 0.2, 1, 'x', 'seed')")
        conn.execute("INSERT INTO inspections (sha256, image, stored, label, confidence, needs_review) "
                     "VALUES ('abc', 'secret-photo.png', '/nonexistent.png', 'scratch', 0.3, 1)")
        conn.commit()
        before = snapshot(conn)
    readings = served.root / "sensors" / "process.parquet"
    readings_before = readings.read_bytes()
    client = Client(served.url, auth=("vic", PASSWORDS["vic"]), verbose=False)
    listed = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    calls = _ui_calls(tmp_path)
    assert listed == set(calls), f"endpoints without a role test: {listed ^ set(calls)}"
    outputs = {}
    for name, (args, _) in calls.items():
        outputs[name] = client.predict(*args, api_name=name)
    assert "vic** (viewer)" in _flat(outputs["/whoami"])
    refused = "needs the"
    for name, (_, write) in calls.items():
        if write and name not in ("/review_queue", "/account_password", "/batch_classify", "/batch_refresh"):
            assert refused in _flat(outputs[name]), f"{name} was not refused: {_flat(outputs[name])[:300]}"
    assert "needs the technician role" in _flat(outputs["/batch_classify"])
    for name in ("/review_queue", "/review_prev", "/review_next", "/review_pick", "/batch_refresh", "/trends_open"):
        assert "secret complaint text" not in _flat(outputs[name]), name  # the queue is technician data
    assert "secret-photo.png" not in _flat([outputs[n] for n in ("/inspect_queue", "/inspect_prev", "/inspect_next",
                                                                 "/inspect_pick")])
    assert "current password is wrong" in _flat(outputs["/account_password"])
    assert outputs["/workorders_export"].get("value") is None
    assert "[1]" in _flat(outputs["/chat"])  # reading is allowed: the viewer gets a cited answer
    with served.db() as conn:
        after = snapshot(conn)
    for table in before:
        assert after[table] == before[table], f"a viewer changed table {table}"
    assert readings.read_bytes() == readings_before, "a viewer changed the sensor readings"
    with served.db() as conn:
        assert {r[0] for r in conn.execute("SELECT DISTINCT user FROM feedback")} >= {"vic"}
        # viewing a status records the alarms the readings show (the system's doing), never an acknowledgement
        assert not conn.execute("SELECT count(*) FROM alarms WHERE acknowledged_by = 'vic'").fetchone()[0]
    assert "HP-601" in _flat(outputs["/fleet"])


def test_alarms_are_acknowledged_by_a_technician_by_name_and_audited(served):
    import httpx

    def call(method, path, name, **kw):
        return httpx.request(method, served.url + path, headers={"Authorization": f"Bearer {served.token(name)}"},
                             timeout=120, **kw)

    fleet = call("GET", "/api/fleet", "vic").json()["machines"]
    assert fleet[0]["machine_id"] == "HP-601" and fleet[0]["state"] == "alarm"  # the degrading press, worst first
    alarms = call("GET", "/api/alarms?state=open&machine=hp601", "vic").json()["alarms"]
    assert alarms and all(a["machine_id"] == "HP-601" and a["state"] == "open" for a in alarms)
    torque = next(a for a in alarms if a["sensor"] == "Torque [Nm]")
    assert torque["direction"] == "high" and "overstrain" in torque["failure_types"]
    path = f"/api/alarms/{torque['id']}/acknowledge"
    assert call("POST", path, "vic", json={"note": "seen"}).status_code == 403
    r = call("POST", path, "tom", json={"note": "torque checked, die re-shimmed"})
    assert r.status_code == 200, r.text
    assert r.json()["acknowledged_by"] == "tom" and r.json()["state"] == "acknowledged"
    again = call("POST", path, "ada", json={})
    assert again.status_code == 400 and "already acknowledged by tom" in again.text
    assert call("POST", "/api/alarms/999999/acknowledge", "tom", json={}).status_code in (400, 404)
    with served.db() as conn:
        row = conn.execute("SELECT user, detail FROM audit WHERE action = 'alarm_ack' ORDER BY id DESC").fetchone()
    assert row[0] == "tom" and "HP-601 Torque [Nm]" in row[1] and "re-shimmed" in row[1]
    assert all(a["id"] != torque["id"] for a in call("GET", "/api/alarms?state=open", "vic").json()["alarms"])


def test_ui_and_files_need_a_login(served):
    import httpx

    assert httpx.get(f"{served.url}/gradio_api/info", timeout=30).status_code == 401
    assert httpx.get(f"{served.url}/config", timeout=30).status_code == 401
