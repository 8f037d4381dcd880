"""Control-chart alarms that are stored, acknowledged and lead somewhere.

A machine's status checks its key sensors' control charts over the last day; every sensor with a rule
violation becomes one *alarm* (one row per machine, sensor and episode) in the workspace DB, so that an
alarm is seen once, has a start ("since"), and stays until a person acknowledges it — who and when is
kept (and audited by the application). A violation newer than an acknowledged alarm opens a new one.
``active`` says whether the sensor still violates in the latest check (an acknowledged alarm that is no
longer active is history).

Each alarm also names the failure types its signal can lead to (AI4I physics: high torque strains the tool,
a small process-air temperature difference at low speed cannot shed heat, power is torque x speed),
limited to those possible for the machine type.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass

from shopfloor.errors import InputError

STATES = ("open", "acknowledged")

# (sensor, direction) -> failure types (FAILURE_TYPES names) that such a deviation feeds
SIGNAL_FAILURE_TYPES: dict[tuple[str, str], list[str]] = {
    ("Torque [Nm]", "high"): ["overstrain", "power"],
    ("Torque [Nm]", "low"): ["power"],
    ("Rotational speed [rpm]", "high"): ["power"],
    ("Rotational speed [rpm]", "low"): ["heat dissipation", "power"],
    ("Process temperature [K]", "low"): ["heat dissipation"],
    ("Process temperature [K]", "high"): [],
    ("Air temperature [K]", "high"): ["heat dissipation"],
    ("Air temperature [K]", "low"): [],
    ("Tool wear [min]", "high"): ["tool wear", "overstrain"],
}


# words a passage must use to be about a signal (a manual line on "oil temperature" may be about process
# temperature; one on vibration is not about torque, however close its embedding)
SIGNAL_WORDS: dict[str, tuple[str, ...]] = {
    "Torque [Nm]": ("torque", "overload", "strain"),
    "Rotational speed [rpm]": ("speed", "rpm", "revolution"),
    "Process temperature [K]": ("temperature", "overheat", "hot", "cooling"),
    "Air temperature [K]": ("temperature", "ambient", "overheat", "cooling"),
    "Tool wear [min]": ("wear", "tool"),
}


def signal_words(sensor: str) -> tuple[str, ...]:
    """Words that mark a passage as being about ``sensor`` (its name's words, without the unit, when not listed)."""
    if sensor in SIGNAL_WORDS:
        return SIGNAL_WORDS[sensor]
    return tuple(w for w in re.findall(r"[^\W\d_]{3,}", re.split(r"[\[(]", sensor)[0].lower()))


@dataclass
class Alarm:
    id: int
    machine_id: str
    sensor: str
    direction: str  # "high" or "low": the side of the centre line the violating point is on
    rule: str
    description: str
    first_reading: str  # timestamp of the first violating reading of this episode ("since")
    last_reading: str
    points: int  # violating readings in the latest check
    state: str  # "open" or "acknowledged"
    active: bool  # still violating in the latest check
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    note: str | None = None
    created_at: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def candidate_failure_types(sensor: str, direction: str, applicable: set[str] | None = None) -> list[str]:
    """Failure types a deviation of ``sensor`` in ``direction`` can lead to (only ``applicable`` ones if given)."""
    types = SIGNAL_FAILURE_TYPES.get((sensor, direction), [])
    return [t for t in types if applicable is None or t in applicable]


def _row(r: sqlite3.Row) -> Alarm:
    d = dict(r)
    d["active"] = bool(d["active"])
    return Alarm(**d)


def sync(conn: sqlite3.Connection, machine_id: str, violations: list[dict]) -> list[Alarm]:
    """Record the latest check's violations (dicts with sensor, rule, description, reading, direction) as alarms.

    Per sensor: an open alarm is extended (last reading, points); an acknowledged one is left alone unless a
    violation is newer than its last reading, which opens a new alarm; otherwise a new alarm opens. Sensors
    without violations now are marked inactive. Returns the machine's open or active alarms.
    """
    by_sensor: dict[str, list[dict]] = {}
    for v in violations:
        by_sensor.setdefault(v["sensor"], []).append(v)
    with conn:
        for sensor, vs in by_sensor.items():
            vs = sorted(vs, key=lambda v: v["reading"])
            latest = conn.execute("SELECT * FROM alarms WHERE machine_id = ? AND sensor = ? ORDER BY id DESC LIMIT 1",
                                  (machine_id, sensor)).fetchone()
            if latest is not None and latest["state"] == "open":
                newest = max(vs[-1]["reading"], latest["last_reading"])
                conn.execute("UPDATE alarms SET last_reading = ?, points = ?, active = 1, direction = ?, rule = ?, "
                             "description = ? WHERE id = ?", (newest, len(vs), vs[-1].get("direction", ""),
                                                              vs[-1]["rule"], vs[-1]["description"], latest["id"]))
                continue
            if latest is not None:  # acknowledged: only what came after it is news
                vs = [v for v in vs if v["reading"] > latest["last_reading"]]
                if not vs:
                    conn.execute("UPDATE alarms SET active = 1 WHERE id = ?", (latest["id"],))
                    continue
            worst = vs[-1]
            conn.execute("INSERT INTO alarms (machine_id, sensor, direction, rule, description, first_reading, "
                         "last_reading, points, state, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 1)",
                         (machine_id, sensor, worst.get("direction", ""), worst["rule"], worst["description"],
                          vs[0]["reading"], worst["reading"], len(vs)))
        quiet = [s for (s,) in conn.execute("SELECT DISTINCT sensor FROM alarms WHERE machine_id = ? AND active = 1",
                                            (machine_id,)) if s not in by_sensor]
        for s in quiet:
            conn.execute("UPDATE alarms SET active = 0, points = 0 WHERE machine_id = ? AND sensor = ?", (machine_id, s))
    return list_alarms(conn, machine_id=machine_id, current=True)


def list_alarms(conn: sqlite3.Connection, state: str | None = None, machine_id: str | None = None,
                current: bool = False, limit: int = 500) -> list[Alarm]:
    """Alarms, newest first; ``state`` open/acknowledged; ``current``: open or still active ones only."""
    if state is not None and state not in STATES:
        raise InputError(f"state must be one of {list(STATES)}, got {state!r}")
    where, args = [], []
    if state:
        where.append("state = ?")
        args.append(state)
    if machine_id:
        where.append("machine_id = ?")
        args.append(machine_id)
    if current:
        where.append("(state = 'open' OR active = 1)")
    sql = "SELECT * FROM alarms" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
    return [_row(r) for r in conn.execute(sql, (*args, int(limit)))]


def get_alarm(conn: sqlite3.Connection, alarm_id: int) -> Alarm:
    """One stored alarm; NotFoundError for an unknown id."""
    from shopfloor.errors import NotFoundError

    r = conn.execute("SELECT * FROM alarms WHERE id = ?", (int(alarm_id),)).fetchone()
    if r is None:
        raise NotFoundError(f"no alarm {alarm_id}")
    return _row(r)


def acknowledge(conn: sqlite3.Connection, alarm_id: int, user: str, note: str = "") -> Alarm:
    """Mark an open alarm acknowledged by ``user`` (with an optional note); refuses unknown or done ones."""
    with conn:
        r = conn.execute("SELECT * FROM alarms WHERE id = ?", (int(alarm_id),)).fetchone()
        if r is None:
            raise InputError(f"no alarm {alarm_id}")
        if r["state"] == "acknowledged":
            raise InputError(f"alarm {alarm_id} was already acknowledged by {r['acknowledged_by']} at "
                             f"{r['acknowledged_at']} UTC")
        conn.execute("UPDATE alarms SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = "
                     "datetime('now'), note = ? WHERE id = ?", (user, (note or "").strip()[:500] or None, int(alarm_id)))
        return _row(conn.execute("SELECT * FROM alarms WHERE id = ?", (int(alarm_id),)).fetchone())
