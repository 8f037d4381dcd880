"""Work orders: a diagnosis becomes a draft for the plant's CMMS, kept in a durable outbox until delivered.

The draft is built from the diagnosis card's facts only (no language model): the asset, the plant's failure mode
with its ISO 14224 code, the cited cause and action, and a priority from the risk the card shows (open alarms,
failure probability, remaining life, the FMEA's RPN or severity). Delivery is :mod:`.outbox`'s.
``assistant.workorders`` is the service; every write is audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.errors import InputError

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline.alarms import AlarmView
    from shopfloor.assistant.pipeline.outbox import OutboxReport

State = Literal["queued", "delivered", "failed"]

# ISO 14224:2016 failure-mode codes (Annex B) by words of the plant's label or log; anything else is OTH, and the
# plant's own label always travels beside the code.
ISO14224 = (("seal_leak", "ELP"), ("hydraulic", "ELU"), ("oil leak", "ELU"), ("leak", "ELP"), ("overheat", "OHE"),
            ("temperatur", "OHE"), ("vibration", "VIB"), ("imbalance", "VIB"), ("misalign", "VIB"),
            ("bearing", "VIB"), ("noise", "NOI"), ("blockage", "PLU"), ("clog", "PLU"), ("sensor", "AIR"),
            ("slip", "LOO"), ("does not start", "FTS"), ("won't start", "FTS"), ("trip", "UST"),
            # German and Chinese plants' words for the same modes
            ("leck", "ELP"), ("überhitz", "OHE"), ("schwingung", "VIB"), ("unwucht", "VIB"), ("lager", "VIB"),
            ("geräusch", "NOI"), ("verstopf", "PLU"), ("泄漏", "ELP"), ("漏油", "ELU"), ("过热", "OHE"), ("温度", "OHE"),
            ("振动", "VIB"), ("轴承", "VIB"), ("噪音", "NOI"), ("噪声", "NOI"), ("堵塞", "PLU"))


class WorkOrder(BaseModel):
    """A work order as the CMMS receives it (and as ``--json`` and the API show it)."""

    id: int | None = None
    state: State = "queued"
    attempts: int = 0
    asset: str | None = None
    failure_mode: str | None = None  # the plant's own label
    iso14224: str = "OTH"
    description: str  # the technician's log
    cause: str = ""
    action: str = ""
    priority: Literal["P1", "P2", "P3"] = "P3"
    priority_reason: str = ""
    citations: list[str] = []
    created_by: str = ""
    created_at: str = ""
    last_error: str | None = None
    delivered_at: str | None = None
    alarm_id: int | None = None  # the control-chart alarm it was raised from

    def to_markdown(self) -> str:
        """The one line a technician reads after raising it: which order, why this priority, where it went."""
        sent = {"delivered": "delivered to the CMMS", "failed": "delivery failed"}.get(
            self.state, "queued in the outbox" + (f" (CMMS: {self.last_error}; retried in the background)"
                                                  if self.last_error else " (no CMMS configured yet)"))
        return (f"**Work order {self.id}** ({self.priority}: {self.priority_reason}) for {self.asset or 'no machine'}, "
                f"{self.failure_mode or 'failure mode not known'} / ISO 14224 {self.iso14224}: {sent}.")


def iso_code(label: str | None, text: str = "") -> str:
    """The ISO 14224 failure-mode code for a plant label (else words of the log), OTH when none fits."""
    for source in (label or "", text):
        low = source.lower().replace("-", "_")
        for word, code in ISO14224:
            if word in low or word.replace("_", " ") in low:
                return code
    return "OTH"


def priority(d) -> tuple[str, str]:
    """(P1/P2/P3, why) from the diagnosis's risk: open alarms, failure probability, RUL, the FMEA's RPN/severity."""
    st = d.status
    prob = st.failure_probability if st is not None else None
    rpn = max((_number(c.risk.get("rpn", "")) for c in d.causes), default=0.0)
    sev = max((_number(c.risk.get("severity", "")) for c in d.causes), default=0.0)
    if st is not None and st.alarms:
        return "P1", f"{len(st.alarms)} open control-chart alarm(s) on {st.machine_id}"
    if prob is not None and prob >= 0.5:
        return "P1", f"failure probability {prob:.0%}"
    if st is not None and st.rul is not None and st.rul < 30:
        return "P1", f"remaining life {st.rul:.0f} {st.rul_unit}"
    ratings = [f"FMEA RPN {rpn:.0f}"] * (rpn > 0) + [f"severity {sev:.0f}"] * (sev > 0)
    if rpn >= 200 or sev >= 9:
        return "P1", ", ".join(ratings)
    if (prob is not None and prob >= 0.2) or rpn >= 100 or sev >= 7:
        risk = [f"failure probability {prob:.0%}"] if prob is not None and prob >= 0.2 else []
        return "P2", ", ".join(risk + ratings)
    return "P3", "no alarm, risk or FMEA rating above the P2 line"


def _number(v) -> float:
    try:
        return float(str(v).strip())
    except ValueError:
        return 0.0


def draft(d, user: str) -> WorkOrder:
    """The work order a diagnosis card supports: the first cited cause or remedy of a table row (else the card's
    next step as the action)."""
    top = next((c for c in d.causes if c.cause or c.remedy), None)
    level, why = priority(d)
    return WorkOrder(asset=d.machine_id, failure_mode=d.failure_mode, iso14224=iso_code(d.failure_mode, d.log),
                     description=d.log, cause=top.cause if top else "", action=(top.remedy if top else "") or
                     d.next_step, priority=level, priority_reason=why, citations=[c.citation for c in d.causes],
                     created_by=user)


def from_alarm(alarm: AlarmView, user: str) -> WorkOrder:
    """The work order an alarm supports: the machine, the failure type its signal feeds (else the deviation), ISO
    14224 PDE (parameter deviation) unless the words name a more specific mode, the first cited cause/remedy about
    the signal (else a check of the signal as the action); P1 while it is open and still violating."""
    signal = alarm.sensor.split(" [")[0]
    deviation = f"{signal} too {alarm.direction}"
    mode = alarm.failure_types[0] if alarm.failure_types else deviation.replace(" ", "_").lower()
    top = next((r for r in alarm.references if r.cause or r.remedy), None)
    level, why = _alarm_priority(alarm)
    text = (f"Control-chart alarm #{alarm.id} on {alarm.machine_id}: {deviation} since {alarm.first_reading} "
            f"({alarm.rule}: {alarm.description}); {alarm.points} violating reading(s) in the latest check.")
    action = ((top.remedy if top else "") or f"Check {signal} on {alarm.machine_id} against its usual range "
              "(control chart in the Machines tab) and find why it moved.")
    code = iso_code(mode, deviation)
    return WorkOrder(asset=alarm.machine_id, failure_mode=mode, iso14224="PDE" if code == "OTH" else code,
                     alarm_id=alarm.id, description=text, cause=top.cause if top else "", action=action,
                     priority=level, priority_reason=why, citations=[r.citation for r in alarm.references],
                     created_by=user)


def _alarm_priority(alarm: AlarmView) -> tuple[str, str]:
    since = f"since {alarm.first_reading}"
    if alarm.state == "open" and alarm.active:
        return "P1", f"open control-chart alarm on {alarm.machine_id} {since}, still violating"
    if alarm.active:
        return "P2", f"acknowledged alarm {since}, still violating"
    return "P3", f"alarm {since} no longer violating in the latest check"


def store(ws, order: WorkOrder, source: str) -> WorkOrder:
    """Queue ``order`` in the outbox (audited); returns it with its id."""
    from shopfloor.db import audit

    body = order.model_dump(exclude={"id", "state", "attempts", "last_error", "delivered_at", "created_at"})
    with ws.connect() as conn:
        cur = conn.execute("INSERT INTO workorders (created_by, source, machine_id, priority, payload) "
                           "VALUES (?, ?, ?, ?, ?)", (order.created_by, source, order.asset, order.priority,
                                                      json.dumps(body)))
        wid = int(cur.lastrowid or 0)
        audit(conn, order.created_by, "workorder", f"work order {wid} ({order.priority}, {order.asset or 'no asset'}) "
                                                   f"queued from a {source}")
    return read(ws, wid)


def read(ws, wid: int) -> WorkOrder:
    with ws.connect() as conn:
        row = conn.execute("SELECT * FROM workorders WHERE id = ?", (wid,)).fetchone()
    if row is None:
        raise InputError(f"no work order {wid}")
    return _order(row)


def listing(ws, limit: int = 100) -> list[WorkOrder]:
    """The newest work orders first, with their delivery state."""
    with ws.connect() as conn:
        rows = conn.execute("SELECT * FROM workorders ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [_order(r) for r in rows]


def export(orders: list[WorkOrder], path) -> int:
    """Write ``orders`` to a CSV (one row each, citations joined with " | "; cells a spreadsheet would run are
    written as text) or a JSON file ({"workorders": [...]}); returns how many."""
    from pathlib import Path

    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"workorders": [w.model_dump() for w in orders]}, indent=1, ensure_ascii=False),
                        encoding="utf-8")
        return len(orders)
    if path.suffix.lower() != ".csv":
        raise InputError(f"{path.name}: work orders export to .csv or .json")
    import pandas as pd

    from shopfloor.tables import safe_frame

    rows = [{**w.model_dump(), "citations": " | ".join(w.citations)} for w in orders]
    safe_frame(pd.DataFrame(rows, columns=list(WorkOrder.model_fields))).to_csv(path, index=False)
    return len(orders)


def _for_alarm(ws, alarm_id: int) -> WorkOrder | None:
    """The work order already raised from ``alarm_id`` and not failed, if any."""
    with ws.connect() as conn:
        row = conn.execute("SELECT * FROM workorders WHERE json_extract(payload, '$.alarm_id') = ? AND state != "
                           "'failed' ORDER BY id LIMIT 1", (int(alarm_id),)).fetchone()
    return _order(row) if row is not None else None


def _order(row) -> WorkOrder:
    return WorkOrder(**{**json.loads(row["payload"]), "id": row["id"], "state": row["state"],
                        "attempts": row["attempts"], "created_at": row["created_at"], "last_error": row["last_error"],
                        "delivered_at": row["delivered_at"]})


class WorkOrders(Service):
    """``assistant.workorders``: raise a work order from a log, see the outbox, send it now."""

    def __init__(self, *args, diagnose: Callable | None = None, alarm: Callable | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._diagnose = diagnose  # (log, machine_id, user) -> Diagnosis, the facade's, injected
        self._alarm = alarm  # (alarm_id, user) -> the alarm with its links (machines.alarm), injected

    @requires(Action.work_orders)
    def create(self, log: str, machine_id: str | None = None, *, user: User = DEFAULT_USER) -> WorkOrder:
        """Diagnose ``log`` and queue the work order its card supports; delivery is tried at once if a CMMS is set."""
        if self._diagnose is None:
            raise InputError("work orders need the diagnosis")
        return self._queued(draft(self._diagnose(log, machine_id, user), user.name), "diagnosis")

    @requires(Action.work_orders)
    def create_from_alarm(self, alarm_id: int | str, *, user: User = DEFAULT_USER) -> WorkOrder:
        """Queue the work order a control-chart alarm supports (machine, failure type of its signal, cited cause and
        action about the signal, P1 while open and violating); delivered at once if a CMMS is set."""
        if self._alarm is None:
            raise InputError("work orders from alarms need the machines' alarms")
        alarm = self._alarm(alarm_id, user)
        raised = _for_alarm(self.ws, alarm.id)
        if raised is not None:  # one work order per alarm: a second click must not send the CMMS a duplicate
            raise InputError(f"alarm #{alarm.id} already has work order {raised.id} ({raised.state}, raised by "
                             f"{raised.created_by} at {raised.created_at} UTC)")
        return self._queued(from_alarm(alarm, user.name), "alarm")

    def _queued(self, order: WorkOrder, source: str) -> WorkOrder:
        from shopfloor.assistant.pipeline import outbox

        order = store(self.ws, order, source)
        if outbox.url(self.ws.config.cmms):
            outbox.send(self.ws, only=order.id)
        return read(self.ws, order.id or 0)

    @requires(Action.work_orders)
    def known(self, limit: int = 100, *, user: User = DEFAULT_USER) -> list[WorkOrder]:
        return listing(self.ws, limit)

    @requires(Action.work_orders)
    def export(self, path, limit: int = 10_000, *, user: User = DEFAULT_USER) -> int:
        """Write the newest ``limit`` work orders to a .csv or .json file; returns how many."""
        return export(listing(self.ws, limit), path)

    @requires(Action.work_orders)
    def send(self, *, user: User = DEFAULT_USER) -> OutboxReport:
        """Deliver every queued work order now (ignoring back-off)."""
        from shopfloor.assistant.pipeline import outbox

        return outbox.send(self.ws, force=True)
