"""Secrets: the workspace is never served as a file, tokens are stored as hashes and can be revoked, logins are
rate-limited and take the same time for unknown names, existing users are not silently replaced."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from tests.security.conftest import PASSWORDS


def _ui_session(served, name: str) -> httpx.Client:
    c = httpx.Client(base_url=served.url, timeout=60)
    r = c.post("/login", data={"username": name, "password": PASSWORDS[name]})
    assert r.status_code == 200, r.text
    return c


@pytest.mark.parametrize("target", ["shopfloor.db", "config.yaml", "models/classifier/failure_mode/classifier.json"])
def test_workspace_files_are_not_served(served, target):
    path = served.root.resolve() / target
    assert path.exists()
    admin = _ui_session(served, "ada")  # not even to an admin
    try:
        for url in (f"/gradio_api/file={path}", f"/file={path}", f"/gradio_api/file/{path}"):
            r = admin.get(url)
            assert r.status_code in (403, 404), f"{url}: {r.status_code}"
            assert b"SQLite format" not in r.content and b"scrypt$" not in r.content
    finally:
        admin.close()
    assert httpx.get(f"{served.url}/gradio_api/file={path}", timeout=30).status_code in (401, 403)


def test_tokens_are_stored_as_hashes_and_revocable(served):
    token = served.token("tom")
    raw = b"".join(p.read_bytes() for p in served.root.glob("shopfloor.db*"))
    assert token.encode() not in raw  # neither in the database nor in its write-ahead log
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{served.url}/api/me", headers=headers, timeout=30).json() == {"name": "tom",
                                                                                    "role": "technician"}
    with httpx.Client(base_url=served.url, timeout=60) as c:
        admin = {"Authorization": f"Bearer {served.token('ada')}"}
        assert c.get("/api/audit", headers=admin).status_code == 200
    from shopfloor.assistant import auth

    with served.db() as conn:
        assert auth.revoke_tokens(conn, "tom", by="ada") >= 1
    r = httpx.get(f"{served.url}/api/me", headers=headers, timeout=30)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


def test_expired_token_is_refused(workspace):
    from shopfloor.assistant import auth

    with workspace.connect() as conn:
        auth.add_user(conn, "tina", "tina-password", "technician")
        live = auth.create_token(conn, "tina", ttl_hours=1)
        dead = auth.create_token(conn, "tina", ttl_hours=-1)
        assert auth.user_for_token(conn, live).name == "tina"
        assert auth.user_for_token(conn, dead) is None


def test_old_plaintext_tokens_are_hashed_by_the_migration(tmp_path):
    import sqlite3

    from shopfloor import db
    from shopfloor.assistant import auth

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.row_factory = sqlite3.Row
    db.migrate(conn, target=3)  # a workspace from before the fix, with a clear-text token
    conn.execute("INSERT INTO users (name, role, password_hash, token) VALUES ('old', 'engineer', ?, 'plain-token-1')",
                 (auth._hash("old-password"),))
    conn.commit()
    assert db.migrate(conn) == db.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM users WHERE token IS NOT NULL").fetchone()[0] == 0
    assert auth.user_for_token(conn, "plain-token-1").name == "old"  # still works, now found by its hash
    assert b"plain-token-1" not in (tmp_path / "old.db").read_bytes() + (
        (tmp_path / "old.db-wal").read_bytes() if (tmp_path / "old.db-wal").exists() else b"")


def test_adding_an_existing_user_is_refused(workspace):
    from shopfloor.assistant import auth
    from shopfloor.errors import InputError

    with workspace.connect() as conn:
        auth.add_user(conn, "ada", "admin-pass-12", "admin")
        with pytest.raises(InputError, match="already exists"):
            auth.add_user(conn, "ada", "attacker-pass", "viewer")
        assert auth.check_password(conn, "ada", "admin-pass-12").role.value == "admin"


def test_password_check_takes_the_same_time_for_unknown_names(workspace):
    from shopfloor.assistant import auth

    with workspace.connect() as conn:
        auth.add_user(conn, "ada", "admin-pass-12", "admin")

        def timed(name):
            t0 = time.perf_counter()
            auth.check_password(conn, name, "wrong-password")
            return time.perf_counter() - t0

        timed("nobody")  # the dummy hash is made on first use
        known = statistics.median(timed("ada") for _ in range(7))
        unknown = statistics.median(timed(f"nobody{i}") for i in range(7))
    assert 0.5 < unknown / known < 2.0, (known, unknown)  # before the fix: ~52 ms vs ~4 ms


class _NoUsers:  # check_password needs only this one query
    def execute(self, *_):
        class R:
            @staticmethod
            def fetchone():
                return None
        return R()


def test_login_back_off_slows_the_failing_client_and_locks_nobody_out(monkeypatch):
    from shopfloor.assistant import auth
    from shopfloor.errors import AuthenticationError, RateLimitedError

    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    lim = auth.LoginLimiter(per_name=5, per_client=8, window_s=900, base_s=2.0, max_wait_s=300.0, name_total=50)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            auth.login(_NoUsers(), lim, "ada", "guess", "203.0.113.9")
    with pytest.raises(RateLimitedError, match="try again in 2 s"):
        auth.login(_NoUsers(), lim, "ada", "guess", "203.0.113.9")  # the attacker waits...
    assert lim.retry_after("ada", "10.0.0.10") == 0  # ...the admin's own desk does not
    now[0] += 2.5
    with pytest.raises(AuthenticationError):
        auth.login(_NoUsers(), lim, "ada", "guess", "203.0.113.9")
    assert 3.9 < lim.retry_after("ada", "203.0.113.9") <= 4.0  # doubled
    for i in range(3):  # password spraying from one address: that address slows down for every name
        now[0] += 10
        with pytest.raises(AuthenticationError):
            auth.login(_NoUsers(), lim, f"other{i}", "guess", "198.51.100.7")
    assert lim.retry_after("other0", "198.51.100.7") == 0
    for i in range(3, 8):
        with pytest.raises(AuthenticationError):
            auth.login(_NoUsers(), lim, f"other{i}", "guess", "198.51.100.7")
    assert lim.retry_after("fresh-name", "198.51.100.7") > 0 and lim.retry_after("fresh-name", "10.0.0.10") == 0
    for i in range(60):  # a distributed attack on one name: every attacking address slows, the admin does not
        lim.failed("root", f"192.0.2.{i}")
    assert lim.retry_after("root", "192.0.2.3") > 0 and lim.retry_after("root", "10.0.0.10") == 0
    now[0] += 10_000
    assert lim.retry_after("ada", "203.0.113.9") == 0  # failures leave the window


def test_client_address_trusts_forwarded_for_only_from_a_trusted_proxy():
    from shopfloor.assistant.api.guard import client_address

    proxy = frozenset({"10.0.0.2"})
    assert client_address(("10.0.0.2", 1), b"198.51.100.7", proxy) == "198.51.100.7"
    assert client_address(("10.0.0.2", 1), b"1.2.3.4, 198.51.100.7", proxy) == "198.51.100.7"  # left: the claim
    assert client_address(("203.0.113.5", 1), b"10.0.0.10", proxy) == "203.0.113.5"  # not a proxy: ignored
    assert client_address(("10.0.0.2", 1), b"", proxy) == "10.0.0.2"
    assert client_address(("10.0.0.2", 1), b"198.51.100.7:5678, junk", frozenset({"10.0.0.0/24", "junk"})) == \
        "198.51.100.7"  # a port does not make a new client; junk is skipped; networks may be trusted


def test_api_login_is_rate_limited_with_retry_after(served):
    from shopfloor.assistant import auth

    with served.db() as conn:
        auth.add_user(conn, "locked-out", "right-password", "viewer", by="test-setup")
    with httpx.Client(base_url=served.url, timeout=60) as c:
        for _ in range(5):
            assert c.post("/api/login", json={"name": "locked-out", "password": "wrong"}).status_code == 401
        r = c.post("/api/login", json={"name": "locked-out", "password": "right-password"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
