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
    # 4: API tokens stored as hashes (shown once), login attempts, document provenance
    """
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT 'api',
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        expires_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX tokens_user ON tokens(user);
    CREATE TABLE documents (
        source TEXT PRIMARY KEY,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL DEFAULT (datetime('now')),
        sha256 TEXT
    );
    """,
    # 5: one home for readings (the sensors' parquet store, which always held the same rows) and one list of
    # machines (the machines table: ids that only readings knew are registered there first)
    """
    INSERT OR IGNORE INTO machines (id, name, type) SELECT DISTINCT machine_id, machine_id, 'unregistered' FROM readings;
    DROP TABLE readings;
    """,
    # 6: inspected photos (one row per distinct image: its sha256 is unique, so a re-upload updates the row
    # instead of queueing the photo twice) and their reviewed labels
    """
    CREATE TABLE inspections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 TEXT NOT NULL UNIQUE,
        image TEXT NOT NULL,
        stored TEXT NOT NULL,
        label TEXT,
        confidence REAL,
        alternatives TEXT,
        needs_review INTEGER NOT NULL DEFAULT 0,
        anomaly_score REAL,
        anomalous INTEGER,
        source TEXT NOT NULL DEFAULT 'ui',
        user TEXT,
        reviewed_label TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX inspections_review ON inspections(needs_review, reviewed_label);
    """,
    # 7: the text review queue shows one row per distinct text and skips reviewed texts: look-ups by (task, text)
    """
    CREATE INDEX classifications_task_text ON classifications(task, text, needs_review);
    CREATE INDEX reviews_task_text ON reviews(task, text);
    """,
    # 8: control-chart alarms, one row per machine, sensor and episode, open until someone acknowledges it
    """
    CREATE TABLE alarms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        machine_id TEXT NOT NULL,
        sensor TEXT NOT NULL,
        direction TEXT NOT NULL DEFAULT '',
        rule TEXT NOT NULL,
        description TEXT NOT NULL,
        first_reading TEXT NOT NULL,
        last_reading TEXT NOT NULL,
        points INTEGER NOT NULL DEFAULT 1,
        state TEXT NOT NULL DEFAULT 'open',
        active INTEGER NOT NULL DEFAULT 1,
        acknowledged_by TEXT,
        acknowledged_at TEXT,
        note TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX alarms_machine ON alarms(machine_id, sensor, state);
    """,
    # 9: document review (shopfloor.documents): a document added through shopfloor is unreviewed until an engineer
    # approves it; flags list what the approver should read first (instruction-like or safety-weakening sentences)
    """
    ALTER TABLE documents ADD COLUMN reviewed_by TEXT;
    ALTER TABLE documents ADD COLUMN reviewed_at TEXT;
    ALTER TABLE documents ADD COLUMN flags TEXT;
    """,
    # 10: web sessions end everywhere when a user's tokens are revoked or their password changes, also from the CLI
    # (which cannot reach the server's memory): a UI session started before this time (epoch seconds) is refused
    """
    ALTER TABLE users ADD COLUMN sessions_after REAL;
    """,
    # 11: documents (or folders: a pattern ending in "/") limited to a role and above (shopfloor.documents.Access),
    # and each document's history: which version (sha256) who added, changed, approved or removed, and when
    """
    CREATE TABLE document_access (
        pattern TEXT PRIMARY KEY,
        min_role TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE document_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        event TEXT NOT NULL,
        sha256 TEXT,
        user TEXT NOT NULL,
        at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX document_history_source ON document_history(source, id);
    """,
    # 12: work orders and their delivery to the plant's CMMS (a durable outbox: queued until delivered, failed
    # only when the retry budget is spent); payload is the JSON delivered, as it was drafted
    """
    CREATE TABLE workorders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')),
        created_by TEXT NOT NULL,
        source TEXT NOT NULL,
        machine_id TEXT,
        priority TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        delivered_at TEXT
    );
    CREATE INDEX workorders_state ON workorders(state, next_attempt_at);
    """,
    # 13: every row of a classified file is kept (not only the unsure ones) with the date the plant wrote in it,
    # so a task's trend counts all rows by when they happened; a review also relabels the row's other copies
    """
    ALTER TABLE classifications ADD COLUMN occurred_at TEXT;
    CREATE INDEX reviews_classification ON reviews(classification_id);
    """,
    # 14: one store of corrections for every modality: a photo's reviewed class moves from columns of
    # `inspections` to a `reviews` row (task 'inspection', text the photo's name), every existing one kept
    """
    ALTER TABLE reviews ADD COLUMN inspection_id INTEGER REFERENCES inspections(id);
    CREATE INDEX reviews_inspection ON reviews(inspection_id);
    INSERT INTO reviews (created_at, task, text, predicted, label, user, inspection_id)
        SELECT COALESCE(reviewed_at, datetime('now')), 'inspection', image, label, reviewed_label,
               COALESCE(reviewed_by, 'unknown'), id FROM inspections WHERE reviewed_label IS NOT NULL;
    DROP INDEX inspections_review;
    CREATE INDEX inspections_queue ON inspections(needs_review, confidence);
    ALTER TABLE inspections DROP COLUMN reviewed_label;
    ALTER TABLE inspections DROP COLUMN reviewed_by;
    ALTER TABLE inspections DROP COLUMN reviewed_at;
    """,
]

