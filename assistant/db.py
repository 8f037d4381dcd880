"""The workspace database (``shopfloor.db``): schema, migrations, a connection helper.

The schema is a list of migrations applied in order; ``schema_version`` records the last
one applied, so an older workspace is upgraded in place when opened. Never edit a
migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Each entry upgrades the schema from version i to i+1.
MIGRATIONS: list[str] = [
    # 1: core tables
    """
    CREATE TABLE machines (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        line TEXT,
        meta TEXT DEFAULT '{}'
    );
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        machine_id TEXT,
        date TEXT,
        text TEXT NOT NULL,
        failure_mode TEXT,
        component TEXT,
        action TEXT,
        downtime_h REAL
    );
    CREATE TABLE classifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        task TEXT NOT NULL,
        text TEXT NOT NULL,
        label TEXT,
        confidence REAL,
        needs_review INTEGER NOT NULL DEFAULT 0,
        model TEXT,
        source TEXT
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        classification_id INTEGER REFERENCES classifications(id),
        task TEXT NOT NULL,
        text TEXT NOT NULL,
        predicted TEXT,
        label TEXT NOT NULL,
        user TEXT NOT NULL
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        rating INTEGER NOT NULL,
        comment TEXT,
        user TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT
    );
    """,
    # 2: users and sensor readings
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'technician', 'engineer', 'admin')),
        password_hash TEXT NOT NULL,
        token TEXT UNIQUE,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE readings (
        machine_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        sensor TEXT NOT NULL,
        value REAL,
        PRIMARY KEY (machine_id, ts, sensor)
    );
    CREATE INDEX incidents_machine ON incidents(machine_id);
    CREATE INDEX reviews_task ON reviews(task);
    """,
    # 3: external ids for imported incidents, manual path per machine
    """
    ALTER TABLE incidents ADD COLUMN ref TEXT;
    ALTER TABLE machines ADD COLUMN manual TEXT;
    CREATE UNIQUE INDEX incidents_ref ON incidents(ref);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version recorded in ``schema_version``; 0 for an empty database."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the current version up to ``target``; returns the new version.

    Each migration runs in one transaction with its version bump, so a crash never leaves a
    half-migrated schema.
    """
    current = schema_version(conn)
    for version in range(current + 1, target + 1):
        script = MIGRATIONS[version - 1]
        conn.executescript(f"BEGIN;\n{script}\nINSERT INTO schema_version VALUES ({version});\nCOMMIT;")
    return max(current, target)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database at ``path``.

    Rows come back as :class:`sqlite3.Row`; WAL mode lets the UI read while a batch job writes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn)
    return conn


def audit(conn: sqlite3.Connection, user: str, action: str, detail: str = "") -> None:
    """Append one line to the audit log (label corrections, uploads, removals, retrains)."""
    with conn:
        conn.execute("INSERT INTO audit (user, action, detail) VALUES (?, ?, ?)", (user, action, detail))
