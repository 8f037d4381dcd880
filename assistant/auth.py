"""Users, roles and tokens in the workspace database; passwords hashed with scrypt.

Roles, each including the ones before it: viewer (read, chat), technician (diagnose, classify),
engineer (correct labels, upload and remove documents), admin (retrain, manage users).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from assistant.db import audit
from assistant.errors import InputError, PermissionDeniedError

ROLES = ("viewer", "technician", "engineer", "admin")


def _hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _verify(password: str, stored: str) -> bool:
    try:
        _, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(_hash(password, bytes.fromhex(salt)), stored)


def add_user(conn, name: str, password: str, role: str, by: str = "system") -> str:
    """Create (or replace) a user; returns their API token."""
    if role not in ROLES:
        raise InputError(f"role must be one of {list(ROLES)}, got {role!r}")
    if not name.strip() or len(password) < 8:
        raise InputError("a user needs a name and a password of at least 8 characters")
    token = secrets.token_urlsafe(24)
    conn.execute("INSERT OR REPLACE INTO users (name, role, password_hash, token) VALUES (?,?,?,?)",
                 (name.strip(), role, _hash(password), token))
    audit(conn, by, "user_add", f"{name} ({role})")
    return token


def check_password(conn, name: str, password: str) -> dict | None:
    row = conn.execute("SELECT name, role, password_hash, token FROM users WHERE name = ?", (name,)).fetchone()
    if row is None or not _verify(password, row["password_hash"]):
        return None
    return {"name": row["name"], "role": row["role"], "token": row["token"]}


def user_for_token(conn, token: str) -> dict | None:
    row = conn.execute("SELECT name, role FROM users WHERE token = ?", (token,)).fetchone()
    return dict(row) if row else None


def list_users(conn) -> list[dict]:
    return [dict(r) for r in conn.execute("SELECT name, role, created_at FROM users ORDER BY name")]


def has_users(conn) -> bool:
    return conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def require(user: dict | None, role: str) -> None:
    """Raise PermissionDeniedError unless ``user`` has at least ``role``."""
    have = ROLES.index(user["role"]) if user else -1
    if have < ROLES.index(role):
        who = user["name"] if user else "anonymous"
        raise PermissionDeniedError(f"{who} needs the {role} role for this")


def ensure_admin(conn) -> tuple[str, str] | None:
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
