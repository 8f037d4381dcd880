"""`shopfloor sensor ...`: failure and remaining-life models, SPC charts, machine status, readings import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import RuleSet, SensorTask, audit, emit

app = typer.Typer(no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.command("train", help="Train the failure model (AI4I CSV) or the remaining-life model (C-MAPSS text).")
def train(task: Annotated[SensorTask, typer.Option("--task", help="failure (AI4I CSV) or rul (C-MAPSS text).")],
          data: Annotated[Path, typer.Option("--data", help="Training file.")],
          out: Annotated[Path, typer.Option("--out", help="Model folder.")],
          seed: Annotated[int, typer.Option("--seed")] = 13, as_json: JsonOpt = False) -> None:
    from shopfloor.sensors import FailureModel, RulModel

    model = (FailureModel if task is SensorTask.failure else RulModel).train(data, seed=seed)
    model.save(out)
    audit("sensor_train", f"{task.value} -> {out}")
    emit({"task": task.value, "out": str(out), **model.meta}, as_json, f"saved {task.value} model to {out}")


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
        from shopfloor.sensors.rul import evaluate as run_eval

        if truth is None:
            raise InputError("a RUL model needs --truth RUL.txt")
        m = run_eval(RulModel.load(model), data, truth)
    else:
        from shopfloor.sensors.failure import FailureModel
        from shopfloor.sensors.failure import evaluate as run_eval

        m = run_eval(FailureModel.load(model), data)
    emit(m, as_json, "\n".join(f"{k}: {v}" for k, v in m.items()))


@app.command("spc", help="Control chart of one column with run-rule violations, as a PNG.")
def spc_cmd(data: Annotated[Path, typer.Option("--data", help="CSV/Parquet file.")],
            column: Annotated[str, typer.Option("--column", help="Column to chart.")],
            out: Annotated[Path, typer.Option("--out", help="PNG to write.")],
            subgroup: Annotated[int, typer.Option("--subgroup", help="Subgroup size for X-bar/R (1 = individuals).")] = 1,
            rules: Annotated[RuleSet, typer.Option("--rules", help="Run rules for the charts.")] = RuleSet.nelson,
            lsl: Annotated[float | None, typer.Option("--lsl", help="Lower spec limit (for Cp/Cpk).")] = None,
            usl: Annotated[float | None, typer.Option("--usl", help="Upper spec limit (for Cp/Cpk).")] = None,
            as_json: JsonOpt = False) -> None:
    import pandas as pd

    from shopfloor.errors import InputError
    from shopfloor.sensors import spc

    if not data.exists():
        raise InputError(f"file not found: {data}")
    df = pd.read_parquet(data) if data.suffix.lower() == ".parquet" else pd.read_csv(data)
    if column not in df.columns:
        raise InputError(f"column {column!r} not found; columns are {list(df.columns)}")
    values = pd.to_numeric(df[column], errors="coerce").dropna().tolist()
    try:
        charts = list(spc.xbar_r(values, subgroup, rules.value)) if subgroup > 1 else [spc.individuals(values, rules.value),
                                                                                spc.moving_range(values)]
        charts += [spc.ewma(values), spc.cusum(values)]
        cap = spc.capability(values, lsl, usl) if (lsl is not None or usl is not None) else None
    except ValueError as e:
        raise InputError(str(e)) from None
    spc.render(charts, out, f"{data.name} · {column}")
    result = {"column": column, "n": len(values), "png": str(out), "charts": [c.to_dict() for c in charts],
              "violations": sum(len(c.violations) for c in charts), "capability": cap}
    emit(result, as_json, f"{result['violations']} violations; chart written to {out}")


@app.command("status", help="Failure probability, remaining life, anomalies and SPC alarms of one machine.")
def status(machine: Annotated[str, typer.Argument(help="Machine id, e.g. P-101.")], as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.sensors import machine_status

    st = machine_status(machine, workspace())
    fp = f"{st.failure_probability:.0%}" if st.failure_probability is not None else "n/a"
    rul = f"{st.rul:.0f} cycles" if st.rul is not None else "n/a"
    emit(st, as_json, f"{st.machine_id}: failure probability {fp} (most likely: {st.failure_type}), RUL {rul}, "
                      f"{len(st.spc_violations)} SPC alarms in the last day" + "".join(f"\n  note: {n}" for n in st.notes))


@app.command("import", help="Import timestamped readings (CSV/Parquet with timestamp, machine_id columns).")
def import_cmd(data: Annotated[Path, typer.Option("--data", help="Readings file.")], as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    r = cli_assistant(use_llm=False).import_readings(data)
    emit(r, as_json, f"imported {r['rows']} rows of {r['machines']} machines ({r['bad_timestamps']} bad timestamps)")