# Python steps run after the SQL of the same migration, in its transaction (version -> function).
def _hash_existing_tokens(conn: sqlite3.Connection) -> None:
    import hashlib

    for name, token in conn.execute("SELECT name, token FROM users WHERE token IS NOT NULL").fetchall():
        conn.execute("INSERT INTO tokens (user, hash, label) VALUES (?, ?, 'migrated')",
                     (name, hashlib.sha256(token.encode()).hexdigest()))
    conn.execute("UPDATE users SET token = NULL")


PY_STEPS = {4: _hash_existing_tokens}

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
        conn.execute("BEGIN IMMEDIATE")  # one writer: another process or thread opening the same new database waits
        if schema_version(conn) >= version:  # ... and finds the migration done by the one before it
            conn.commit()
            continue
        try:
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            if version in PY_STEPS:
                PY_STEPS[version](conn)
            conn.execute("INSERT INTO schema_version VALUES (?)", (version,))
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    return max(current, target)


def _statements(script: str) -> list[str]:
    """The statements of a migration script (no string literal in our migrations holds a ';')."""
    return [s.strip() for s in script.split(";") if s.strip()]


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


def audit_rows(conn: sqlite3.Connection, limit: int = 100) -> list[dict]:
    """The latest audit lines, newest first."""
    return [dict(r) for r in conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]


def record_feedback(conn: sqlite3.Connection, question: str, answer: str, rating: int, comment: str,
                    user: str) -> None:
    """Store one helpful (1) / not helpful (-1) rating of an answer, with bounded text lengths."""
    with conn:
        conn.execute("INSERT INTO feedback (question, answer, rating, comment, user) VALUES (?,?,?,?,?)",
                     (question[:10_000], answer[:20_000], rating, comment[:2000], user))


MAX_ROW_ID = 2 ** 63 - 1  # SQLite's INTEGER range: a larger id cannot name a row (and overflows the driver)


def row_id(value, what: str) -> int:
    """``value`` as a row id, or NotFoundError naming ``what`` (an id past SQLite's range, 0, text)."""
    from shopfloor.errors import NotFoundError

    try:
        n = int(value)
    except (TypeError, ValueError):
        raise NotFoundError(f"no {what} {str(value)[:40]!r}") from None
    if not 1 <= n <= MAX_ROW_ID:
        raise NotFoundError(f"no {what} {str(n)[:40]}")
    return n
