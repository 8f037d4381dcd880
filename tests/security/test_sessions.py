"""Sessions end everywhere when a user is revoked or their password changes - also from the CLI, which runs in
another process than the server - and no other web origin may read answers with a user's cookies."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess

import httpx
import pytest

from tests.security.conftest import SHOPFLOOR


def _user(served, name: str, password: str, role: str = "technician") -> None:
    from shopfloor.assistant import auth

    with served.db() as conn:
        auth.add_user(conn, name, password, role, by="test-setup")


def _ui_login(served, name: str, password: str) -> httpx.Client:
    c = httpx.Client(base_url=served.url, timeout=60)
    assert c.post("/login", data={"username": name, "password": password}).status_code == 200
    assert c.get("/gradio_api/login_check").status_code == 200
    return c


def _api_token(served, name: str, password: str) -> dict:
    r = httpx.post(f"{served.url}/api/login", json={"name": name, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _cli(served, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(served.root)}
    return subprocess.run([str(SHOPFLOOR), *args], env=env, input=input, capture_output=True, text=True, timeout=180)


def _ended(served, ui: httpx.Client, headers: dict) -> bool:
    return (ui.get("/gradio_api/login_check").status_code == 401
            and httpx.get(f"{served.url}/api/me", headers=headers, timeout=30).status_code == 401)


@pytest.mark.parametrize("how", ["user-revoke", "user-passwd"])
def test_cli_revoke_and_password_change_end_web_sessions(served, how):
    name, password = f"sess-{how}", "session-pass-1"
    _user(served, name, password)
    ui, other_ui = _ui_login(served, name, password), _ui_login(served, name, password)
    headers = _api_token(served, name, password)
    assert httpx.get(f"{served.url}/api/me", headers=headers, timeout=30).json()["name"] == name
    if how == "user-revoke":
        r = _cli(served, "user-revoke", name)
        new_password = password
    else:
        new_password = "changed-pass-22"
        r = _cli(served, "user-passwd", name, "--password", new_password)
    assert r.returncode == 0, r.stderr
    try:
        assert _ended(served, ui, headers) and other_ui.get("/gradio_api/login_check").status_code == 401
        assert ui.get("/gradio_api/info").status_code == 401  # the UI's own routes refuse the old cookie too
        fresh = _ui_login(served, name, new_password)  # a login after the revoke is a new, valid session
        assert fresh.get("/gradio_api/login_check").status_code == 200
        fresh.close()
    finally:
        ui.close()
        other_ui.close()


def test_password_change_in_the_ui_ends_the_users_other_sessions_and_tokens(served):
    from gradio_client import Client

    name, password = "sess-ui", "session-pass-2"
    _user(served, name, password)
    ui = _ui_login(served, name, password)
    headers = _api_token(served, name, password)
    me = Client(served.url, auth=(name, password), verbose=False)
    try:  # the change ends this client's own session too, and a busy server may end it before the reply arrives
        said = me.predict(password, "brand-new-pass-3", api_name="/account_password")
        assert "Password changed" in said
    except concurrent.futures.CancelledError:
        pass
    try:
        assert _ended(served, ui, headers)
    finally:
        ui.close()
    with served.db() as conn:
        assert conn.execute("SELECT sessions_after FROM users WHERE name = ?", (name,)).fetchone()[0] is not None
    assert _api_token(served, name, "brand-new-pass-3")  # the new password is the one that works


def test_a_deleted_user_loses_their_ui_session(served):
    name, password = "sess-gone", "session-pass-4"
    _user(served, name, password)
    ui = _ui_login(served, name, password)
    with served.db() as conn, conn:
        conn.execute("DELETE FROM users WHERE name = ?", (name,))
    try:
        assert ui.get("/gradio_api/login_check").status_code == 401
    finally:
        ui.close()


@pytest.mark.parametrize("path", ["/gradio_api/info", "/gradio_api/login_check", "/api/health", "/config"])
def test_other_origins_are_not_allowed_to_read_with_credentials(served, path):
    # Before: Gradio echoed any localhost origin (another local web page, another port) with credentials.
    ada = _ui_login(served, "ada", "admin-pass-12")
    try:
        for origin in ("http://localhost:9999", "http://127.0.0.1:1", "null", "https://evil.example"):
            r = ada.get(path, headers={"Origin": origin})
            assert "access-control-allow-origin" not in r.headers, (path, origin, r.headers)
            pre = ada.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
            assert "access-control-allow-origin" not in pre.headers, (path, origin, pre.headers)
    finally:
        ada.close()


def test_configured_origins_are_the_only_ones_allowed():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from shopfloor.assistant.api.app import _cors

    app = FastAPI()
    _cors(app, ["https://mes.plant.example/"])

    @app.get("/x")
    def x():
        return {}

    c = TestClient(app)
    ok = c.get("/x", headers={"Origin": "https://mes.plant.example"})
    assert ok.headers["access-control-allow-origin"] == "https://mes.plant.example"
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in c.get("/x", headers={"Origin": "http://localhost:8000"}).headers
