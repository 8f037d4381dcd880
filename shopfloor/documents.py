"""Which indexed documents people may act on: who added each, whether an engineer has reviewed it, and what
the review should look at first; and which documents only some roles may read (:class:`Access`).

A document added through shopfloor (UI, API, ``index add``/``build``) is *unreviewed* until someone with the
engineer role approves it: its text is quoted only marked as unreviewed and never becomes a next step. Sources
the index holds without a record here were put there by whoever built the workspace (the shipped demo and
real plants) and are trusted. Approving, like adding, is audited by the caller.

Example:
    >>> t = Trust({"notes.md": Record("notes.md", "eng", "2026-12-07 08:00:00")})
    >>> t.reviewed("notes.md"), t.reviewed("manual.md")
    (False, True)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.errors import InputError, NotFoundError


@dataclass(frozen=True)
class Record:
    """One document added through shopfloor."""

    source: str
    uploaded_by: str
    uploaded_at: str
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    flags: tuple[str, ...] = field(default=())  # what the approver should read first (planted instructions, ...)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


@dataclass(frozen=True)
class Trust:
    """The review state of every recorded document, read once per answer."""

    records: dict[str, Record]

    def reviewed(self, source: str) -> bool:
        rec = self.records.get(source)
        return rec is None or rec.reviewed

    def provenance(self, source: str) -> str:
        rec = self.records.get(source)
        if rec is None:
            return "provenance not recorded: not added through shopfloor"
        added = f"added by {rec.uploaded_by} on {rec.uploaded_at} UTC"
        if rec.reviewed:
            return f"{added}, approved by {rec.reviewed_by} on {rec.reviewed_at} UTC"
        return f"{added}, not yet reviewed"


    def annotate(self, sources: list[dict]) -> list[dict]:
        """Index source listings (dicts with ``source``) with ``reviewed``, ``provenance`` and ``flags`` added."""
        return [{**s, "reviewed": self.reviewed(s["source"]), "provenance": self.provenance(s["source"]),
                 "flags": list(self.records[s["source"]].flags) if s["source"] in self.records else []}
                for s in sources]


def _record(row: sqlite3.Row) -> Record:
    flags = tuple(json.loads(row["flags"])) if row["flags"] else ()
    return Record(row["source"], row["uploaded_by"], row["uploaded_at"], row["reviewed_by"], row["reviewed_at"], flags)


def trust(conn: sqlite3.Connection) -> Trust:
    return Trust({r["source"]: _record(r) for r in conn.execute("SELECT * FROM documents")})


def record(conn: sqlite3.Connection, files: dict[str, Path], user: str,
           flags: dict[str, list[str]] | None = None, approved: bool = False) -> None:
    """Remember who added each indexed file (source name as the index names it -> path), unreviewed unless
    ``approved`` (the adder says they reviewed it); a changed file needs a new review."""
    flags = flags or {}
    with conn:
        for source, f in files.items():
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            known = conn.execute("SELECT 1 FROM documents WHERE source = ?", (source,)).fetchone()
            _event(conn, source, "changed" if known else "added", user, digest)
            if approved:
                _event(conn, source, "approved", user, digest)
            conn.execute(
                "INSERT OR REPLACE INTO documents (source, uploaded_by, uploaded_at, sha256, reviewed_by, reviewed_at,"
                " flags) VALUES (?, ?, datetime('now'), ?, ?, CASE WHEN ? THEN datetime('now') END, ?)",
                (source, user, digest, user if approved else None, approved,
                 json.dumps(flags.get(source, []), ensure_ascii=False)))


def set_flags(conn: sqlite3.Connection, flags: dict[str, list[str]]) -> None:
    """Store what the approver should read first, by source (recorded sources only)."""
    with conn:
        for source, fs in flags.items():
            conn.execute("UPDATE documents SET flags = ? WHERE source = ?", (json.dumps(fs, ensure_ascii=False), source))


def approve(conn: sqlite3.Connection, source: str, user: str) -> Record:
    """Mark ``source`` reviewed by ``user``; NotFoundError when shopfloor has no record of it."""
    with conn:
        n = conn.execute("UPDATE documents SET reviewed_by = ?, reviewed_at = datetime('now') WHERE source = ?",
                         (user, source)).rowcount
        if n:
            digest = conn.execute("SELECT sha256 FROM documents WHERE source = ?", (source,)).fetchone()[0]
            _event(conn, source, "approved", user, digest)
    if not n:
        raise NotFoundError(f"no document {source[:200]!r} waits for review (see the list of indexed sources)")
    return trust(conn).records[source]


def forget(conn: sqlite3.Connection, source: str, user: str = "") -> None:
    """Drop the record of a source removed from the index (its history keeps that ``user`` removed it)."""
    with conn:
        if conn.execute("DELETE FROM documents WHERE source = ?", (source,)).rowcount and user:
            _event(conn, source, "removed", user, None)


def _event(conn: sqlite3.Connection, source: str, event: str, user: str, digest: str | None) -> None:
    conn.execute("INSERT INTO document_history (source, event, sha256, user) VALUES (?, ?, ?, ?)",
                 (source, event, digest, user))


def history(conn: sqlite3.Connection, source: str) -> list[dict]:
    """What happened to ``source``, oldest first: {event (added, changed, approved, removed), sha256, user, at}."""
    return [dict(r) for r in conn.execute("SELECT event, sha256, user, at FROM document_history WHERE source = ? "
                                          "ORDER BY id", (source,))]


ROLES = ("viewer", "technician", "engineer", "admin")  # the order of shopfloor.assistant.policy.Role


@dataclass(frozen=True)
class Access:
    """Documents limited to a role and above: ``rules`` maps a source name, or a folder prefix ending in "/",
    to the least role that may read it. The most specific rule wins (a file's own rule over its folder's)."""

    rules: dict[str, str]

    def min_role(self, source: str) -> str:
        if source in self.rules:
            return self.rules[source]
        folders = [p for p in self.rules if p.endswith("/") and source.startswith(p)]
        return self.rules[max(folders, key=len)] if folders else "viewer"

    def hidden(self, role: str, sources) -> frozenset[str]:
        """The sources among ``sources`` that ``role`` may not read."""
        rank = ROLES.index(role)
        return frozenset(s for s in sources if ROLES.index(self.min_role(s)) > rank)


def access(conn: sqlite3.Connection) -> Access:
    return Access({r["pattern"]: r["min_role"] for r in conn.execute("SELECT pattern, min_role FROM document_access")})


def restrict(conn: sqlite3.Connection, pattern: str, role: str, user: str) -> None:
    """Limit the source (or folder prefix ending in "/") ``pattern`` to ``role`` and above; "viewer" lifts it."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    with conn:
        if role == "viewer":
            conn.execute("DELETE FROM document_access WHERE pattern = ?", (pattern,))
        else:
            conn.execute("INSERT OR REPLACE INTO document_access (pattern, min_role, set_by) VALUES (?, ?, ?)",
                         (pattern, role, user))
