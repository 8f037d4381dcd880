"""A plant as an attacker meets it: a real `shopfloor serve` process with login on, four users (one per role),
driven over real HTTP. Started once per session (importing models takes ~20 s)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import copy_workspace as copy_files

PASSWORDS = {"vic": "viewer-pass-1", "tom": "technician-pass", "eng": "engineer-pass", "ada": "admin-pass-12"}
ROLES = {"vic": "viewer", "tom": "technician", "eng": "engineer", "ada": "admin"}
SHOPFLOOR = Path(sys.executable).with_name("shopfloor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    root: Path
    proc: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        import httpx

        return self.proc.poll() is None and httpx.get(f"{self.url}/api/health", timeout=10).status_code == 200

    def token(self, name: str) -> str:
        import httpx

        r = httpx.post(f"{self.url}/api/login", json={"name": name, "password": PASSWORDS[name]}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def db(self):
        from shopfloor.workspace import Workspace

        return Workspace.open(self.root).connect()


def copy_workspace(demo_workspace, dest: Path, login: str = "always") -> Path:
    """A private copy of the demo workspace with login set and the four users added."""
    import yaml

    from shopfloor.assistant import auth

    copy_files(demo_workspace, dest)
    cfg_path = dest / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text()) or {}
    cfg.setdefault("server", {})["require_login"] = login
    cfg_path.write_text(yaml.safe_dump(cfg))
    from shopfloor.workspace import Workspace

    with Workspace.open(dest).connect() as conn:
        for name, role in ROLES.items():
            auth.add_user(conn, name, PASSWORDS[name], role, by="test-setup")
    return dest


def start_server(root: Path, log: Path, extra_args: tuple[str, ...] = ()) -> Served:
    import httpx

    port = free_port()
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(root), "PYTHONUNBUFFERED": "1"}
    fh = log.open("w")
    proc = subprocess.Popen([str(SHOPFLOOR), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-llm",
                             *extra_args], env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return Served(url, root, proc, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"server did not start in 180 s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def served(demo_workspace, tmp_path_factory):
    """The real server over a private copy of the demo plant, login always on."""
    tmp = tmp_path_factory.mktemp("served")
    root = copy_workspace(demo_workspace, tmp / "ws")
    s = start_server(root, tmp / "server.log")
    yield s
    s.proc.terminate()
    try:
        s.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        s.proc.kill()


def snapshot(conn) -> dict:
    """Everything a write could change in the database."""
    tables = ("users", "tokens", "reviews", "audit", "documents", "document_access", "machines", "classifications",
              "inspections", "workorders")
    snap = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    return {t: [tuple(r) for r in rows] for t, rows in snap.items()}
