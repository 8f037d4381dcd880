"""`shopfloor workorder`: raise a work order from a log, see the outbox, deliver it to the plant's CMMS now."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, cli_assistant, emit
from shopfloor.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Work orders for the plant's CMMS (a durable outbox; retried until "
                  "delivered). The CMMS webhook: cmms.url in config.yaml or $SHOPFLOOR_CMMS_URL.")


@app.command("create", help="Diagnose a log (or read a control-chart alarm) and queue the work order it supports "
             "(asset, ISO 14224 failure mode, cited cause and action, priority from risk); delivered at once when a "
             "CMMS is set.")
def create(log: Annotated[str | None, typer.Option("--log", help="The technician's log text.")] = None,
           machine: Annotated[str | None, typer.Option("--machine", help="Machine id, if the log does not name "
                                                        "it.")] = None,
           alarm: Annotated[int | None, typer.Option("--alarm", help="An alarm id (`shopfloor sensor alarms`) "
                                                     "instead of a log.")] = None,
           as_json: JsonOpt = False) -> None:
    if (log is None) == (alarm is None):
        raise InputError("give either --log TEXT or --alarm ID")
    a = cli_assistant(use_llm=False)
    wo = a.workorders.create(log, machine) if log is not None else a.workorders.create_from_alarm(alarm or 0)
    emit(wo.model_dump(), as_json, f"work order {wo.id}: {wo.state} ({wo.priority}: {wo.priority_reason}; "
                                   f"{wo.asset or 'no asset'}, {wo.failure_mode or 'no failure mode'} / {wo.iso14224})"
                                   + (f"; last error: {wo.last_error}" if wo.last_error else ""))


@app.command("send", help="Deliver every queued work order now (the server also retries them in the background).")
def send(as_json: JsonOpt = False) -> None:
    r = cli_assistant(use_llm=False).workorders.send()
    emit(r, as_json, r.line())


@app.command("list", help="Work orders, newest first, with their delivery state and attempts.")
def list_cmd(limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
             out: Annotated[Path | None, typer.Option("--out", help="Also write them to a .csv or .json file (for a "
                                                      "CMMS import or a spreadsheet).")] = None,
             as_json: JsonOpt = False) -> None:
    service = cli_assistant(use_llm=False).workorders
    rows = service.known(limit)
    if out is not None:
        service.export(out, limit)
    lines = [f"{w.id}\t{w.state}\t{w.attempts} attempt(s)\t{w.priority}\t{w.asset or '-'}\t{w.description[:60]}"
             for w in rows]
    emit({"workorders": [w.model_dump() for w in rows]}, as_json, "\n".join(lines) or "no work orders")
