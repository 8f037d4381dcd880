"""Alarm store: one alarm per machine, sensor and episode; acknowledged by name; news after an acknowledgement."""

from __future__ import annotations

import pytest

from shopfloor.errors import InputError
from shopfloor.sensors.alarms import acknowledge, candidate_failure_types, list_alarms, sync


def _v(sensor, reading, direction="high"):
    return {"sensor": sensor, "rule": "shewhart", "description": "one point beyond 3 sigma", "reading": reading,
            "direction": direction}


def test_an_alarm_opens_once_extends_and_is_acknowledged_by_name(workspace):
    with workspace.connect() as conn:
        first = sync(conn, "P-101", [_v("Torque [Nm]", "2026-01-01T10:00"), _v("Torque [Nm]", "2026-01-01T11:00")])
        assert len(first) == 1 and first[0].state == "open" and first[0].first_reading == "2026-01-01T10:00"
        again = sync(conn, "P-101", [_v("Torque [Nm]", "2026-01-01T11:00"), _v("Torque [Nm]", "2026-01-01T12:00")])
        assert [a.id for a in again] == [first[0].id] and again[0].last_reading == "2026-01-01T12:00"
        assert again[0].first_reading == "2026-01-01T10:00"  # since: the episode's start is kept
        done = acknowledge(conn, first[0].id, "tom", "re-shimmed the die")
        assert done.state == "acknowledged" and done.acknowledged_by == "tom" and done.note == "re-shimmed the die"
        with pytest.raises(InputError, match="already acknowledged by tom"):
            acknowledge(conn, first[0].id, "ada")
        with pytest.raises(InputError, match="no alarm 999"):
            acknowledge(conn, 999, "ada")
        # the same violations again: nothing new; a newer one: a new open alarm
        assert [a.state for a in sync(conn, "P-101", [_v("Torque [Nm]", "2026-01-01T12:00")])] == ["acknowledged"]
        news = sync(conn, "P-101", [_v("Torque [Nm]", "2026-01-01T12:00"), _v("Torque [Nm]", "2026-01-01T15:00")])
        opened = [a for a in news if a.state == "open"]
        assert len(opened) == 1 and opened[0].first_reading == "2026-01-01T15:00"
        # quiet now: inactive, but an open alarm stays listed until someone acknowledges it
        quiet = sync(conn, "P-101", [])
        assert [a.id for a in quiet] == [opened[0].id] and not quiet[0].active
        assert len(list_alarms(conn, machine_id="P-101")) == 2 and len(list_alarms(conn, state="open")) == 1
        with pytest.raises(InputError, match="state must be one of"):
            list_alarms(conn, state="closed")


def test_failure_types_of_a_signal_follow_the_machine_type():
    from shopfloor.sensors.failure import applicable_types

    assert candidate_failure_types("Torque [Nm]", "high") == ["overstrain", "power"]
    assert candidate_failure_types("Tool wear [min]", "high", applicable_types("centrifugal pump")) == ["overstrain"]
    assert candidate_failure_types("Process temperature [K]", "low") == ["heat dissipation"]
