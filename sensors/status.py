"""One machine's condition in one object: failure risk, remaining life, anomalies, SPC violations, charts."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from shopfloor.errors import InputError
from shopfloor.machines import match_machine

log = logging.getLogger(__name__)
BASELINE = 200  # at most this many readings before the last day set the control limits (phase I)
SPIKE = 5.0  # a single reading this many sigma from where it was expected raises an alarm by itself
CHART_POINTS = 192  # drawn: the last 192 readings (8 days hourly, 2 days at 15 minutes)


class MachineStatus(BaseModel):
    machine_id: str
    failure_probability: float | None = Field(None, description="Calibrated probability of failure, latest reading.")
    failure_type: str | None = None
    failure_type_probs: dict[str, float] = {}
    explanation: list[dict] = []
    rul: float | None = Field(None, description="Remaining useful life in rul_unit (capped at 125).")
    rul_unit: str = Field("cycles", description="'cycles' (C-MAPSS run history) or 'readings' (a plant's own "
                                                "run-to-failure model: readings left at the machine's sampling rate).")
    anomaly: dict | None = None
    spc_violations: list[dict] = []
    charts: list[str] = Field([], description="PNG paths: the readings with their expected band and alarms, "
                                              "then the residual (control-chart) view.")
    sensors: list[dict] = Field([], description="The charted sensors: [{'name', 'unit'}].")
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
    """Everything the sensor models know about ``machine_id`` now; missing parts are explained in ``notes``.

    Works on whatever the machine measures: every charted sensor column (:func:`columns.charted`) gets
    control charts and feeds the anomaly score; failure risk only where the model's inputs exist. A step
    that fails on this machine's data is reported in ``notes`` and the others still run, so bad data on one
    machine never stops a status, the fleet or the server's warm-up.
    """
    known = known_machines(workspace)
    match = match_machine(machine_id, known)
    if match is None:
        raise InputError(f"unknown machine {machine_id!r}; known machines: "
                         f"{', '.join(known) or 'none (run shopfloor demo)'}")
    st = MachineStatus(machine_id=match)
    from shopfloor.sensors.readings import load_process, units

    proc = _guarded(st, "readings", lambda: load_process(workspace, match))
    if proc is None or proc.empty:
        st.notes.append("no process readings imported for this machine")
    else:
        from shopfloor.sensors.columns import charted

        st.latest_reading = str(proc["timestamp"].iloc[-1])
        sensors = charted(proc, units(workspace))
        st.sensors = [s.to_dict() for s in sensors]
        if not sensors:
            st.notes.append("no numeric sensor columns with varying readings: nothing to chart or score")
        _guarded(st, "failure risk", lambda: _failure(st, proc, workspace))
        _guarded(st, "anomaly score", lambda: _anomaly(st, proc, [s.name for s in sensors]))
        _guarded(st, "control charts", lambda: _spc(st, proc, sensors, workspace, charts))
    _guarded(st, "remaining life", lambda: _rul(st, workspace, proc))
    from shopfloor.sensors.alarms import sync

    with workspace.connect() as conn:
        st.alarms = [a.to_dict() for a in sync(conn, match, confirmed(st.spc_violations))]
    return st


def confirmed(signals: list[dict]) -> list[dict]:
    """The chart signals that open an alarm to acknowledge: a sensor with two or more signals in the last day,
    or one reading beyond :data:`SPIKE` sigma. A lone signal is drawn on the chart but not raised: at 96
    readings a day a sensor would otherwise raise a false alarm every few days (measured in docs/sensors.md)."""
    count: dict[str, int] = {}
    for v in signals:
        count[v["sensor"]] = count.get(v["sensor"], 0) + 1
    spiked = {v["sensor"] for v in signals if abs(v.get("sigmas", 0.0)) > SPIKE}
    return [v for v in signals if count[v["sensor"]] >= 2 or v["sensor"] in spiked]


def _guarded(st: MachineStatus, step: str, fn):
    """Run one status step; a failure on this machine's data becomes a note on this machine, not an error."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the per-machine boundary: any data problem stays on its machine
        log.warning("%s of %s failed", step, st.machine_id, exc_info=True)
        st.notes.append(f"{step} could not be computed from this machine's data ({type(e).__name__}: {e})")
        return None


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
    points = {m: sum(a.points for a in alarms if a.state == "open") for m, alarms in current.items()}
    rows.sort(key=lambda r: (order[r.state], -points.get(r.machine_id, 0), -r.open_alarms,
                             -(r.failure_probability or 0.0), r.machine_id))
    return rows


def _failure(st: MachineStatus, proc, workspace) -> None:
    from shopfloor.sensors.plant_failure import load_models

    models = load_models(workspace.sensor_model_dir("failure").parent, "failure")
    if not models:
        st.notes.append(f"no failure model at {workspace.sensor_model_dir('failure')}: run "
                        "`shopfloor sensor train --task failure ...`")
        return
    model = next((m for m in models if all(c in proc.columns for c in m.inputs)), None)
    if model is None:  # the model's feature list decides: never guess from other columns
        st.risk_unknown = ["no failure model for this machine's sensors"]
        st.notes.append("no failure model for this machine's sensors (the models read "
                        + "; ".join(", ".join(m.inputs) for m in models)
                        + "; train one on this plant's labelled history with `shopfloor sensor train --label COL`)")
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


