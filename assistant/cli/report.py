"""`shopfloor report`: an 8D report draft for a label's latest period, from a task's rows or a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, emit

if TYPE_CHECKING:
    from shopfloor.sensors.trends import Period


app = typer.Typer(help="Draft an 8D report for a label (problem from the rows; containment, root causes, actions and "
                  "prevention from your cited documents): `shopfloor report 8d --label L --out r.docx`.")


def report(ctx: typer.Context,
           label: Annotated[str | None, typer.Option("--label", help="The label (e.g. the rising one `trends` "
                                                     "names).")] = None,
           by: Annotated[str | None, typer.Option("--by", help="A task of the workspace: its classified rows "
                                                  "(default: the workspace's default task).")] = None,
           data: Annotated[Path | None, typer.Option("--data", help="CSV/XLSX with date, label and text columns.")]
           = None,
           date_col: Annotated[str | None, typer.Option("--date-col")] = None,
           label_col: Annotated[str | None, typer.Option("--label-col")] = None,
           text_col: Annotated[str | None, typer.Option("--text-col", help="Default: the column with the longest "
                                                        "texts.")] = None,
           period: Annotated[str, typer.Option("--period", help="week or month.")] = "month",
           since: Annotated[str | None, typer.Option("--since", help="The rows from this day on (2022-06-01) "
                                                     "instead of the label's latest period.")] = None,
           out: Annotated[Path | None, typer.Option("--out", help="Write the draft: .md, .docx or .pdf.")] = None,
           as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant
    from shopfloor.errors import InputError

    if ctx.invoked_subcommand is not None:  # `report 8d ...`: the subcommand reads its own options
        return
    if not label:
        raise InputError("give --label L (e.g. shopfloor report 8d --label \"FRONT WIPER MOTOR\" --out 8d.docx)")
    if period not in ("week", "month"):
        raise InputError("--period is week or month")
    if out is not None and out.suffix.lower() not in (".md", ".docx", ".pdf"):
        raise InputError(f"--out {out.name}: write .md, .docx or .pdf")
    span: Period = "week" if period == "week" else "month"
    a = cli_assistant(use_llm=False)
    if data:
        if not (date_col and label_col):
            raise InputError("with --data give --date-col C --label-col L (and --text-col T, else the longest texts)")
        rep = a.quality.report_8d_file(data, date_col, label_col, text_col, label, span, since)
    else:
        rep = a.quality.report_8d(by or a.ws.config.classifier.default_task, label, span, since)
    markdown = rep.to_markdown()
    if out is not None:
        _write(markdown, out)
    emit({**rep.model_dump(), "markdown": markdown, "written": str(out) if out else None}, as_json,
         markdown + (f"\n(written to {out})" if out else ""))


# `shopfloor report 8d --label L ...` (the contract's form) and `shopfloor report --label L ...` (the first form)
app.callback(invoke_without_command=True)(report)
app.command("8d", help="The 8D draft for --label: a task's rows (--by, default the workspace's task) or a file "
            "(--data --date-col --label-col [--text-col]); --since D for the rows from that day on.")(report)


def _write(markdown: str, out: Path) -> None:
    from shopfloor.assistant.pipeline.exports import to_docx, to_pdf

    suffix = out.suffix.lower()
    if suffix == ".md":
        out.write_text(markdown, encoding="utf-8")
    else:
        out.write_bytes(to_docx(markdown) if suffix == ".docx" else to_pdf(markdown))
