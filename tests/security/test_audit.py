"""Every write leaves one audit row with the real user: through the UI (real login), the REST API and the CLI."""

from __future__ import annotations

import getpass

import pytest

from tests.security.conftest import PASSWORDS


def _audit(conn, action: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT user, detail FROM audit WHERE action = ? ORDER BY id",
                                               (action,))]


def test_ui_writes_are_attributed_to_the_logged_in_user(served, tmp_path):
    from gradio_client import Client, handle_file

    doc = tmp_path / "eng_note.md"
    doc.write_text("# Dryer D-2\n\nDry PA6 for 4 hours at 80 C before moulding.\n")
    csv = tmp_path / "complaints.csv"
    csv.write_text("text\nlabels on the boxes wrong and qty short\n\n")
    with served.db() as conn:  # rows before this test may come from the demo build or other tests' local runs
        start = conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    eng = Client(served.url, auth=("eng", PASSWORDS["eng"]), verbose=False)
    assert "Indexed 1 files" in repr(eng.predict([handle_file(str(doc))], api_name="/documents_add"))
    assert "Removed eng_note.md" in repr(eng.predict("eng_note.md", api_name="/documents_remove"))
    tom = Client(served.url, auth=("tom", PASSWORDS["tom"]), verbose=False)
    assert "rows** labelled" in repr(tom.predict(handle_file(str(csv)), "text", "complaint_category", None, "",
                                                 api_name="/batch_classify"))
    ada = Client(served.url, auth=("ada", PASSWORDS["ada"]), verbose=False)
    assert "added" in repr(ada.predict("newbie", "newbie-pass-1", "viewer", api_name="/admin_user_add"))
    assert "Revoked" in repr(ada.predict("newbie", api_name="/admin_revoke"))
    with served.db() as conn:
        assert ("eng", "eng_note.md") in _audit(conn, "upload")
        assert ("eng", "eng_note.md") in _audit(conn, "remove")
        assert any(u == "tom" for u, _ in _audit(conn, "classify_file"))
        assert ("ada", "newbie (viewer)") in _audit(conn, "user_add")
        assert any(u == "ada" and d.startswith("newbie") for u, d in _audit(conn, "tokens_revoke"))
        # removed from the index, so its review record is gone too (the audit keeps who added and removed it)
        assert conn.execute("SELECT 1 FROM documents WHERE source = 'eng_note.md'").fetchone() is None
        assert not [u for (u,) in conn.execute("SELECT user FROM audit WHERE id > ?", (start,))
                    if u == "local"]  # with login on, nobody acts as 'local'


@pytest.fixture()
def cli(demo_workspace, tmp_path):

    from tests.conftest import CLI, copy_workspace

    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    on_copy = CLI(root)

    def run(*args, input=None):
        return on_copy(*args, input=input).output

    run.root = root
    return run


def test_cli_writes_are_attributed_to_the_os_user(cli, tmp_path):
    from shopfloor.workspace import Workspace

    me = f"cli:{getpass.getuser()}"
    doc = tmp_path / "cli_note.md"
    doc.write_text("# Oven O-1\n\nPreheat for 20 minutes.\n")
    readings = tmp_path / "readings.csv"
    readings.write_text("timestamp,machine_id,temp_c\n2026-01-01T00:00:00,P-101,40\n2026-01-01T01:00:00,P-101,41\n")
    cli("index", "add", "--docs", str(doc))
    with Workspace.open(cli.root).connect() as conn:  # added by the OS user, waiting for review
        row = conn.execute("SELECT uploaded_by, reviewed_at FROM documents WHERE source = 'cli_note.md'").fetchone()
        assert tuple(row) == (me, None)
    cli("index", "approve", "cli_note.md")
    with Workspace.open(cli.root).connect() as conn:
        assert conn.execute("SELECT reviewed_by FROM documents WHERE source = 'cli_note.md'").fetchone()[0] == me
    cli("index", "remove", "cli_note.md")
    cli("sensor", "import", "--data", str(readings))
    cli("user-add", "carl", "--role", "technician", "--password", "carl-pass-1")
    cli("user-passwd", "carl", "--password", "carl-pass-2")
    cli("user-token", "carl")
    cli("user-revoke", "carl")
    with Workspace.open(cli.root).connect() as conn:
        for action in ("index_add", "approve_document", "index_remove", "sensor_import", "user_add", "password_change",
                       "token_create", "tokens_revoke"):
            rows = _audit(conn, action)
            assert rows and rows[-1][0] == me, (action, rows)
        assert conn.execute("SELECT 1 FROM documents WHERE source = 'cli_note.md'").fetchone() is None  # removed


def test_cli_user_add_refuses_an_existing_name(cli):
    from typer.testing import CliRunner

    from shopfloor.assistant.cli import app

    cli("user-add", "dora", "--role", "viewer", "--password", "dora-pass-1")
    result = CliRunner().invoke(app, ["--workspace", str(cli.root), "user-add", "dora", "--role", "admin",
                                      "--password", "attacker-pass"])
    assert result.exit_code != 0 and "already exists" in repr(result.exception)


def test_cli_classify_train_is_audited(cli, tmp_path):
    import pandas as pd

    from shopfloor.workspace import Workspace

    data = tmp_path / "tiny.csv"
    pd.DataFrame({"text": [f"belt slipping on pulley {i}" for i in range(12)] +
                          [f"bearing noise and vibration {i}" for i in range(12)],
                  "label": ["belt_slip"] * 12 + ["bearing_wear"] * 12}).to_csv(data, index=False)
    cli("classify", "train", "--data", str(data), "--text-col", "text", "--label-col", "label",
        "--out", str(tmp_path / "model"), "--epochs", "1", "--json")
    with Workspace.open(cli.root).connect() as conn:
        rows = _audit(conn, "classify_train")
    assert rows and rows[-1][0] == f"cli:{getpass.getuser()}"


def test_api_classify_is_audited_with_the_user_and_the_row_count(served):
    import httpx

    texts = ["pump P-101 rumbling, vibration up", "conveyor belt slipping on the drive pulley", "oil under gearbox"]
    headers = {"Authorization": f"Bearer {served.token('tom')}"}
    r = httpx.post(f"{served.url}/api/classify", json={"texts": texts, "task": "failure_mode"}, headers=headers,
                   timeout=120)
    assert r.status_code == 200, r.text
    ids = [p["id"] for p in r.json()["predictions"]]
    with served.db() as conn:
        rows = _audit(conn, "classify")
        stored = conn.execute(f"SELECT count(*) FROM classifications WHERE id IN ({','.join('?' * len(ids))})",
                              ids).fetchone()[0]
    assert stored == 3  # before: these rows were written with no audit line at all
    assert rows and rows[-1][0] == "tom" and rows[-1][1].startswith("3 rows from api, task failure_mode")
