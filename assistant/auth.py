"""Users, passwords and API tokens in the workspace database.

- Passwords are hashed with scrypt and checked in the same time whether or not the name exists.
- API tokens are random, shown once when created, and stored only as their SHA-256 (a stolen
  database gives no usable token). Login tokens expire; any token can be revoked.
- Failed logins are rate-limited per name and per client address (:class:`LoginLimiter`).
Roles and what each may do live in :mod:`shopfloor.assistant.policy`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta, timezone

from shopfloor.assistant.policy import Role, User
from shopfloor.db import audit
from shopfloor.errors import AuthenticationError, InputError, RateLimitedError

ROLES = tuple(r.value for r in Role)
MIN_PASSWORD = 8
_DUMMY: list[str] = []  # a hash to verify against when the name does not exist (same cost, same time)


def _hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8", "replace"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _verify(password: str, stored: str) -> bool:
    try:
        _, salt, _digest = stored.split("$")
        salt_bytes = bytes.fromhex(salt)
    except ValueError:
        return False
    return hmac.compare_digest(_hash(password, salt_bytes), stored)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _check_new(name: str, password: str, role: str) -> None:
    if role not in ROLES:
        raise InputError(f"role must be one of {list(ROLES)}, got {role!r}")
    if not name.strip() or len(name) > 64 or any(c in name for c in "\r\n\t/\\"):
        raise InputError("a user name must be 1-64 characters without slashes, tabs or line breaks")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")


def add_user(conn: sqlite3.Connection, name: str, password: str, role: str, by: str = "system") -> str:
    """Create a user and a first API token; returns the token (shown once). An existing name is refused."""
    _check_new(name, password, role)
    name = name.strip()
    if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise InputError(f"user {name!r} already exists; change their password or role instead")
    with conn:
        conn.execute("INSERT INTO users (name, role, password_hash) VALUES (?,?,?)", (name, role, _hash(password)))
    token = create_token(conn, name, label="created with the user")
    audit(conn, by, "user_add", f"{name} ({role})")
    return token


def set_password(conn: sqlite3.Connection, name: str, password: str, by: str) -> int:
    """Replace ``name``'s password and revoke every token they hold; returns the number revoked."""
    _check_new(name, password, "viewer")
    with conn:
        cur = conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_hash(password), name))
    if cur.rowcount == 0:
        raise InputError(f"no user {name!r}")
    n = revoke_tokens(conn, name, by, quiet=True)
    audit(conn, by, "password_change", f"{name} ({n} tokens revoked)")
    return n


def set_role(conn: sqlite3.Connection, name: str, role: str, by: str) -> None:
    if role not in ROLES:
        raise InputError(f"role must be one of {list(ROLES)}, got {role!r}")
    with conn:
        cur = conn.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
    if cur.rowcount == 0:
        raise InputError(f"no user {name!r}")
    audit(conn, by, "role_change", f"{name} -> {role}")


