"""Machines: the fleet, one machine's status, control-chart alarms and their acknowledgement, sensor imports.

``assistant.machines`` of the facade; each method checks the caller's role (viewer: look; technician:
acknowledge; engineer: import readings).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from shopfloor.assistant.pipeline.alarms import AlarmView, with_links
from shopfloor.assistant.pipeline.alarms import acknowledge as acknowledge_alarm
from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.errors import InputError
from shopfloor.sensors.readings import ImportReport
from shopfloor.sensors.status import MachineStatus


class Machine(BaseModel):
    """One machine of the plant's registry."""

    id: str
    name: str
    type: str
    line: str | None = None


class Machines(Service):
    """What the plant's machines are doing, and the readings they are judged on."""

    @requires(Action.view_machines)
    def known(self, *, user: User = DEFAULT_USER) -> list[Machine]:
        """Known machines (id, name, type, line)."""
        return [Machine(**m) for m in self.components.machines()]

    @requires(Action.view_machines)
    def status(self, machine_id: str, *, user: User = DEFAULT_USER) -> MachineStatus:
        """Failure probability, remaining life, anomalies and control-chart alarms of one machine."""
        return self.components.status(clean_text(machine_id))

    @requires(Action.view_machines)
    def fleet(self, *, user: User = DEFAULT_USER) -> list:
        """Every machine, alarming ones first: state, open alarms, since when, worst signal, failure risk."""
        return self.components.fleet()

    @requires(Action.view_machines)
    def alarms(self, state: str | None = None, machine_id: str | None = None, links: bool = True, *,
               user: User = DEFAULT_USER) -> list[AlarmView]:
        """Stored control-chart alarms (newest first; ``state`` open/acknowledged), each with the failure types
        its signal feeds and the manual/FMEA references for it."""
        from shopfloor.sensors.alarms import list_alarms

        machines = {m["id"]: m for m in self.components.machines()}
        mid = None
        if machine_id:
            from shopfloor.machines import match_machine

            mid = match_machine(clean_text(machine_id), list(machines))
            if mid is None:
                raise InputError(f"unknown machine {machine_id!r}; known machines: {', '.join(machines) or 'none'}")
        with self.ws.connect() as conn:
            rows = [a.to_dict() for a in list_alarms(conn, state=state, machine_id=mid)]
        reader = self.components.for_role(user.role.value)
        return [with_links(reader, a, machines.get(a["machine_id"])) if links else AlarmView(**a) for a in rows]

    @requires(Action.view_machines)
    def alarm(self, alarm_id: int | str, *, user: User = DEFAULT_USER) -> AlarmView:
        """One stored alarm with the failure types its signal feeds and the manual/FMEA references for it."""
        from shopfloor.db import row_id
        from shopfloor.sensors.alarms import get_alarm

        with self.ws.connect() as conn:
            a = get_alarm(conn, row_id(alarm_id, "alarm")).to_dict()
        machine = next((m for m in self.components.machines() if m["id"] == a["machine_id"]), None)
        return with_links(self.components.for_role(user.role.value), a, machine)

    @requires(Action.acknowledge_alarm)
    def acknowledge(self, alarm_id: int, note: str = "", *, user: User = DEFAULT_USER) -> AlarmView:
        """Mark an open alarm acknowledged by this user (with an optional note); audited."""
        from shopfloor.db import row_id

        return acknowledge_alarm(self.ws, self.components, row_id(alarm_id, "alarm"), user.name, note)

    @requires(Action.import_sensors)
    def preview_readings(self, path: str | Path, mapping: list[str] | dict[str, str] | None = None, *,
                         user: User = DEFAULT_USER) -> ImportReport:
        """How a readings file would be read (time and machine columns, sensors and units, lost cells); nothing
        is stored."""
        from shopfloor.sensors.columns import parse_map
        from shopfloor.sensors.readings import preview

        return preview(path, parse_map(mapping) if isinstance(mapping, list) else dict(mapping or {}))

    @requires(Action.import_sensors)
    def import_readings(self, path: str | Path, mapping: list[str] | dict[str, str] | None = None, *,
                        user: User = DEFAULT_USER) -> ImportReport:
        """Import timestamped readings (CSV/XLSX/Parquet); ``mapping``: column -> role, or ``COL=ROLE`` items
        as ``--map`` gives them; audited. Statuses are recomputed on next use."""
        from shopfloor.db import audit
        from shopfloor.sensors import import_readings
        from shopfloor.sensors.columns import parse_map

        roles = parse_map(mapping) if isinstance(mapping, list) else dict(mapping or {})
        report = import_readings(self.ws, path, roles)
        self.components.forget_statuses()
        with self.ws.connect() as conn:
            audit(conn, user.name, "sensor_import", f"{Path(path).name}: {report.rows} rows")
        return report
