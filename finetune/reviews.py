"""The review loop's store: corrections by people, kept with who and when, turned back into training rows."""

from __future__ import annotations

import sqlite3

from shopfloor.db import audit


def add_review(conn: sqlite3.Connection, task: str, text: str, predicted: str | None, label: str, user: str,
               classification_id: int | None = None) -> int:
    """Store one accepted or corrected label (and an audit entry); returns the review id."""
    if not label.strip():
        raise ValueError("a review needs a non-empty label")
    cur = conn.execute("INSERT INTO reviews (classification_id, task, text, predicted, label, user) VALUES (?,?,?,?,?,?)",
                       (classification_id, task, text, predicted, label.strip(), user))
    audit(conn, user, "review", f"{task}: {predicted!r} -> {label!r}")
    conn.commit()
    return int(cur.lastrowid or 0)


def reviewed_rows(conn: sqlite3.Connection, task: str) -> list[tuple[str, str]]:
    """(text, label) for every reviewed text of ``task``; the latest review of a text wins."""
    rows = conn.execute("SELECT text, label FROM reviews WHERE task = ? AND id IN "
                        "(SELECT max(id) FROM reviews WHERE task = ? GROUP BY text) ORDER BY id", (task, task))
    return [(r[0], r[1]) for r in rows]
