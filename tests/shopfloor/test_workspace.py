"""Workspace layout, environment override, schema creation and migration."""

from __future__ import annotations

import sqlite3

import pytest

from shopfloor import db
from shopfloor.errors import ConfigError
from shopfloor.workspace import Workspace, default_workspace_dir


def test_open_creates_layout(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    for sub in ("models", "indexes", "sensors"):
        assert (ws.root / sub).is_dir()
    assert (ws.root / "config.yaml").is_file()
    assert ws.classifier_dir("component") == ws.root / "models" / "classifier" / "component"


def test_env_var_overrides_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_WORKSPACE", str(tmp_path / "elsewhere"))
    assert default_workspace_dir() == tmp_path / "elsewhere"
    assert Workspace.open().root == tmp_path / "elsewhere"


def test_bad_config_refuses_to_open(tmp_path):
    (tmp_path / "config.yaml").write_text("index:\n  k: zero\n")
    with pytest.raises(ConfigError, match=r"index.k = 'zero'"):
        Workspace.open(tmp_path)


def test_schema_created(workspace):
    conn = workspace.connect()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"machines", "incidents", "classifications", "reviews", "feedback", "audit", "users", "tokens",
            "documents"} <= tables
    assert db.schema_version(conn) == db.SCHEMA_VERSION


def test_migration_from_version_1_keeps_data(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db.migrate(conn, target=1)
    conn.execute("INSERT INTO machines (id, name, type) VALUES ('P-1', 'Pump', 'pump')")
    conn.commit()
    conn.close()

    conn = db.connect(path)  # opening an old workspace upgrades it in place
    assert db.schema_version(conn) == db.SCHEMA_VERSION
    assert conn.execute("SELECT name FROM machines WHERE id='P-1'").fetchone()[0] == "Pump"
    conn.execute("INSERT INTO users (name, role, password_hash) VALUES ('ann', 'engineer', 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO users (name, role, password_hash) VALUES ('bob', 'king', 'x')")


def test_migrate_is_idempotent(tmp_path):
    conn = db.connect(tmp_path / "a.db")
    assert db.migrate(conn) == db.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == db.SCHEMA_VERSION


def test_audit_records_user_and_time(workspace):
    conn = workspace.connect()
    db.audit(conn, "ann", "upload", "manual.pdf")
    row = conn.execute("SELECT user, action, detail, created_at FROM audit").fetchone()
    assert (row["user"], row["action"], row["detail"]) == ("ann", "upload", "manual.pdf")
    assert row["created_at"].startswith("20")


def test_migration_5_keeps_machines_known_only_from_readings(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.db")
    db.migrate(conn, target=4)
    conn.execute("INSERT INTO machines (id, name, type) VALUES ('P-101', 'Pump', 'pump')")
    conn.execute("INSERT INTO readings (machine_id, ts, sensor, value) VALUES ('M-7', '2026-01-01', 't', 1)")
    conn.commit()
    conn.close()
    conn = db.connect(tmp_path / "old.db")
    assert [r[0] for r in conn.execute("SELECT id FROM machines ORDER BY id")] == ["M-7", "P-101"]
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='readings'").fetchone()[0] == 0


def test_threads_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    """Several threads (or processes) opening a brand-new workspace database together: one runs each migration,
    the others wait for it and find it done (it used to fail with "duplicate column name")."""
    import threading

    from shopfloor.db import SCHEMA_VERSION, connect, schema_version

    path, errors = tmp_path / "new.db", []

    def open_it():
        try:
            connect(path).close()
        except Exception as e:  # noqa: BLE001 - the test reports whatever broke
            errors.append(repr(e))

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == SCHEMA_VERSION  # each bump once


def test_photo_reviews_move_into_the_one_review_store_and_none_is_lost(tmp_path):
    import sqlite3

    from shopfloor import db

    conn = sqlite3.connect(tmp_path / "old.db")
    conn.row_factory = sqlite3.Row
    db.migrate(conn, 13)  # a workspace from before the move: the reviewed class was a column of inspections
    conn.executemany("INSERT INTO inspections (sha256, image, stored, label, reviewed_label, reviewed_by, reviewed_at) "
                     "VALUES (?, ?, '/x.png', 'scratch', ?, ?, ?)",
                     [("a", "p1.png", "dent", "eng", "2026-11-01 08:00:00"), ("b", "p2.png", None, None, None)])
    conn.commit()
    assert db.migrate(conn) == db.SCHEMA_VERSION
    moved = conn.execute("SELECT r.task, r.text, r.predicted, r.label, r.user, r.created_at, i.image FROM reviews r "
                         "JOIN inspections i ON r.inspection_id = i.id").fetchall()
    assert [tuple(r) for r in moved] == [("inspection", "p1.png", "scratch", "dent", "eng", "2026-11-01 08:00:00",
                                          "p1.png")]
    assert "reviewed_label" not in {r[1] for r in conn.execute("PRAGMA table_info(inspections)")}
