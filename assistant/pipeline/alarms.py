"""Alarms that lead somewhere: each stored control-chart alarm with the failure types its signal feeds and
the manual section / FMEA row / troubleshooting row about that signal on that kind of machine."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shopfloor.assistant.pipeline.diagnose import Cause
from shopfloor.assistant.safety import clean_text
from shopfloor.errors import NotBuiltError


class AlarmView(BaseModel):
    """A stored control-chart alarm as people see it: the episode, who acknowledged it, and where it leads."""

    id: int
    machine_id: str
    sensor: str
    direction: str = Field(..., description="'high' or 'low': the side of the centre line.")
    rule: str
    description: str
    first_reading: str = Field(..., description="Timestamp of the first violating reading (since when).")
    last_reading: str
    points: int = Field(..., description="Violating readings in the latest check.")
    state: Literal["open", "acknowledged"]
    active: bool = Field(..., description="Still violating in the latest check.")
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    note: str | None = None
    created_at: str | None = None
    failure_types: list[str] = Field([], description="Failure types this signal feeds, possible for the machine type.")
    references: list[Cause] = Field([], description="Cited manual sections / FMEA / troubleshooting rows on it.")
    link_notes: list[str] = []


def acknowledge(ws, components, alarm_id: int, user: str, note: str = "") -> AlarmView:
    """Mark an open alarm acknowledged by ``user`` (optional note); audited; the machine's status re-read."""
    from shopfloor.db import audit
    from shopfloor.sensors.alarms import acknowledge as mark

    note = clean_text(note or "")
    with ws.connect() as conn:
        a = mark(conn, alarm_id, user, note)
        audit(conn, user, "alarm_ack", f"alarm {a.id}: {a.machine_id} {a.sensor} {a.direction} since "
                                       f"{a.first_reading}" + (f"; note: {note[:200]}" if note else ""))
    components.forget_status(a.machine_id)
    return AlarmView(**a.to_dict())


def with_links(components, alarm: dict, machine: dict | None) -> AlarmView:
    """``alarm`` plus ``failure_types`` (those its signal feeds that are possible for the machine type) and
    ``references`` (cited causes above the relevance cut-off that name the signal)."""
    from shopfloor.assistant.pipeline.diagnose import cut_off, find_causes
    from shopfloor.sensors.alarms import candidate_failure_types, signal_words
    from shopfloor.sensors.failure import applicable_types

    kind = (machine or {}).get("type") or ""
    types = candidate_failure_types(alarm["sensor"], alarm["direction"], applicable_types(kind or None))
    out = AlarmView(**{**alarm, "failure_types": types})
    signal = alarm["sensor"].split(" [")[0].lower()
    # the machine filter already keeps its own manual first; its type's words in the query would only match
    # every passage of that manual
    query = f"{signal} too {alarm['direction']} " + " ".join(types)
    try:
        idx = components.index()
    except NotBuiltError as e:
        out.link_notes.append(str(e))
        return out
    words = signal_words(alarm["sensor"])
    # a machine with its own documents is answered from them only: another machine's manual is not about it
    own = idx.count({"machine_id": alarm["machine_id"]}) > 0
    causes = [c for c in find_causes(components, idx, query, alarm["machine_id"], cut_off(idx), None, query, limit=8,
                                     other_machines=not own)
              if any(w in " ".join((c.symptom, c.cause, c.remedy, c.text)).lower() for w in words)][:2]
    out.references = causes
    if not causes:
        where = "this machine's documents" if own else "the documents"
        out.link_notes.append(f"no manual section, troubleshooting or FMEA row in {where} is about {signal} "
                                 "(close enough and naming it): nothing is quoted")
    return out


def alarms_markdown(alarms: list[AlarmView]) -> str:
    """A machine's current alarms: signal, since when, state, what it can lead to, where the manual says more."""
    from shopfloor.assistant.pipeline.render import cause_line

    if not alarms:
        return "**Alarms:** none open or active."
    out = [f"**Alarms ({len(alarms)}):**"]
    for a in alarms:
        state = ("**OPEN**" if a.state == "open" else
                 f"acknowledged by {a.acknowledged_by} at {a.acknowledged_at} UTC" + (f" — _{a.note}_" if a.note else ""))
        still = "" if a.active else " (no longer violating)"
        out.append(f"- #{a.id} **{a.sensor} {a.direction}** since {a.first_reading}: {a.description}; {state}{still}")
        if a.failure_types:
            out.append(f"    - can lead to: {', '.join(a.failure_types)}")
        for r in a.references:
            out.append(f"    - see **{r.citation}**: {cause_line(r)}")
            if r.safety:
                out.append(f"    - ⚠ {r.safety}")
        out += [f"    - _{n}_" for n in a.link_notes]
    return "\n".join(out)