def create_token(conn: sqlite3.Connection, name: str, label: str = "api", ttl_hours: float | None = None) -> str:
    """A new API token for ``name`` (returned once; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    expires = None
    if ttl_hours:
        expires = (datetime.now(timezone.utc) + timedelta(hours=ttl_hours)).strftime("%Y-%m-%d %H:%M:%S")
    with conn:
        conn.execute("INSERT INTO tokens (user, hash, label, expires_at) VALUES (?,?,?,?)",
                     (name, _token_hash(token), label, expires))
    return token


def revoke_tokens(conn: sqlite3.Connection, name: str, by: str, quiet: bool = False) -> int:
    """Revoke every live token of ``name`` and end their web sessions (:func:`session_alive`); returns how many."""
    with conn:
        cur = conn.execute("UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL", (_now(), name))
        conn.execute("UPDATE users SET sessions_after = ? WHERE name = ?", (time.time(), name))
    if not quiet:
        if not conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise InputError(f"no user {name!r}")
        audit(conn, by, "tokens_revoke", f"{name} ({cur.rowcount} tokens)")
    return cur.rowcount


def check_password(conn: sqlite3.Connection, name: str, password: str) -> User | None:
    """The user if ``password`` is right, else None; an unknown name costs the same scrypt as a known one."""
    row = conn.execute("SELECT name, role, password_hash FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        if not _DUMMY:
            _DUMMY.append(_hash(secrets.token_urlsafe(12)))
        _verify(password, _DUMMY[0])
        return None
    if not _verify(password, row["password_hash"]):
        return None
    return User(row["name"], row["role"])


def user_for_token(conn: sqlite3.Connection, token: str) -> User | None:
    row = conn.execute("SELECT u.name, u.role FROM tokens t JOIN users u ON u.name = t.user WHERE t.hash = ? "
                       "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)",
                       (_token_hash(token), _now())).fetchone()
    return User(row["name"], row["role"]) if row else None


def session_alive(conn: sqlite3.Connection, name: str, started: float) -> bool:
    """Whether a web session of ``name`` started at ``started`` (epoch s) may go on: the user exists and none of
    their tokens was revoked (nor their password changed) since, by the server, the UI or the CLI."""
    row = conn.execute("SELECT sessions_after FROM users WHERE name = ?", (name,)).fetchone()
    return row is not None and (row["sessions_after"] is None or started > row["sessions_after"])


def user_by_name(conn: sqlite3.Connection, name: str) -> User | None:
    row = conn.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
    return User(row["name"], row["role"]) if row else None


def list_users(conn: sqlite3.Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT u.name, u.role, u.created_at, (SELECT count(*) FROM tokens t WHERE t.user = u.name AND "
        "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)) AS live_tokens FROM users u "
        "ORDER BY u.name", (_now(),))]


def has_users(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def ensure_admin(conn: sqlite3.Connection) -> tuple[str, str] | None:
    """On first start, create user 'admin' with a random password; returns (name, password) once."""
    if has_users(conn):
        return None
    password = secrets.token_urlsafe(12)
    add_user(conn, "admin", password, "admin")
    return "admin", password


def login_required(host: str, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never":
        return False
    return host not in ("127.0.0.1", "localhost", "::1")


class LoginLimiter:
    """Failed logins slow the one who fails, and nobody else: exponential back-off, never a hard lock.

    Per name and client address: after ``per_name`` failures in the window each further try waits
    ``base_s * 2^(failures - per_name)`` seconds after the last failure (capped at ``max_wait_s``). Per client
    address after ``per_client`` failures (password spraying), the same back-off for every name. Per name over
    all clients after ``name_total`` failures (a distributed attack), the back-off applies to every client that
    has failed before - a client without failures (the admin's own desk) still logs in at once. So nobody
    outside can lock a user out, however many wrong passwords they send.
    """

    def __init__(self, per_name: int = 5, per_client: int = 20, window_s: float = 900.0, base_s: float = 2.0,
                 max_wait_s: float = 300.0, name_total: int = 50):
        self.per_name, self.per_client, self.window_s = per_name, per_client, window_s
        self.base_s, self.max_wait_s, self.name_total = base_s, max_wait_s, name_total
        self._fails: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        q = self._fails.get(key)
        if q is None:
            return deque()  # nothing recorded: no entry is created for a look-up
        while q and now - q[0] > self.window_s:
            q.popleft()
        if not q:
            del self._fails[key]
        return q

    def _wait(self, q: deque, limit: int, now: float) -> float:
        if len(q) < limit:
            return 0.0
        delay = min(self.max_wait_s, self.base_s * 2 ** (len(q) - limit))
        return max(0.0, delay - (now - q[-1]))

    def retry_after(self, name: str, client: str | None) -> float:
        """Seconds until a login for ``name`` from ``client`` may be tried again (0 = now)."""
        now, name = time.monotonic(), name.lower()
        with self._lock:
            pair = self._trim(f"pair:{name}:{client}", now)
            waits = [self._wait(pair, self.per_name, now),
                     self._wait(self._trim(f"client:{client}", now), self.per_client, now)]
            if pair:  # only clients that have failed for this name are slowed by a distributed attack on it
                waits.append(self._wait(self._trim(f"name:{name}", now), self.name_total, now))
            return max(waits)

    def failed(self, name: str, client: str | None) -> None:
        now, name = time.monotonic(), name.lower()
        with self._lock:
            for key in (f"pair:{name}:{client}", f"client:{client}", f"name:{name}"):
                self._fails[key].append(now)

    def succeeded(self, name: str, client: str | None = None) -> None:
        with self._lock:
            self._fails.pop(f"pair:{name.lower()}:{client}", None)


def login(conn: sqlite3.Connection, limiter: LoginLimiter, name: str, password: str, client: str | None) -> User:
    """Check a login under the rate limit; raises PermissionDeniedError (wrong or too many) with a plain reason."""
    wait = limiter.retry_after(name, client)
    if wait > 0:
        raise RateLimitedError(f"too many failed logins; try again in {max(1, round(wait))} s", max(1, round(wait)))
    user = check_password(conn, name, password)
    if user is None:
        limiter.failed(name, client)
        raise AuthenticationError("wrong name or password")
    limiter.succeeded(name, client)
    return user