def _anomaly(st: MachineStatus, proc, sensors: list[str]) -> None:
    from shopfloor.sensors.anomaly import detect

    recent = recent_count(proc)
    cols = [c for c in sensors if proc[c].iloc[:-recent].notna().sum() >= 20]
    if not cols:
        st.notes.append("no sensors to score for anomalies")
        return
    if len(proc) < recent + 20:
        st.notes.append(f"too few readings for anomaly detection ({len(proc)})")
        return
    data = proc[cols].astype(float)
    history = data.iloc[:-recent]
    filled = data.fillna(history.median())  # a blank cell is not evidence either way: the sensor's typical value
    r = detect(filled.iloc[:-recent], filled.iloc[-recent:])
    st.anomaly = {"score": r.score, "anomalous": r.anomalous, "sensors": r.sensors, "scored": cols}


def recent_count(proc) -> int:
    """Readings in the last 24 hours before the machine's latest one (at least one): the window that is checked."""
    import pandas as pd

    t = pd.to_datetime(proc["timestamp"], errors="coerce")
    return max(1, int((t > t.max() - pd.Timedelta(hours=24)).sum()))


def _spc(st: MachineStatus, proc, sensors, workspace, charts: bool) -> None:
    """Control charts of every sensor: up to :data:`BASELINE` readings before the last day set the limits
    (phase I), the last day is checked (phase II) with the one alarm definition of :mod:`scheme` (four
    charts on AR residuals when the sensor is autocorrelated; false-alarm budget in docs/sensors.md)."""
    import pandas as pd

    from shopfloor.sensors import charts as drawing
    from shopfloor.sensors import scheme

    cut = pd.to_datetime(proc["timestamp"]).max() - pd.Timedelta(hours=24)
    panels = []
    for sensor in sensors:
        rows = proc[["timestamp", sensor.name]].dropna()
        new = int((rows["timestamp"] > cut).sum())
        rows = rows.tail(BASELINE + new)
        base = len(rows) - new
        if base < 20:
            st.notes.append(f"{sensor.name}: {base} readings before the last day; control limits need 20")
            continue
        try:
            s = scheme.evaluate(rows[sensor.name].astype(float).tolist(), base)
        except ValueError as e:  # e.g. a stuck sensor: its baseline does not vary; the other sensors still chart
            st.notes.append(f"{sensor.name}: {e}")
            continue
        stamps = [str(t) for t in rows["timestamp"]]
        st.spc_violations += [{"sensor": sensor.name, "unit": sensor.unit, "rule": a.rule,
                               "description": a.description, "direction": "high" if s.values[a.index] >
                               s.expected[a.index] else "low", "reading": stamps[a.index],
                               "value": s.values[a.index], "sigmas": round(s.charts[0].values[a.index], 2)}
                              for a in s.alarms if a.index >= base]
        panels.append(drawing.Panel(sensor.name, sensor.unit, rows["timestamp"].tolist(), s))
    if charts and panels:
        folder = workspace.root / "sensors" / "charts"
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in st.machine_id).strip(".") or "machine"
        st.charts.append(str(drawing.values_png(panels, folder / f"{name}_values.png", st.machine_id,
                                                CHART_POINTS)))
        st.charts.append(str(drawing.residuals_png(panels, folder / f"{name}_residuals.png",
                                                   st.machine_id, CHART_POINTS)))


def _rul(st: MachineStatus, workspace, proc) -> None:
    """Remaining life: the C-MAPSS model on the machine's run history (cycles), else a plant's own model
    (``sensor train --task rul`` on its run-to-failure readings) when the machine has its sensors."""
    import pandas as pd

    from shopfloor.sensors.plant_failure import load_models
    from shopfloor.sensors.plant_rul import predict_machine

    models = load_models(workspace.sensor_model_dir("rul").parent, "rul")
    hist = workspace.root / "sensors" / "cycles" / f"{st.machine_id}.csv"
    if hist.exists():
        cmapss = [m for m in models if m.meta.get("format") != "plant"]
        if not cmapss:
            st.notes.append(f"no rul model at {workspace.sensor_model_dir('rul')}: run "
                            "`shopfloor sensor train --task rul ...`")
            return
        st.rul = next(iter(cmapss[0].predict_last(pd.read_csv(hist)).values()))
        return
    usable = [m for m in models if m.meta.get("format") == "plant" and proc is not None and not proc.empty
              and all(c in proc.columns for c in m.sensors)]
    if not usable:
        st.notes.append("no run history (cycles) for remaining-life estimation"
                        + (" and no remaining-life model for this machine's sensors" if models else ""))
        return
    st.rul, st.rul_unit = predict_machine(usable[0], proc), "readings"
