"""Machine ids: the one place that decides when two spellings name the same machine.

Plants write "P-101", "p101", "P 101" and "P_101" for one pump. :func:`machine_key` maps every
spelling to one key; :func:`match_machine` finds the registered id (as the plant spells it in the
``machines`` table) that a typed id or a sentence names. The ``machines`` table is the one list of
known machines: imports of readings register the ids they bring (see ``shopfloor.sensors.readings``).

Example:
    >>> machine_key(" p_101 ")
    'P101'
    >>> match_machine("noise from p101 since Monday", ["P-101", "CV-401"])
    'P-101'
"""

from __future__ import annotations

import re
import sqlite3

# ASCII letters and digits bounded by anything that is not one (so "泵P-101" and "(P-101)" both match)
_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,4})[-_ ]?(\d{2,4})(?![A-Za-z0-9])")


def machine_key(machine_id: str) -> str:
    """The spelling-independent key of a machine id: upper case, without spaces, hyphens or underscores."""
    return re.sub(r"[\s\-_]+", "", str(machine_id)).upper()


def match_machine(text: str, known: list[str]) -> str | None:
    """The known id that ``text`` is (in any spelling) or first mentions; None if it names none."""
    canon = {machine_key(k): k for k in known}
    whole = machine_key(text)
    if whole in canon:
        return canon[whole]
    for m in _ID.finditer(text):
        key = (m.group(1) + m.group(2)).upper()
        if key in canon:
            return canon[key]
    return None


def known_machines(conn: sqlite3.Connection) -> list[str]:
    """Every registered machine id, sorted."""
    return [r[0] for r in conn.execute("SELECT id FROM machines ORDER BY id")]


def register_machines(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str | None]:
    """Map each id to its registered spelling, registering the new ones (type 'unregistered'); returns the map
    (a blank id maps to None)."""
    known = known_machines(conn)
    out: dict[str, str | None] = {}
    with conn:
        for raw in ids:
            raw = str(raw).strip()
            match = match_machine(raw, known) if raw else None
            if match is None and raw:
                conn.execute("INSERT OR IGNORE INTO machines (id, name, type) VALUES (?, ?, 'unregistered')", (raw, raw))
                known.append(raw)
                match = raw
            out[raw] = match
    return out
