"""`shopfloor sensor ...`: failure and remaining-life models, SPC charts, machine status, readings import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from shopfloor.assistant.cli._common import JsonOpt, RuleSet, SensorTask, audit, emit

app = typer.Typer(no_args_is_help=True)


@app.command("train", help="Train a failure model (AI4I CSV, or any plant's readings with --label) or the "
                          "remaining-life model (C-MAPSS text).")
def train(task: Annotated[SensorTask, typer.Option("--task", help="failure or rul.")],
          data: Annotated[Path, typer.Option("--data", help="Training file: AI4I CSV, C-MAPSS text, or a plant's "
                                             "readings (CSV/XLSX/Parquet: --label for failures; for rul each "
                                             "machine id is one run that ended in a failure).")],
          out: Annotated[Path | None, typer.Option("--out", help="Model folder (default: the workspace's; a plant "
                                                   "model goes to models/sensors/failure-<file name>).")] = None,
          label: Annotated[str | None, typer.Option("--label", help="A plant's own failure flag column (1/0, yes/no, "
                                                    "ja/nein): trains on that file's sensor columns, whatever "
                                                    "they are.")] = None,
          mapping: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=ROLE, as for `sensor import`.")]
          = None,
          seed: Annotated[int, typer.Option("--seed")] = 13, as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.errors import InputError
    from shopfloor.sensors import FailureModel, RulModel

    model: Any
    if label is not None:
        if task is not SensorTask.failure:
            raise InputError("--label trains a failure model: use --task failure")
        from shopfloor.sensors.columns import parse_map
        from shopfloor.sensors.plant_failure import PlantFailureModel

        model = PlantFailureModel.train(data, label, parse_map(mapping), seed=seed)
        out = out or workspace().sensor_model_dir("failure").parent / f"failure-{_slug(data)}"
    elif task is SensorTask.rul and data.suffix.lower() in (".csv", ".xlsx", ".xls", ".parquet"):
        from shopfloor.sensors import plant_rul
        from shopfloor.sensors.columns import parse_map

        model = plant_rul.train(data, parse_map(mapping), seed=seed)  # one run to failure per machine id
        out = out or workspace().sensor_model_dir("rul").parent / f"rul-{_slug(data)}"
    else:
        model = (FailureModel if task is SensorTask.failure else RulModel).train(data, seed=seed)
        out = out or workspace().sensor_model_dir(task.value)
    model.save(out)
    audit("sensor_train", f"{task.value} -> {out}")
    detail = ""
    if model.meta.get("format") == "plant":
        detail = (f" (inputs: {', '.join(model.meta['inputs'])}; cross-validated F1 {model.meta['cv_f1']:.2f})"
                  if label is not None else f" (sensors: {', '.join(model.meta['sensors'])}; life in readings)")
    emit({"task": task.value, "out": str(out), **model.meta}, as_json, f"saved {task.value} model to {out}{detail}")


def _slug(path: Path) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in path.stem.lower()).strip("-") or "plant"


@app.command("eval", help="Evaluate a failure model (--data AI4I CSV) or a RUL model (--data test --truth RUL).")
def evaluate(model: Annotated[Path, typer.Option("--model", help="Model folder.")],
             data: Annotated[Path, typer.Option("--data", help="Evaluation file.")],
             truth: Annotated[Path | None, typer.Option("--truth", help="True RUL per test unit (RUL task).")] = None,
             as_json: JsonOpt = False) -> None:
    import json

    from shopfloor.errors import NotBuiltError

    cfg = model / "config.json"
    if not cfg.exists():
        raise NotBuiltError(f"no sensor model at {model}")
    if json.loads(cfg.read_text())["kind"] == "rul":
        from shopfloor.errors import InputError
        from shopfloor.sensors.rul import RulModel
        from shopfloor.sensors.rul import evaluate as rul_eval

        if truth is None:
            raise InputError("a RUL model needs --truth RUL.txt")
        m = rul_eval(RulModel.load(model), data, truth)
    else:
        from shopfloor.sensors.failure import FailureModel
        from shopfloor.sensors.failure import evaluate as failure_eval

        m = failure_eval(FailureModel.load(model), data)
    emit(m, as_json, "\n".join(f"{k}: {v}" for k, v in m.items()))


@app.command("spc", help="Control charts of one column (individuals, moving range, EWMA, CUSUM on one whitened "
                        "series): limits from a baseline, the rest monitored; a PNG and the alarms.")
def spc_cmd(data: Annotated[Path, typer.Option("--data", help="CSV/XLSX/Parquet file.")],
            column: Annotated[str, typer.Option("--column", help="Column to chart.")],
            out: Annotated[Path, typer.Option("--out", help="PNG to write.")],
            machine: Annotated[str | None, typer.Option("--machine", help="Only this machine's rows (the file's "
                                                        "machine column, found by name or --map).")] = None,
            mapping: Annotated[list[str] | None, typer.Option("--map", help="COLUMN=ROLE, as for `sensor import`.")]
            = None,
            baseline: Annotated[int | None, typer.Option("--baseline", min=8, help="Limits from the first N rows "
                                                         "(phase I); the rest is monitored. Default: the first "
                                                         "third of the readings, at least 20.")] = None,
            subgroup: Annotated[int, typer.Option("--subgroup", help="Subgroup size for X-bar/R (1 = individuals).")] = 1,
            rules: Annotated[RuleSet, typer.Option("--rules", help="shewhart: the product's alarm scheme only (<= "
                                                   "0.5 % false alarms); nelson / western-electric add their run rules "
                                                   "on the same whitened series (more false alarms).")]
            = RuleSet.shewhart,
            lsl: Annotated[float | None, typer.Option("--lsl", help="Lower spec limit (for Cp/Cpk).")] = None,
            usl: Annotated[float | None, typer.Option("--usl", help="Upper spec limit (for Cp/Cpk).")] = None,
            as_json: JsonOpt = False) -> None:
    from shopfloor.sensors.report import spc_report

    result = spc_report(data, column, out, machine, mapping or [], baseline, subgroup, rules.value, lsl, usl)
    d = result["dropped"]
    note = "" if not sum(d.values()) else f" ({d['missing']} empty/n/a and {d['non_numeric']} non-numeric cells not plotted)"
    emit(result, as_json, f"{result['violations']} alarmed reading(s) after a baseline of {result['baseline']} readings; "
                          f"chart written to {out}{note}")


@app.command("status", help="Failure probability, remaining life, anomalies and SPC alarms of one machine.")
def status(machine: Annotated[str, typer.Argument(help="Machine id, e.g. P-101.")], as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.sensors import machine_status

    st = machine_status(machine, workspace())
    fp = f"{st.failure_probability:.0%}" if st.failure_probability is not None else "n/a"
    kind = f" (most likely: {st.failure_type})" if st.failure_type else ""
    rul = f"{st.rul:.0f} {st.rul_unit}" if st.rul is not None else "n/a"
    emit(st, as_json, f"{st.machine_id}: failure probability {fp}{kind}, remaining life {rul}, "
                      f"{len(st.spc_violations)} chart signal(s) and {len(st.alarms)} alarm(s) in the last 24 hours"
                      + "".join(f"\n  note: {n}" for n in st.notes))


@app.command("fleet", help="Every machine, alarming ones first: open alarms, since when, worst signal, failure risk.")
def fleet_cmd(as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    rows = cli_assistant(use_llm=False).machines.fleet()
    lines = []
    for r in rows:
        risk = (f"risk {r.failure_probability:.0%}" if r.failure_probability is not None else
                f"risk unknown ({r.risk_unknown})" if r.risk_unknown else "risk n/a")
        alarm = f"{r.open_alarms} open alarm(s) since {r.since}: {r.worst}" if r.open_alarms else r.state
        lines.append(f"{r.machine_id:<10} {r.type[:24]:<24} {alarm}; {risk}")
    emit({"machines": [r.model_dump() for r in rows]}, as_json, "\n".join(lines) or "no machines registered")


@app.command("alarms", help="Stored control-chart alarms with their failure types and manual/FMEA references.")
def alarms_cmd(state: Annotated[str | None, typer.Option("--state", help="open or acknowledged (default: all).")] = None,
               machine: Annotated[str | None, typer.Option("--machine", help="Only this machine.")] = None,
               as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    rows = cli_assistant(use_llm=False).machines.alarms(state, machine)
    lines = []
    for a in rows:
        who = f"acknowledged by {a.acknowledged_by} at {a.acknowledged_at}" if a.state == "acknowledged" else "OPEN"
        lines.append(f"#{a.id} {a.machine_id} {a.sensor} {a.direction} since {a.first_reading} ({a.description}; {who})")
        if a.failure_types:
            lines.append(f"    can lead to: {', '.join(a.failure_types)}")
        lines += [f"    see: {r.citation}" for r in a.references]
    emit({"alarms": rows}, as_json, "\n".join(lines) or "no alarms")


@app.command("ack", help="Acknowledge an open alarm (recorded with your name; audited).")
def ack_cmd(alarm_id: Annotated[int, typer.Argument(help="Alarm number, from `shopfloor sensor alarms`.")],
            note: Annotated[str, typer.Option("--note", help="What was done or decided.")] = "",
            as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    a = cli_assistant(use_llm=False).machines.acknowledge(alarm_id, note)
    emit(a, as_json, f"alarm #{a.id} ({a.machine_id} {a.sensor}) acknowledged by {a.acknowledged_by}")


@app.command("import", help="Import timestamped readings (CSV/XLSX/Parquet): the time and machine columns are found "
                          "by name (Zeit, Anlage, 时间, ...) or given with --map; every numeric column is a sensor.")
def import_cmd(data: Annotated[Path, typer.Option("--data", help="Readings file.")],
               mapping: Annotated[list[str] | None, typer.Option(
                   "--map", help="COLUMN=ROLE, repeatable. Roles: timestamp, machine_id, ignore, label, sensor, "
                                 "sensor:UNIT (e.g. 'Zeit=timestamp', 'T1=sensor:°C').")] = None,
               as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    r = cli_assistant(use_llm=False).machines.import_readings(data, mapping=mapping or [])
    sensors = ", ".join(s.name + (f" [{s.unit}]" if s.unit and s.unit not in s.name else "")
                        for s in r.sensors) or "none"
    lost = [f"{col}: {n} empty/n/a" for col, n in r.missing_cells.items()]
    lost += [f"{col}: {n} non-numeric" for col, n in r.non_numeric_cells.items()]
    lost += [f"{col}: {n} implausible for the unit" for col, n in r.implausible_cells.items()]
    emit(r, as_json, f"imported {r.rows} rows of {r.machines} machine(s); time from {r.roles['timestamp']!r}, "
                     f"machine from {r.roles['machine_id']!r}; sensors: {sensors}; {r.bad_timestamps} bad "
                     "timestamps" + "".join(f"\n  kept as missing - {x}" for x in lost))
