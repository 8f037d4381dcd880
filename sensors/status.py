"""One machine's condition in one object: failure risk, remaining life, anomalies, SPC violations, charts."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from shopfloor.errors import InputError, NotBuiltError
from shopfloor.machines import match_machine

log = logging.getLogger(__name__)
SPC_SENSORS = ["Torque [Nm]", "Process temperature [K]", "Rotational speed [rpm]"]
RECENT = 24  # readings that count as "recent" (one day of hourly readings)
BASELINE = 200  # at most this many readings before the last day set the control limits (phase I)
CHART_POINTS = 60  # drawn: the last 60 readings


class MachineStatus(BaseModel):
    machine_id: str
    failure_probability: float | None = Field(None, description="Calibrated probability of failure, latest reading.")
    failure_type: str | None = None
    failure_type_probs: dict[str, float] = {}
    explanation: list[dict] = []
    rul: float | None = Field(None, description="Remaining useful life in cycles (capped at 125).")
    anomaly: dict | None = None
    spc_violations: list[dict] = []
    charts: list[str] = []
    latest_reading: str | None = None
    risk_unknown: list[str] = Field([], description="Why the failure risk is not given (missing or implausible input).")
    alarms: list[dict] = Field([], description="Stored control-chart alarms that are open or still active.")
    notes: list[str] = []


class FleetRow(BaseModel):
    """One machine in the fleet overview: is it alarming, since when, how risky."""

    machine_id: str
    name: str = ""
    type: str = ""
    state: str = Field(description="'alarm' (open alarms), 'acknowledged' (alarms seen, still active), 'ok', "
                                   "or 'no readings'")
    open_alarms: int = 0
    since: str | None = Field(None, description="First violating reading of the oldest open alarm.")
    worst: str = ""
    failure_probability: float | None = None
    failure_type: str | None = None
    risk_unknown: str = Field("", description="Why the failure risk is unknown (missing or implausible input).")
    latest_reading: str | None = None


def known_machines(workspace) -> list[str]:
    from shopfloor.machines import known_machines as registered

    with workspace.connect() as conn:
        return registered(conn)


def machine_status(machine_id: str, workspace, charts: bool = True) -> MachineStatus:
    """Everything the sensor models know about ``machine_id`` now; missing parts are explained in ``notes``."""
    known = known_machines(workspace)
    match = match_machine(machine_id, known)
    if match is None:
        raise InputError(f"unknown machine {machine_id!r}; known machines: "
                         f"{', '.join(known) or 'none (run shopfloor demo)'}")
    st = MachineStatus(machine_id=match)
    from shopfloor.sensors.readings import load_process

    proc = load_process(workspace, match)
    if proc.empty:
        st.notes.append("no process readings imported for this machine")
    else:
        st.latest_reading = str(proc["timestamp"].iloc[-1])
        _failure(st, proc, workspace)
        _anomaly(st, proc)
        _spc(st, proc, workspace, charts)
    _rul(st, workspace)
    from shopfloor.sensors.alarms import sync

    with workspace.connect() as conn:
        st.alarms = [a.to_dict() for a in sync(conn, match, st.spc_violations)]
    return st


def fleet(workspace, status=None) -> list[FleetRow]:
    """Every registered machine, alarming ones first (most open alarms, then highest risk), each with since when.

    ``status(machine_id)`` gives a machine's status (default: computed now, which also records its alarms;
    the application passes its cached one).
    """
    from shopfloor.sensors.alarms import list_alarms

    with workspace.connect() as conn:
        machines = [dict(r) for r in conn.execute("SELECT id, name, type FROM machines ORDER BY id")]
    status = status or (lambda m: machine_status(m, workspace, charts=False))
    statuses = {m["id"]: status(m["id"]) for m in machines}  # computing a status records its alarms
    current: dict[str, list] = {}
    with workspace.connect() as conn:  # states read fresh: a cached status may predate an acknowledgement
        for a in list_alarms(conn, current=True, limit=100_000):
            current.setdefault(a.machine_id, []).append(a)
    rows = []
    for m in machines:
        st = statuses[m["id"]]
        open_ = [a for a in current.get(m["id"], []) if a.state == "open"]
        active = [a for a in current.get(m["id"], []) if a.active]
        row = FleetRow(machine_id=m["id"], name=m["name"] or "", type=m["type"] or "",
                       state="alarm" if open_ else "acknowledged" if active else
                       "ok" if st.latest_reading else "no readings",
                       open_alarms=len(open_), failure_probability=st.failure_probability,
                       failure_type=st.failure_type, latest_reading=st.latest_reading,
                       risk_unknown="; ".join(st.risk_unknown))
        if open_:
            row.since = min(a.first_reading for a in open_)
            worst = max(open_, key=lambda a: a.points)
            row.worst = f"{worst.sensor} {worst.direction}".strip() + f" ({worst.points} point(s) in the last day)"
        rows.append(row)
    order = {"alarm": 0, "acknowledged": 1, "ok": 2, "no readings": 3}
    rows.sort(key=lambda r: (order[r.state], -r.open_alarms, -(r.failure_probability or 0.0), r.machine_id))
    return rows


def _failure(st: MachineStatus, proc, workspace) -> None:
    from shopfloor.sensors.failure import FailureModel

    try:
        model = FailureModel.load(workspace.sensor_model_dir("failure"))
    except NotBuiltError as e:
        st.notes.append(str(e))
        return
    last = proc.tail(1)
    with workspace.connect() as conn:
        row = conn.execute("SELECT type FROM machines WHERE id = ?", (st.machine_id,)).fetchone()
    pred = model.predict(last, machine_type=row[0] if row else None)[0]
    if pred["unknown"]:
        st.risk_unknown = pred["unknown"]
        st.notes.append("failure risk unknown for the latest reading: " + "; ".join(pred["unknown"]))
        return
    st.failure_probability = pred["failure_probability"]
    st.failure_type_probs = pred["failure_type_probs"]
    st.failure_type = pred["failure_type"]
    st.explanation = model.explain(last)
    if not st.explanation and st.failure_type and st.failure_probability >= 0.5:
        # several causes at once: no single input lowers the risk, but each type's model names its own
        st.explanation = [{**e, "failure_type": st.failure_type}
                          for e in model.explain(last, failure_type=st.failure_type)]


def _anomaly(st: MachineStatus, proc) -> None:
    from shopfloor.sensors.anomaly import detect

    cols = [c for c in SPC_SENSORS + ["Air temperature [K]"] if c in proc.columns]
    if len(proc) < RECENT + 20:
        st.notes.append(f"too few readings for anomaly detection ({len(proc)})")
        return
    r = detect(proc[cols].iloc[:-RECENT], proc[cols].iloc[-RECENT:])
    st.anomaly = {"score": r.score, "anomalous": r.anomalous, "sensors": r.sensors}


def _spc(st: MachineStatus, proc, workspace, charts: bool) -> None:
    """Control charts of the key sensors: up to :data:`BASELINE` readings before the last day set the limits
    (phase I), the last day is checked (phase II) with the 3-sigma rule and a CUSUM for sustained shifts,
    on autoregressive residuals when the sensor is autocorrelated (``spc.monitor``; in-control false-alarm
    rates by simulation in docs/sensors.md)."""
    import pandas as pd

    from shopfloor.sensors import spc

    panels, times = [], None
    for col in [c for c in SPC_SENSORS if c in proc.columns]:
        rows = proc[[col, "timestamp"]].tail(BASELINE + RECENT)
        values, kept, dropped = spc.prepare(rows[col].tolist())
        if dropped["missing"] or dropped["non_numeric"]:
            st.notes.append(f"{col}: {dropped['missing']} empty and {dropped['non_numeric']} non-numeric reading(s) "
                            "left out of the chart")
        stamps = rows["timestamp"].iloc[kept].tolist()
        recent = sum(1 for i in kept if i >= len(rows) - RECENT)
        try:
            chart = spc.monitor(values, baseline=len(values) - recent, cusum_check=True)
        except ValueError as e:
            st.notes.append(f"{col}: {e}")
            continue
        chart.kind = f"{col}: {chart.kind}; limits from {len(values) - recent} readings"
        st.spc_violations += [{"sensor": col, "rule": v.rule, "description": v.description,
                               "direction": _direction(chart, v), "reading": str(stamps[v.index])}
                              for v in chart.violations if v.index >= len(values) - recent]
        shown = chart.tail(CHART_POINTS)
        panels.append(shown)
        times = pd.to_datetime(stamps[-len(shown.values):], errors="coerce").tolist()
    if charts and panels:
        path = workspace.root / "sensors" / "charts" / f"{st.machine_id}_spc.png"
        same = all(len(p.values) == len(panels[0].values) for p in panels) and not any(pd.isna(t) for t in times)
        st.charts.append(str(spc.render(panels, path, f"{st.machine_id} · control charts", times if same else None)))


def _direction(chart, v) -> str:
    if v.rule == "cusum":
        return "high" if "upper" in v.description else "low"
    return "high" if chart.values[v.index] > chart.center else "low"


def _rul(st: MachineStatus, workspace) -> None:
    import pandas as pd

    from shopfloor.sensors.rul import RulModel

    hist = workspace.root / "sensors" / "cycles" / f"{st.machine_id}.csv"
    if not hist.exists():
        st.notes.append("no run history (cycles) for remaining-life estimation")
        return
    try:
        model = RulModel.load(workspace.sensor_model_dir("rul"))
    except NotBuiltError as e:
        st.notes.append(str(e))
        return
    st.rul = next(iter(model.predict_last(pd.read_csv(hist)).values()))
