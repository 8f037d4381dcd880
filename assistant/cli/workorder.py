"""`shopfloor workorder`: raise a work order from a log, see the outbox, deliver it to the plant's CMMS now."""

from __future__ import annotations

from typing import Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, cli_assistant, emit

app = typer.Typer(no_args_is_help=True, help="Work orders for the plant's CMMS (a durable outbox; retried until "
                  "delivered). The CMMS webhook: cmms.url in config.yaml or $SHOPFLOOR_CMMS_URL.")


@app.command("create", help="Diagnose a log and queue the work order its card supports (asset, ISO 14224 failure "
             "mode, cited cause and action, priority from risk); delivered at once when a CMMS is set.")
def create(log: Annotated[str, typer.Option("--log", help="The technician's log text.")],
           machine: Annotated[str | None, typer.Option("--machine", help="Machine id, if the log does not name "
                                                        "it.")] = None,
           as_json: JsonOpt = False) -> None:
    wo = cli_assistant(use_llm=False).workorders.create(log, machine)
    emit(wo.model_dump(), as_json, f"work order {wo.id}: {wo.state} ({wo.priority}: {wo.priority_reason}; "
                                   f"{wo.asset or 'no asset'}, {wo.failure_mode or 'no failure mode'} / {wo.iso14224})"
                                   + (f"; last error: {wo.last_error}" if wo.last_error else ""))


@app.command("send", help="Deliver every queued work order now (the server also retries them in the background).")
def send(as_json: JsonOpt = False) -> None:
    r = cli_assistant(use_llm=False).workorders.send()
    emit(r, as_json, f"delivered {r['delivered']}, still queued {r['pending']}, failed {r['failed']}"
                     + (f" ({r['note']})" if r["note"] else ""))


@app.command("list", help="Work orders, newest first, with their delivery state and attempts.")
def list_cmd(limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100, as_json: JsonOpt = False) -> None:
    rows = cli_assistant(use_llm=False).workorders.known(limit)
    lines = [f"{w.id}\t{w.state}\t{w.attempts} attempt(s)\t{w.priority}\t{w.asset or '-'}\t{w.description[:60]}"
             for w in rows]
    emit({"workorders": [w.model_dump() for w in rows]}, as_json, "\n".join(lines) or "no work orders")
