"""One machine's condition in one object: failure risk, remaining life, anomalies, SPC violations, charts."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from shopfloor.errors import InputError, NotBuiltError
from shopfloor.machines import match_machine

log = logging.getLogger(__name__)
SPC_SENSORS = ["Torque [Nm]", "Process temperature [K]", "Rotational speed [rpm]"]
RECENT = 24  # readings that count as "recent" (one day of hourly readings)
CHART_POINTS = 60


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
    notes: list[str] = []


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
    return st


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
        st.notes.append("failure risk unknown for the latest reading: " + "; ".join(pred["unknown"]))
        return
    st.failure_probability = pred["failure_probability"]
    st.failure_type_probs = pred["failure_type_probs"]
    st.failure_type = pred["failure_type"]
    st.explanation = model.explain(last)


def _anomaly(st: MachineStatus, proc) -> None:
    from shopfloor.sensors.anomaly import detect

    cols = [c for c in SPC_SENSORS + ["Air temperature [K]"] if c in proc.columns]
    if len(proc) < RECENT + 20:
        st.notes.append(f"too few readings for anomaly detection ({len(proc)})")
        return
    r = detect(proc[cols].iloc[:-RECENT], proc[cols].iloc[-RECENT:])
    st.anomaly = {"score": r.score, "anomalous": r.anomalous, "sensors": r.sensors}


def _spc(st: MachineStatus, proc, workspace, charts: bool) -> None:
    """Control charts of the key sensors: history sets the limits (phase I), the last day is checked (phase II)
    with the one-point 3-sigma rule (0.27 % false alarms per in-control point), on AR(1) residuals when the
    sensor is autocorrelated (``spc.monitor``)."""
    from shopfloor.sensors import spc

    panels = []
    for col in [c for c in SPC_SENSORS if c in proc.columns]:
        values = proc[col].tail(CHART_POINTS).tolist()
        try:
            chart = spc.monitor(values, baseline=len(values) - RECENT)
        except ValueError as e:
            st.notes.append(f"{col}: {e}")
            continue
        chart.kind = f"{col}: {chart.kind}, last {len(values)} readings (limits from the first {len(values) - RECENT})"
        recent = [v for v in chart.violations if v.index >= len(values) - RECENT]
        st.spc_violations += [{"sensor": col, "rule": v.rule, "description": v.description,
                               "reading": str(proc["timestamp"].iloc[len(proc) - len(values) + v.index])} for v in recent]
        panels.append(chart)
    if charts and panels:
        path = workspace.root / "sensors" / "charts" / f"{st.machine_id}_spc.png"
        st.charts.append(str(spc.render(panels, path, f"{st.machine_id} · control charts (3-sigma rule)")))


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
